"""Ridge regression: closed form, or compiled loops / LSQR for large problems."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._iterative import ITERATIVE_SOLVERS, POSITIVE_SOLVERS
from ._least_squares import GRAM, LOOP_CONSTRAINTS, LSQR, _DispatchLeastSquares, small_gram

__all__ = ["Ridge"]

#: scikit-learn's Ridge solver names, then fastgrad's own compiled loops.
SKLEARN_RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")
RIDGE_SOLVERS = SKLEARN_RIDGE_SOLVERS + tuple(s for s in ITERATIVE_SOLVERS if s != "lbfgs")


class Ridge(_DispatchLeastSquares):
    """Least squares with an L2 penalty, a drop-in for scikit-learn's ``Ridge``.

    Minimises ``sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||**2`` (the
    intercept ``b`` is not penalised). By default it solves the penalised
    normal equations, whose weighted centred Gram matrix comes from one
    compiled pass over ``X``; ``solver`` selects a compiled iterative loop
    instead.

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
        Iteration limit of the iterative solvers (None: 1000).
    tol : float, default=1e-4
        Stopping rule of the iterative solvers: the largest gradient entry of
        the objective divided by ``2 * sum_s`` (the mean form) at most
        ``tol``; LSQR's ``atol`` / ``btol`` for ``"lsqr"``. Unused by the
        closed form.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs", \
            "gd", "momentum", "nesterov", "newton"}, default="auto"
        scikit-learn's names, with its rules, each giving its model
        (``solver_`` reports the name; what runs may be a faster method with
        the same optimum). ``"auto"``: ``"lbfgs"`` if ``positive``, else
        ``"cholesky"`` (dense X) or ``"sparse_cg"`` (sparse X).
        ``"svd"``, ``"cholesky"``, ``"sparse_cg"``: the closed form from a
        (dense or sparse) Gram matrix up to 2000 features; beyond, and for
        ``"sag"`` / ``"saga"``, Jacobi-preconditioned conjugate gradients on
        the compiled (dense or CSR) pass. ``"lsqr"``: scipy's LSQR on the
        implicitly centred X. ``"lbfgs"`` with ``positive``: exact NNLS on
        the normal equations (projected accelerated gradient when
        ``max_iter`` is set or p is large); without ``positive`` (which
        scikit-learn refuses) fastgrad's compiled L-BFGS. On sparse X with an
        intercept, ``"svd"``, ``"cholesky"`` and ``"saga"`` raise, as in
        scikit-learn. fastgrad's own compiled loops: ``"gd"``,
        ``"momentum"``, ``"nesterov"``, ``"newton"``.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``; only with ``"auto"`` /
        ``"lbfgs"`` (as in scikit-learn), or fastgrad's ``"gd"`` /
        ``"nesterov"`` (projected gradient).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; no solver here is random (``"sag"`` /
        ``"saga"`` run a deterministic method).
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
        Coefficients, in the float dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept; 0.0 if ``fit_intercept=False``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations per target for ``"lsqr"``, ``"sag"``, ``"saga"`` and
        fastgrad's loops; None for ``"svd"``, ``"cholesky"``,
        ``"sparse_cg"`` and ``"lbfgs"`` with ``positive``, as scikit-learn
        reports.
    loss_curve_ : ndarray
        The objective (summed over targets) at each iteration; a single
        entry for the closed form.
    solver_ : str
        The solver used.

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
    >>> reg = Ridge(alpha=5.0, solver="nesterov", tol=1e-10).fit(X, y)
    >>> np.round(reg.coef_, 6), reg.n_iter_.shape
    (array([1.]), (1,))
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(RIDGE_SOLVERS))],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        **LOOP_CONSTRAINTS,
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
        learning_rate=None,
        momentum=None,
        verbose=0,
        warm_start=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.verbose = verbose
        self.warm_start = warm_start

    def _alphas(self, n_targets):
        alpha = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alpha.size == 0 or not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
            raise ValueError(
                f"Invalid alpha: {self.alpha!r}. alpha must be a finite number >= 0, "
                "or an array of one such number per target."
            )
        if alpha.size not in (1, n_targets):
            raise ValueError(
                "Number of targets and number of penalties do not correspond: "
                f"{alpha.size} != {n_targets}. Pass one alpha, or one per column of y."
            )
        return np.broadcast_to(alpha, (n_targets,)).copy()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite training data, dense or ``scipy.sparse`` (any format;
            used as CSR, never densified). float32 stays float32; other
            dtypes become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero. None means unit weights.

        Returns
        -------
        self : Ridge
            The fitted estimator.
        """
        return self._fit_least_squares(X, y, sample_weight)

    _ravel_single_target = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the solvers that refuse sparse X (with an intercept), as in scikit-learn
        tags.input_tags.sparse = not (
            self.solver == "svd" or (self.fit_intercept and self.solver in ("cholesky", "saga"))
        )
        return tags

    def _lsqr_tol(self):
        return self.tol

    def _plan(self, X):
        """``(solver_, engine, n_iter_ kind)`` for this X, with scikit-learn's rules.

        The engines: the closed form from the Gram matrix (dense or sparse)
        for the direct names while ``p`` is moderate; Jacobi-preconditioned
        conjugate gradients on the compiled (dense or CSR) pass for the
        stochastic names and for large ``p`` -- same optimum, fewer passes
        over X than SAG/SAGA or plain CG; LSQR on the centred operator for
        "lsqr"; exact NNLS or projected accelerated gradient for positive.
        """
        solver, sparse = self.solver, sp.issparse(X)
        if solver == "lbfgs" and not self.positive:
            # scikit-learn refuses this; fastgrad keeps its compiled L-BFGS
            # (a superset: no scikit-learn code is stopped by it)
            return solver, "loop:lbfgs", "array"
        if self.positive:
            if solver in POSITIVE_SOLVERS:
                return solver, "loop:" + solver, "array"
            if solver not in ("auto", "lbfgs"):
                raise ValueError(
                    f"solver='{solver}' does not support positive fitting. Please set the "
                    "solver to 'auto' or 'lbfgs' (or fastgrad's 'gd' / 'nesterov'), or set "
                    "`positive=False`"
                )
            # No iteration limit given: the exact NNLS solve of the normal
            # equations; otherwise a loop that honours max_iter.
            if self.max_iter is None and small_gram(X):
                return "lbfgs", GRAM, "none"
            return "lbfgs", "loop:nesterov", "none"
        if sparse and self.fit_intercept and solver in ("svd", "cholesky", "saga"):
            raise ValueError(
                f"solver='{solver}' does not support fitting the intercept on sparse data. "
                "Please set the solver to 'auto' or 'lsqr', 'sparse_cg', 'sag', 'lbfgs' "
                "or set `fit_intercept=False`"
            )
        if sparse and solver == "svd":
            raise TypeError(
                "SVD solver does not support sparse inputs currently: use solver='auto' "
                "(or 'sparse_cg', 'lsqr'), or pass X.toarray()."
            )
        if solver == "sag" and sparse and self.fit_intercept and self.max_iter is None and self.tol > 1e-4:
            warnings.warn(
                '"sag" solver requires many iterations to fit an intercept with sparse inputs '
                "in scikit-learn (fastgrad runs preconditioned conjugate gradients for it, "
                'which do not). Either set the solver to "auto" or "sparse_cg", or set a low '
                '"tol" and a high "max_iter" (especially if inputs are not standardized).',
                UserWarning,
            )
        if solver == "auto":
            solver = "sparse_cg" if sparse else "cholesky"
        if solver in ("svd", "cholesky", "sparse_cg"):
            return solver, GRAM if small_gram(X) else "loop:cg", "none"
        if solver == "lsqr":
            return solver, LSQR, "array"
        if solver in ("sag", "saga"):
            return solver, "loop:cg", "array"
        return solver, "loop:" + solver, "array"
