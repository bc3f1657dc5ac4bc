"""Huber regression with a jointly estimated scale, on the compiled solver loops."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions

import scipy.sparse as sp

from ._solvers_fast import HuberObjective, SparseHuberObjective
from ._base import _validate_fit_data, linear_predict
from ._glm_solve import prepare, solve
from ._huber_exact import exact_fit_solution

__all__ = ["HuberRegressor"]

#: The scale-aware objective has no global curvature bound and an unbounded
#: curvature as sigma -> 0: the curvature methods, and gradient methods
#: that backtrack.
_SOLVERS = ("auto", "lbfgs", "newton", "newton-cholesky", "newton-cg", "gd", "nesterov")


class HuberRegressor(RegressorMixin, BaseEstimator):
    """Linear regression with the Huber loss, a drop-in for scikit-learn's ``HuberRegressor``.

    Minimises scikit-learn's objective over ``w``, ``b`` and the scale
    ``sigma > 0`` together (Owen's concomitant scale, which makes the fit
    invariant to the scale of ``y``)::

        sum_i s_i (sigma + H_eps((y_i - x_i . w - b) / sigma) * sigma) + alpha * ||w||^2

    where ``H_eps(z) = z^2`` for ``|z| <= eps`` and ``2 eps |z| - eps^2``
    beyond: squared loss for the inliers, absolute loss for the outliers.
    The compiled loops minimise it divided by ``sum_s``.

    Parameters
    ----------
    epsilon : float >= 1, default=1.35
        Residuals beyond ``epsilon * scale_`` count as outliers. Smaller is
        more robust; 1.35 gives 95% efficiency on normal noise.
    max_iter : int, default=100
        Iteration limit.
    alpha : float, default=1e-4
        L2 penalty strength (>= 0).
    warm_start : bool, default=False
        Start from the previous ``coef_``, ``intercept_`` and ``scale_``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    tol : float, default=1e-5
        Stop when the largest gradient entry of scikit-learn's (sum-form)
        objective is at most ``tol``.
    solver : {"auto", "lbfgs", "newton", "newton-cholesky", "newton-cg", "gd", "nesterov"}, \
default="auto"
        ``"auto"``: L-BFGS (scikit-learn's method), switching to Newton when
        it is slow; on sparse X ``"newton-cg"`` (Hessian-vector products, no
        p x p matrix). ``"newton-cg"`` on dense X runs the exact Newton loop. ``"gd"``/``"nesterov"`` backtrack from ``1 / L`` at the
        start.
    verbose : int, default=0
        Print the objective and gradient size at every iteration.
    n_jobs : int, default=None
        Threads of the compiled passes: None automatic, -1 all cores.
    learning_rate : float, default=None
        First step of ``"gd"``/``"nesterov"`` (None: ``1 / L`` at the start).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    scale_ : float
        The fitted ``sigma``.
    outliers_ : ndarray of bool, shape (n_samples,)
        Training samples whose absolute residual exceeds ``epsilon * scale_``.
    n_iter_ : int
    loss_curve_ : ndarray
        The objective divided by ``sum_s`` at the start and after every iteration.
    solver_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import HuberRegressor
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> y[9] = 100.0                                    # one gross outlier
    >>> reg = HuberRegressor(tol=1e-10).fit(X, y)
    >>> round(float(reg.coef_[0]), 2), bool(reg.outliers_[9])
    (2.0, True)
    """

    _parameter_constraints: dict = {
        "epsilon": [Interval(Real, 1.0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "solver": [StrOptions(set(_SOLVERS))],
        "verbose": ["verbose"],
        "n_jobs": [None, Options(Integral, {-1}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        *,
        epsilon=1.35,
        max_iter=100,
        alpha=0.0001,
        warm_start=False,
        fit_intercept=True,
        tol=1e-05,
        solver="auto",
        verbose=0,
        n_jobs=None,
        learning_rate=None,
    ):
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.alpha = alpha
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.solver = solver
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.learning_rate = learning_rate

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite training data (float64 or float32); sparse X is read as
            CSR (other formats are converted once) and never densified.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : HuberRegressor
        """
        X, y, sample_weight = _validate_fit_data(
            self, X, y, sample_weight, multi_output=False, accept_sparse="csr"
        )
        p = X.shape[1]
        sum_s, mean, n_threads = prepare(self, X, sample_weight)
        make = SparseHuberObjective if sp.issparse(X) else HuberObjective
        obj = make(
            X, y, sample_weight, mean, float(self.alpha), float(self.epsilon), self.fit_intercept, n_threads
        )
        coef0 = np.zeros(obj.n_coef)
        coef0[-1] = 1.0  # sigma, as scikit-learn starts
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
            coef0[:p] = self.coef_
            if self.fit_intercept:
                coef0[p] = self.intercept_ + mean @ self.coef_
            coef0[-1] = self.scale_
        elif self.fit_intercept:
            coef0[p] = float(np.median(y))  # a robust start for the intercept
        result = solve(
            self, obj, coef0, solver=self.solver, max_iter=self.max_iter,
            # the loops see the objective divided by sum_s, so is its gradient
            tol=self.tol / sum_s, learning_rate=self.learning_rate, verbose=self.verbose,
        )
        coef = result.coef
        w = coef[:p]
        intercept = float(coef[p] - mean @ w) if self.fit_intercept else 0.0
        # the scale ran to its boundary 0 (data fitted exactly): take the limit
        # in closed form where its optimality conditions hold
        exact = exact_fit_solution(X, y, sample_weight, float(self.alpha), float(self.epsilon),
                                   self.fit_intercept, float(coef[-1]))
        if exact is not None:
            w, intercept = exact
        self.coef_ = np.asarray(w).astype(X.dtype)
        self.intercept_ = intercept
        self.scale_ = float(coef[-1])
        residual = np.abs(y - np.asarray(X @ self.coef_).ravel() - self.intercept_)
        self.outliers_ = residual > self.scale_ * self.epsilon
        self.n_iter_ = int(result.n_iter)
        self.loss_curve_ = result.curve
        self.solver_ = result.solver
        return self

    def predict(self, X):
        """Predictions ``X @ coef_ + intercept_``."""
        return linear_predict(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
