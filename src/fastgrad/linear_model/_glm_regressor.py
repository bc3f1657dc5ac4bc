"""What the scalar-link GLM regressors share (Poisson, Gamma, Tweedie): parameters, fit, predict.

A subclass names its loss through three hooks -- ``_power_link`` (the
Tweedie power and the link), ``_make_objective`` (the compiled objective on
validated data) and ``_check_target`` (scikit-learn's error for a ``y`` out
of the loss's range) -- and inherits the rest: the start point, the solver
run (``_glm_solve.solve``), the fitted attributes, ``predict`` (the inverse
link) and ``score`` (D^2 of the Tweedie deviance of its power).
"""

from numbers import Integral, Real
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.metrics import d2_tweedie_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._base import _validate_fit_data, linear_predict
from ._glm_solve import GLM_SOLVERS, prepare, row_curvature_bound, solve

__all__ = []

#: The solvers of the scalar-link GLM regressors (no L1 term: no "fista").
SOLVERS = tuple(s for s in GLM_SOLVERS if s != "fista")

#: Newton's Hessian is checked for singularity at the solution up to this
#: many coefficients (one eigendecomposition of the n_coef x n_coef matrix).
_CONDITION_CHECK_MAX = 2000


def _warn_if_singular(name, obj, coef):
    """LinAlgWarning when the Hessian at Newton's solution is singular to rounding.

    The compiled Newton loop shifts a singular Hessian so its steps stay
    defined (scikit-learn's newton-cholesky falls back to L-BFGS there); the
    minimum is then not unique, which the user should hear about, as
    scikit-learn's users do.
    """
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
            f"The inner solver of {name}'s NewtonSolver stumbled upon a singular or "
            f"very ill-conditioned Hessian matrix at the solution (reciprocal condition number "
            f"{rcond:.1e}): the minimum is not unique (e.g. collinear features without a "
            "penalty), and Newton's steps were shifted to stay defined. Set a small alpha > 0 "
            "or remove the collinear features.",
            LinAlgWarning,
            stacklevel=3,
        )


def _least_squares_start(X, y, sample_weight, mean, fit_intercept):
    """Centred coefficients of the weighted least-squares fit of y (LSQR; X never densified)."""
    from scipy.sparse.linalg import LinearOperator, lsqr

    n, p = X.shape
    root = np.ones(n) if sample_weight is None else np.sqrt(np.asarray(sample_weight, np.float64))
    k = p + (1 if fit_intercept else 0)

    def forward(v):
        v = np.ravel(v)
        eta = np.asarray(X @ v[:p], dtype=np.float64).ravel() - mean @ v[:p]
        return root * (eta + (v[p] if fit_intercept else 0.0))

    def adjoint(u):
        u = root * np.ravel(u)
        out = np.empty(k)
        out[:p] = np.asarray(X.T @ u, dtype=np.float64).ravel() - mean * u.sum()
        if fit_intercept:
            out[p] = u.sum()
        return out

    A = LinearOperator((n, k), matvec=forward, rmatvec=adjoint, dtype=np.float64)
    return lsqr(A, root * np.asarray(y, np.float64), atol=1e-10, btol=1e-10)[0]


