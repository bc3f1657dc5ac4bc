"""Poisson regression (log link) on the compiled solver loops."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.metrics import d2_tweedie_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions

import scipy.sparse as sp

from ._solvers_fast import PoissonObjective, SparsePoissonObjective
from ._base import _validate_fit_data, linear_predict
from ._glm_solve import GLM_SOLVERS, prepare, row_curvature_bound, solve

__all__ = ["PoissonRegressor"]

_SOLVERS = tuple(s for s in GLM_SOLVERS if s != "fista")


#: Newton's Hessian is checked for singularity at the solution up to this
#: many coefficients (one eigendecomposition of the n_coef x n_coef matrix).
_CONDITION_CHECK_MAX = 2000


def _warn_if_singular(obj, coef):
    """LinAlgWarning when the Hessian at Newton's solution is singular to rounding.

    The compiled Newton loop shifts a singular Hessian so its steps stay
    defined (scikit-learn's newton-cholesky falls back to L-BFGS there); the
    minimum is then not unique, which the user should hear about, as
    scikit-learn's users do.
    """
    import warnings

    from scipy.linalg import LinAlgWarning

    try:
        eig = np.linalg.eigvalsh(obj.py_hessian(np.asarray(coef, dtype=np.float64)))
    except (ValueError, np.linalg.LinAlgError):
        return
    top = float(np.max(np.abs(eig)))
    rcond = float(eig[0]) / top if top > 0 else 0.0
    # scikit-learn's test: scipy's positive-definite solve warns below eps
    if rcond < 10 * np.finfo(np.float64).eps:
        warnings.warn(
            "The inner solver of PoissonRegressor's NewtonSolver stumbled upon a singular or "
            f"very ill-conditioned Hessian matrix at the solution (reciprocal condition number "
            f"{rcond:.1e}): the minimum is not unique (e.g. collinear features without a "
            "penalty), and Newton's steps were shifted to stay defined. Set a small alpha > 0 "
            "or remove the collinear features.",
            LinAlgWarning,
            stacklevel=3,
        )


class PoissonRegressor(RegressorMixin, BaseEstimator):
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
    array([10.677, 21.388])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(_SOLVERS))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "n_jobs": [None, Options(Integral, {-1}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "momentum": [Interval(Real, 0, 1, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        alpha=1.0,
        fit_intercept=True,
        solver="auto",
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        n_jobs=None,
        learning_rate=None,
        momentum=None,
        batch_size=None,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data (float64 or float32); sparse X is read as
            CSR (other formats are converted once) and never densified.
        y : array-like of shape (n_samples,)
            Non-negative targets (counts, or rates with ``sample_weight`` as exposure).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : PoissonRegressor
        """
        X, y, sample_weight = _validate_fit_data(
            self, X, y, sample_weight, multi_output=False, accept_sparse="csr"
        )
        if np.any(y < 0):
            i = int(np.flatnonzero(y < 0)[0])
            raise ValueError(
                # scikit-learn's wording first (its tests match it), then the specifics
                "Some value(s) of y are out of the valid range of the loss 'HalfPoissonLoss': "
                f"PoissonRegressor needs y >= 0 (counts or rates), but y[{i}] = {y[i]!r}. "
                "Check the target, or use a model for signed targets (e.g. Ridge)."
            )
        _, mean, n_threads = prepare(self, X, sample_weight)
        make = SparsePoissonObjective if sp.issparse(X) else PoissonObjective
        obj = make(X, y, sample_weight, mean, float(self.alpha), self.fit_intercept, n_threads)
        p = X.shape[1]
        coef0 = np.zeros(obj.n_coef)
        y_mean = float(np.average(y, weights=sample_weight))
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
            coef0[:p] = self.coef_
            if self.fit_intercept:
                coef0[p] = self.intercept_ + mean @ self.coef_
        elif self.fit_intercept and y_mean > 0:
            coef0[p] = np.log(y_mean)  # the best intercept for w = 0
        sgd_bound = 0.0
        if self.solver == "sgd":
            # curvature exp(eta) at the start: a heuristic bound (none exists)
            mu0 = np.exp(coef0[p]) if self.fit_intercept else 1.0
            sgd_bound = row_curvature_bound(X, sample_weight, mean, self.fit_intercept, 4.0 * mu0)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        result = solve(
            self, obj, coef0, solver=self.solver, max_iter=self.max_iter, tol=self.tol,
            learning_rate=self.learning_rate, momentum=self.momentum, batch_size=self.batch_size,
            seed=seed, verbose=self.verbose, sgd_bound=sgd_bound,
        )
        if self.solver in ("newton", "newton-cholesky") and obj.n_coef <= _CONDITION_CHECK_MAX:
            _warn_if_singular(obj, result.coef)
        w = result.coef[:p]
        self.coef_ = w.astype(X.dtype)
        self.intercept_ = float(result.coef[p] - mean @ w) if self.fit_intercept else 0.0
        self.n_iter_ = int(result.n_iter)
        self.loss_curve_ = result.curve
        self.solver_ = result.solver
        return self

    def _get_loss(self, xp=None, device=None):
        """scikit-learn's loss object for this model (its tests and meta-estimators ask for it).

        ``HalfPoissonLoss``: the half Poisson deviance with the log link, the
        data term fastgrad's objective minimises (up to the constant
        ``y log y - y``). ``xp`` / ``device`` are accepted for signature
        compatibility; the loss runs on numpy.
        """
        from sklearn._loss.loss import HalfPoissonLoss

        return HalfPoissonLoss()

    def _linear_predictor(self, X):
        return linear_predict(self, X)

    def predict(self, X):
        """Predicted means ``exp(X @ coef_ + intercept_)``."""
        return np.exp(self._linear_predictor(X))

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of Poisson deviance explained (scikit-learn's ``score``)."""
        return d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight, power=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = True
        return tags
