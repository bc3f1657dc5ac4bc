"""Ordinary least squares and ridge regression, solved in closed form."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._base import _ClosedFormLinearModel

__all__ = ["LinearRegression", "Ridge"]

# "auto" picks "cholesky", the only solver so far; the iterative ones
# (GD, momentum, L-BFGS, ...) will join this set.
_SOLVERS = {"auto", "cholesky"}


class LinearRegression(_ClosedFormLinearModel):
    """Ordinary least squares, a drop-in for scikit-learn's ``LinearRegression``.

    Minimises ``sum_i s_i (y_i - x_i . w - b)**2`` (``s`` the sample weights)
    by solving the normal equations, whose weighted centred Gram matrix comes
    from one compiled pass over ``X``. A singular system (collinear or
    constant features, fewer samples than features) falls back to the
    minimum-norm least-squares solution.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept ``b``. If False, the data are not centred.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified, whatever the value.
    tol : float, default=1e-6
        As in scikit-learn, where it only matters for sparse ``X`` (an
        iterative solver); accepted for compatibility, unused by the closed form.
    n_jobs : int, default=None
        Threads for the compiled Gram pass: None chooses automatically (all
        usable cores for large data), -1 all cores, k >= 1 exactly k.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0`` (non-negative least
        squares on the normal equations).
    solver : {"auto", "cholesky"}, default="auto"
        ``"cholesky"``: closed form (Cholesky factorisation of the normal
        equations). ``"auto"`` currently means ``"cholesky"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the float dtype of ``X`` (float32 stays float32).
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept; 0.0 if ``fit_intercept=False``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    n_iter_ : None
        The closed-form solver does not iterate.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import LinearRegression
    >>> X = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 3.0]])
    >>> y = X @ np.array([1.0, 2.0]) + 3.0
    >>> reg = LinearRegression().fit(X, y)
    >>> np.round(reg.coef_, 6)
    array([1., 2.])
    >>> round(float(reg.intercept_), 6)
    3.0
    >>> np.round(reg.predict(np.array([[3.0, 5.0]])), 6)
    array([16.])
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Options(Integral, {-1}), Interval(Integral, 1, None, closed="left")],
        "positive": ["boolean"],
        "solver": [StrOptions(_SOLVERS)],
    }

    def __init__(self, *, fit_intercept=True, copy_X=True, tol=1e-6, n_jobs=None, positive=False, solver="auto"):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver

    def _alphas(self, n_targets):
        return np.zeros(n_targets)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense, finite training data (``scipy.sparse`` is not supported
            yet). float32 stays float32; other dtypes become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero. None means unit weights.

        Returns
        -------
        self : LinearRegression
            The fitted estimator.
        """
        return self._fit_closed_form(X, y, sample_weight)


class Ridge(_ClosedFormLinearModel):
    """Least squares with an L2 penalty, a drop-in for scikit-learn's ``Ridge``.

    Minimises ``sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||**2`` (the
    intercept ``b`` is not penalised) by solving the penalised normal
    equations, whose weighted centred Gram matrix comes from one compiled
    pass over ``X``.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        Penalty strength, finite and ``>= 0``; an array gives one penalty per
        target (column of ``y``).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified, whatever the value.
    max_iter : int, default=None
        Iteration limit of iterative solvers; unused by ``"cholesky"``.
    tol : float, default=1e-4
        Tolerance of iterative solvers; unused by ``"cholesky"``.
    solver : {"auto", "cholesky"}, default="auto"
        ``"cholesky"``: closed form. ``"auto"``: ``"cholesky"``, or
        non-negative least squares on the normal equations if
        ``positive=True``.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``; needs ``solver="auto"``
        (as in scikit-learn, ``"cholesky"`` cannot do it).
    random_state : int, RandomState instance or None, default=None
        For stochastic solvers; unused by ``"cholesky"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the float dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept; 0.0 if ``fit_intercept=False``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    n_iter_ : None
        The closed-form solver does not iterate.
    solver_ : str
        The solver used (``"cholesky"``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import Ridge
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([1.0, 3.0, 5.0, 7.0])
    >>> reg = Ridge(alpha=5.0).fit(X, y)
    >>> np.round(reg.coef_, 6)
    array([1.])
    >>> round(float(reg.intercept_), 6)
    2.5
    >>> Ridge(alpha=0.0).fit(X, y).coef_
    array([2.])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(_SOLVERS)],
        "positive": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        solver="auto",
        positive=False,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def _alphas(self, n_targets):
        alpha = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alpha.size == 0 or not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
            raise ValueError(
                f"Invalid alpha: {self.alpha!r}. alpha must be a finite number >= 0, "
                "or an array of one such number per target."
            )
        if alpha.size not in (1, n_targets):
            raise ValueError(
                f"Invalid alpha: it has {alpha.size} values but y has {n_targets} "
                "targets. Pass one alpha, or one per column of y."
            )
        return np.broadcast_to(alpha, (n_targets,)).copy()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense, finite training data (``scipy.sparse`` is not supported
            yet). float32 stays float32; other dtypes become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero. None means unit weights.

        Returns
        -------
        self : Ridge
            The fitted estimator.
        """
        if self.positive and self.solver != "auto":
            raise ValueError(
                f"solver={self.solver!r} does not support positive=True. "
                "Use solver='auto' or set positive=False."
            )
        self._fit_closed_form(X, y, sample_weight)
        self.solver_ = "cholesky"
        return self
