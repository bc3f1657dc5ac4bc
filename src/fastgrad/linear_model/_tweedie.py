"""Gamma and Tweedie regression on the compiled solver loops (the Poisson core, another power)."""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions

from ._glm_regressor import _GLMRegressor

__all__ = ["GammaRegressor", "TweedieRegressor"]

_COMMON_PARAMETERS = """alpha : float, default=1.0
        L2 penalty strength (>= 0; 0 is unpenalised).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept ``b``.
    solver : {"auto", "lbfgs", "newton", "newton-cholesky", "newton-cg", "gd", "momentum", \
"nesterov", "sgd"}, default="auto"
        As for :class:`fastgrad.PoissonRegressor`: ``"auto"`` runs L-BFGS and
        switches to Newton (Cholesky of the Hessian) when L-BFGS has spent what
        Newton would cost (``"newton-cg"`` on sparse X with many columns).
        Where a sample's curvature is negative (the deviance is not convex in
        the coefficients: log link with power < 1 or > 2, identity link with
        power > 1), Newton uses its absolute value, as scikit-learn's
        newton-cholesky does, which keeps every Newton step a descent step.
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
        As for :class:`fastgrad.LogisticRegression` (first-order solvers and SGD)."""

_ATTRIBUTES = """coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    loss_curve_ : ndarray
        The objective (mean half deviance plus penalty) at the start and after
        every iteration.
    solver_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray"""


def _loss_name(power, link):
    """scikit-learn's name of the loss object for ``power`` and ``link``."""
    return "HalfTweedieLossIdentity" if link == "identity" else "HalfTweedieLoss"


class GammaRegressor(_GLMRegressor):
    __doc__ = f"""Gamma regression with a log link, a drop-in for scikit-learn's ``GammaRegressor``.

    Minimises scikit-learn's objective::

        1 / (2 sum_s) * sum_i s_i deviance(y_i, exp(x_i . w + b)) + alpha / 2 * ||w||^2

    with the Gamma deviance ``2 (log(mu / y) + y / mu - 1)``, each iteration
    one fused loss-and-gradient pass over ``X`` (the Tweedie kernel at power
    2). The targets must be positive.

    Parameters
    ----------
    {_COMMON_PARAMETERS}

    Attributes
    ----------
    {_ATTRIBUTES}

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import GammaRegressor
    >>> X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 3.0]])
    >>> y = np.array([19.0, 26.0, 33.0, 30.0])
    >>> reg = GammaRegressor(tol=1e-10).fit(X, y)
    >>> float(round(reg.score(X, y), 3))
    0.773
    >>> np.round(reg.predict(np.array([[1.0, 0.0], [2.0, 8.0]])), 3)
    array([19.491, 35.782])
    """

    def _power_link(self):
        return 2.0, "log"

    def _check_target(self, y):
        _check_tweedie_target(self, y, 2.0, "HalfGammaLoss")

    def _make_objective(self, X, y, sample_weight, mean, n_threads):
        return _tweedie_objective(self, X, y, sample_weight, mean, n_threads, 2.0, "log")

    def _get_loss(self, xp=None, device=None):
        """scikit-learn's loss object for this model: ``HalfGammaLoss`` (numpy only)."""
        from sklearn._loss.loss import HalfGammaLoss

        return HalfGammaLoss()


