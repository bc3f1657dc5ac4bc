"""Ordinary least squares: closed form from a compiled Gram, or iterative solvers."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._base import LEAST_SQUARES_SOLVERS
from ._iterative import POSITIVE_SOLVERS
from ._least_squares import GRAM, LOOP_CONSTRAINTS, LSQR, _DispatchLeastSquares

__all__ = ["LinearRegression"]

_SOLVERS = set(LEAST_SQUARES_SOLVERS)


class LinearRegression(_DispatchLeastSquares):
    """Ordinary least squares, a drop-in for scikit-learn's ``LinearRegression``.

    Minimises ``sum_i s_i (y_i - x_i . w - b)**2`` (``s`` the sample weights).
    By default it solves the normal equations, whose weighted centred Gram
    matrix comes from one compiled pass over ``X``; a singular system
    (collinear or constant features, fewer samples than features) falls back
    to the minimum-norm least-squares solution. ``solver`` selects a
    compiled iterative loop instead.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept ``b``. If False, the data are not centred.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified, whatever the value.
    tol : float, default=1e-6
        Stopping rule of the iterative solvers: the largest gradient entry of
        the mean objective ``sum_i s_i r_i**2 / (2 sum_s)`` (or, with
        ``positive``, of the projected-gradient step) at most ``tol``. Unused
        by the closed form.
    n_jobs : int, default=None
        Threads for the compiled passes over ``X``: None chooses
        automatically (all usable cores for large data), -1 all cores,
        k >= 1 exactly k.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``: non-negative least squares
        on the normal equations (``"auto"``, ``"cholesky"``) or projected
        gradient (``"gd"``, ``"nesterov"``).
    solver : {"auto", "cholesky", "gd", "momentum", "nesterov", "lbfgs", "newton"}, default="auto"
        ``"cholesky"``: closed form (Cholesky factorisation of the normal
        equations, from one compiled Gram pass). Compiled loops, one fused
        loss-and-gradient pass over ``X`` per iteration: ``"gd"`` (gradient
        descent), ``"momentum"`` (heavy ball), ``"nesterov"`` (accelerated,
        with adaptive restart), ``"lbfgs"``, ``"newton"`` (Cholesky of the
        Hessian). ``"auto"``: ``"cholesky"`` up to 2000 features (the fastest
        by far when ``n_samples >> n_features``), ``"lbfgs"`` beyond on
        dense X and LSQR (scikit-learn's method, ``solver_ = "lsqr"``) beyond
        on sparse X.
    max_iter : int, default=None
        Iteration limit of the iterative solvers (None: 1000).
    learning_rate : float, default=None
        Step of ``"gd"``, ``"momentum"`` and ``"nesterov"``. None uses
        ``1 / L``, with ``L`` the largest eigenvalue of the Hessian, found by
        a few power iterations (one pass over ``X`` each).
    momentum : float in [0, 1), default=None
        Momentum of ``"momentum"`` (None: 0.9) and ``"nesterov"`` (None:
        FISTA's increasing sequence, with adaptive restart).
    verbose : int, default=0
        Print the objective and gradient size at every iteration.
    warm_start : bool, default=False
        Start the iterative solvers from the previous ``coef_`` and
        ``intercept_``.

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
    n_iter_ : ndarray of shape (n_targets,)
        Iterations per target (int32). The closed form counts as one: it is
        the single Newton step that solves the quadratic exactly.
        (scikit-learn's LinearRegression has no ``max_iter`` and no
        ``n_iter_``.)
    loss_curve_ : ndarray
        The objective ``sum_i s_i (y_i - x_i . w - b)**2`` (summed over
        targets) at each iteration; a single entry for the closed form.
    solver_ : str
        The solver used.

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
    >>> np.round(LinearRegression(solver="lbfgs", tol=1e-10).fit(X, y).coef_, 6)
    array([1., 2.])
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Options(Integral, {-1}), Interval(Integral, 1, None, closed="left")],
        "positive": ["boolean"],
        "solver": [StrOptions(_SOLVERS)],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        **LOOP_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-6,
        n_jobs=None,
        positive=False,
        solver="auto",
        max_iter=None,
        learning_rate=None,
        momentum=None,
        verbose=0,
        warm_start=False,
    ):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.verbose = verbose
        self.warm_start = warm_start

    def _alphas(self, n_targets):
        return np.zeros(n_targets)

    def _lsqr_tol(self):
        # LSQR's atol / btol, as scikit-learn's LinearRegression passes its tol
        return self.tol

    def _plan(self, X):
        solver = self._resolved_solver(X.shape[1])
        if self.positive and solver not in ("cholesky",) + POSITIVE_SOLVERS:
            raise ValueError(
                f"solver={solver!r} does not support positive=True. Use solver='auto', "
                f"or one of {POSITIVE_SOLVERS} (projected gradient), or set positive=False."
            )
        if solver == "cholesky":
            return solver, GRAM, "one"
        if self.solver == "auto" and not self.positive and sp.issparse(X):
            # many features, sparse X: LSQR on the implicitly centred operator,
            # scikit-learn's method here (its model, minimum norm if rank
            # deficient); L-BFGS needs many more passes on such data
            return "lsqr", LSQR, "array"
        return solver, "loop:" + solver, "array"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite training data, dense or ``scipy.sparse`` (any format;
            used as CSR, never densified: the closed form from a sparse Gram
            matrix, the iterative solvers on a compiled CSR pass). float32
            stays float32; other dtypes become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero. None means unit weights.

        Returns
        -------
        self : LinearRegression
            The fitted estimator.
        """
        return self._fit_least_squares(X, y, sample_weight)