class _GLMRegressor(RegressorMixin, BaseEstimator):
    """The shared machinery (not an estimator on its own); see PoissonRegressor's docstring."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(SOLVERS))],
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

    # -- the hooks ----------------------------------------------------------

    def _power_link(self):
        """``(power, link)``: the Tweedie power of the deviance and "log" / "identity"."""
        raise NotImplementedError

    def _make_objective(self, X, y, sample_weight, mean, n_threads):
        raise NotImplementedError

    def _check_target(self, y):
        raise NotImplementedError

    # -- fit ----------------------------------------------------------------

    def _start(self, obj, X, y, sample_weight, mean):
        """The first centred coefficients: a warm start, or w = 0 with the best intercept."""
        power, link = self._power_link()
        p = X.shape[1]
        coef0 = np.zeros(obj.n_coef)
        y_mean = float(np.average(y, weights=sample_weight))
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
            coef0[:p] = self.coef_
            if self.fit_intercept:
                coef0[p] = self.intercept_ + mean @ self.coef_
        elif self.fit_intercept and link == "log" and y_mean > 0:
            coef0[p] = np.log(y_mean)  # the best intercept for w = 0
        elif self.fit_intercept and link == "identity":
            coef0[p] = y_mean
        if link == "identity" and power != 0 and not np.isfinite(obj.py_value(coef0)):
            # mu = eta must be > 0 on every sample: try the least-squares fit
            # of y, then of the constant mean(y) (reachable when X spans a
            # constant column)
            for target in (y, np.full(len(y), y_mean)):
                coef0 = _least_squares_start(X, target, sample_weight, mean, self.fit_intercept)
                if np.isfinite(obj.py_value(coef0)):
                    break
            else:
                raise ValueError(
                    f"{type(self).__name__} with link='identity' and power={power!r} needs "
                    "coefficients whose predictions X @ coef_ + intercept_ are > 0 on every "
                    "sample (the deviance is undefined elsewhere), and neither the mean of y "
                    "nor the least-squares fit gives them. Use link='log', or fit_intercept=True "
                    "with y > 0."
                )
        return coef0

    def _start_curvature(self, coef0, p):
        """A sample's curvature at the start (mu = y): the SGD step's heuristic bound."""
        power, link = self._power_link()
        if not self.fit_intercept:
            return 1.0
        mu0 = np.exp(coef0[p]) if link == "log" else max(float(coef0[p]), 1e-12)
        return float(mu0 ** (2.0 - power) if link == "log" else mu0 ** (-power))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data (float64 or float32); sparse X is read as
            CSR (other formats are converted once) and never densified.
        y : array-like of shape (n_samples,)
            Targets in the range of the loss.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : object
        """
        X, y, sample_weight = _validate_fit_data(
            self, X, y, sample_weight, multi_output=False, accept_sparse="csr"
        )
        self._check_target(y)
        _, mean, n_threads = prepare(self, X, sample_weight)
        obj = self._make_objective(X, y, sample_weight, mean, n_threads)
        p = X.shape[1]
        coef0 = self._start(obj, X, y, sample_weight, mean)
        sgd_bound = 0.0
        if self.solver == "sgd":
            # 4x a sample's curvature at the start: a heuristic bound (none exists)
            sgd_bound = row_curvature_bound(X, sample_weight, mean, self.fit_intercept,
                                            4.0 * self._start_curvature(coef0, p))
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        result = solve(
            self, obj, coef0, solver=self.solver, max_iter=self.max_iter, tol=self.tol,
            learning_rate=self.learning_rate, momentum=self.momentum, batch_size=self.batch_size,
            seed=seed, verbose=self.verbose, sgd_bound=sgd_bound,
        )
        if self.solver in ("newton", "newton-cholesky") and obj.n_coef <= _CONDITION_CHECK_MAX:
            _warn_if_singular(type(self).__name__, obj, result.coef)
        w = result.coef[:p]
        self.coef_ = w.astype(X.dtype)
        self.intercept_ = float(result.coef[p] - mean @ w) if self.fit_intercept else 0.0
        self.n_iter_ = int(result.n_iter)
        self.loss_curve_ = result.curve
        self.solver_ = result.solver
        self._base_loss = self._get_loss()  # scikit-learn's GLMs keep their loss object here
        return self

    # -- prediction ---------------------------------------------------------

    def _linear_predictor(self, X):
        return linear_predict(self, X)

    def predict(self, X):
        """Predicted means: ``exp(X @ coef_ + intercept_)`` (log link) or ``X @ coef_ + intercept_``."""
        eta = self._linear_predictor(X)
        return np.exp(eta) if self._power_link()[1] == "log" else eta

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of the model's deviance explained (scikit-learn's ``score``)."""
        return d2_tweedie_score(y, self.predict(X), sample_weight=sample_weight,
                                power=self._power_link()[0])

    def __sklearn_tags__(self):
        from ._solvers_fast import tweedie_y_range

        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        try:
            tags.target_tags.positive_only = tweedie_y_range(float(self._power_link()[0])) is not None
        except (TypeError, ValueError):
            pass  # an invalid power: fit will say so
        return tags