class TweedieRegressor(_GLMRegressor):
    __doc__ = f"""Tweedie regression, a drop-in for scikit-learn's ``TweedieRegressor``.

    Minimises scikit-learn's objective::

        1 / (2 sum_s) * sum_i s_i deviance_p(y_i, mu_i) + alpha / 2 * ||w||^2

    with the Tweedie deviance of power ``p`` and ``mu_i = exp(x_i . w + b)``
    (log link) or ``x_i . w + b`` (identity link), each iteration one fused
    loss-and-gradient pass over ``X``.

    Parameters
    ----------
    power : float, default=0.0
        The Tweedie power: 0 normal (least squares), 1 Poisson, in (1, 2)
        compound Poisson-Gamma, 2 Gamma, 3 inverse Gaussian. As in
        scikit-learn every real power is accepted (for 0 < p < 1 no Tweedie
        distribution exists, but the deviance is still a consistent loss for
        the mean). ``y`` must be >= 0 for 0 < p < 2 and > 0 for p >= 2.
    link : {{"auto", "identity", "log"}}, default="auto"
        ``"auto"``: identity for ``power <= 0``, log otherwise. With the
        identity link and ``power != 0`` the predictions must stay positive:
        the fit starts from the mean of ``y`` (or the least-squares fit) and
        never steps outside.
    {_COMMON_PARAMETERS}

    Attributes
    ----------
    {_ATTRIBUTES}

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import TweedieRegressor
    >>> X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 3.0]])
    >>> y = np.array([2.0, 3.5, 5.0, 5.5])
    >>> reg = TweedieRegressor(power=1.5, tol=1e-10).fit(X, y)
    >>> np.round(reg.predict(np.array([[1.0, 1.0], [3.0, 4.0]])), 3)
    array([2.246, 4.713])
    """

    _parameter_constraints: dict = {
        **_GLMRegressor._parameter_constraints,
        "power": [Interval(Real, None, None, closed="neither")],
        "link": [StrOptions({"auto", "identity", "log"})],
    }

    def __init__(
        self,
        *,
        power=0.0,
        alpha=1.0,
        fit_intercept=True,
        link="auto",
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
        super().__init__(
            alpha=alpha, fit_intercept=fit_intercept, solver=solver, max_iter=max_iter, tol=tol,
            warm_start=warm_start, verbose=verbose, n_jobs=n_jobs, learning_rate=learning_rate,
            momentum=momentum, batch_size=batch_size, random_state=random_state,
        )
        self.power = power
        self.link = link

    def _power_link(self):
        power = float(self.power)
        link = self.link
        if link == "auto":
            link = "identity" if power <= 0 else "log"
        return power, link

    def _check_target(self, y):
        power, link = self._power_link()
        _check_tweedie_target(self, y, power, _loss_name(power, link))

    def _make_objective(self, X, y, sample_weight, mean, n_threads):
        power, link = self._power_link()
        return _tweedie_objective(self, X, y, sample_weight, mean, n_threads, power, link)

    def _get_loss(self, xp=None, device=None):
        """scikit-learn's loss object for this power and link (numpy only)."""
        from sklearn._loss.loss import HalfTweedieLoss, HalfTweedieLossIdentity

        power, link = self._power_link()
        return (HalfTweedieLossIdentity if link == "identity" else HalfTweedieLoss)(power=power)


def _check_tweedie_target(estimator, y, power, loss_name):
    """scikit-learn's ValueError for a ``y`` outside the deviance's range, with the specifics."""
    from ._solvers_fast import tweedie_y_range

    bound = tweedie_y_range(power)
    if bound is None:
        return
    bad = y < 0 if bound[1] else y <= 0
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        need = "y >= 0" if bound[1] else "y > 0"
        raise ValueError(
            # scikit-learn's wording first (its tests match it), then the specifics
            f"Some value(s) of y are out of the valid range of the loss {loss_name!r}: "
            f"{type(estimator).__name__} with power={power!r} needs {need}, but y[{i}] = "
            f"{y[i]!r}. Check the target, or choose a power whose range includes it "
            "(power <= 0 accepts any real y)."
        )


def _tweedie_objective(estimator, X, y, sample_weight, mean, n_threads, power, link):
    from ._solvers_fast import SparseTweedieObjective, TweedieObjective

    make = SparseTweedieObjective if sp.issparse(X) else TweedieObjective
    return make(X, y, sample_weight, mean, float(estimator.alpha), estimator.fit_intercept,
                n_threads, float(power), link)
