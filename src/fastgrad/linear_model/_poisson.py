"""Poisson regression (log link) on the compiled solver loops."""

import numpy as np
import scipy.sparse as sp

from ._glm_regressor import _GLMRegressor

__all__ = ["PoissonRegressor"]


class PoissonRegressor(_GLMRegressor):
    """Poisson regression with a log link, a drop-in for scikit-learn's ``PoissonRegressor``.

    Minimises scikit-learn's objective::

        1 / (2 sum_s) * sum_i s_i deviance(y_i, exp(x_i . w + b)) + alpha / 2 * ||w||^2

    (the mean half Poisson deviance plus an L2 penalty), each iteration one
    fused loss-and-gradient pass over ``X``; the exponential is clipped, so
    no step produces NaN.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty strength (>= 0; 0 is unpenalised).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept ``b``.
    solver : {"auto", "lbfgs", "newton", "newton-cholesky", "newton-cg", "gd", "momentum", \
"nesterov", "sgd"}, default="auto"
        ``"auto"``: on dense X L-BFGS, switching to Newton (Cholesky of the
        exact Hessian) when L-BFGS has spent what Newton would cost; on
        sparse X ``"newton-cg"`` (truncated Newton: conjugate gradients on
        Hessian-vector products, no p x p matrix). ``"newton-cg"`` on dense
        X runs the exact Newton loop. The
        first-order solvers start from ``1 / L`` with ``L`` the curvature at
        the start and backtrack (the Poisson curvature has no global bound).
    max_iter : int, default=100
        Iteration (epoch for ``"sgd"``) limit.
    tol : float, default=1e-4
        Stop when the largest gradient entry of the objective is at most ``tol``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    verbose : int, default=0
        Print the objective and gradient size at every iteration.
    n_jobs : int, default=None
        Threads of the compiled passes: None automatic, -1 all cores.
    learning_rate, momentum, batch_size, random_state :
        As for :class:`fastgrad.LogisticRegression` (first-order solvers and SGD).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    loss_curve_ : ndarray
        The objective at the start and after every iteration.
    solver_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import PoissonRegressor
    >>> X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 3.0]])
    >>> y = np.array([12, 17, 22, 21])
    >>> reg = PoissonRegressor(tol=1e-10).fit(X, y)
    >>> np.round(reg.predict(np.array([[1.0, 1.0], [3.0, 4.0]])), 3)
    array([10.676, 21.875])
    """

    def _power_link(self):
        return 1.0, "log"

    def _check_target(self, y):
        if np.any(y < 0):
            i = int(np.flatnonzero(y < 0)[0])
            raise ValueError(
                # scikit-learn's wording first (its tests match it), then the specifics
                "Some value(s) of y are out of the valid range of the loss 'HalfPoissonLoss': "
                f"PoissonRegressor needs y >= 0 (counts or rates), but y[{i}] = {y[i]!r}. "
                "Check the target, or use a model for signed targets (e.g. Ridge)."
            )

    def _make_objective(self, X, y, sample_weight, mean, n_threads):
        from ._solvers_fast import PoissonObjective, SparsePoissonObjective

        make = SparsePoissonObjective if sp.issparse(X) else PoissonObjective
        return make(X, y, sample_weight, mean, float(self.alpha), self.fit_intercept, n_threads)

    def _get_loss(self, xp=None, device=None):
        """scikit-learn's loss object for this model (its tests and meta-estimators ask for it).

        ``HalfPoissonLoss``: the half Poisson deviance with the log link, the
        data term fastgrad's objective minimises (up to the constant
        ``y log y - y``). ``xp`` / ``device`` are accepted for signature
        compatibility; the loss runs on numpy.
        """
        from sklearn._loss.loss import HalfPoissonLoss

        return HalfPoissonLoss()
