"""Lasso and ElasticNet on compiled coordinate descent (``csrc/_cd_fast.pyx``).

Python side: validate, normalise the sample weights, build the problem the
chosen solver needs (``_cd_solvers``; sparse X: ``_cd_sparse``), run it per
target, and turn its status codes into scikit-learn's warnings / errors.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _validate_fit_data, linear_predict
from ._cd_solvers import (
    _SOLVER_FITS, _SOLVERS, _EnetProblem, _enet_gap, _resolve_solver, nonfinite_error,
)
from ._status import CONVERGED, MAX_ITER, NONFINITE, check_status

__all__ = ["ElasticNet", "Lasso"]

# re-exported for the tests that call it by its old home
_enet_gap = _enet_gap

_DEFAULT_MAX_ITER = 1000


class ElasticNet(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Linear regression with L1 + L2 penalties, a drop-in for scikit-learn's.

    Minimises, per target, with sample weights ``s`` (default all ones)::

        1 / (2 * sum(s)) * sum_i s_i (y_i - x_i . w - b)**2
            + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||_2**2

    by compiled coordinate descent (CD), with the same stopping rule as
    scikit-learn: once an epoch's largest coefficient change is at most
    ``tol`` times the largest coefficient, stop if the duality gap is at
    most ``tol * sum_i s_i (y_i - mean(y))**2 / sum(s)``.

    Two CD loops exist. The *Gram* loop takes one compiled, multi-threaded
    pass over ``X`` for the weighted centred ``X^T X`` and ``X^T y``, then
    cycles over the ``p x p`` matrix only: each epoch costs ``O(p^2)``,
    whatever ``n_samples``. The *residual* loop works on a column-ordered,
    centred copy of ``X`` (``O(n p)`` per epoch, no ``p x p`` matrix).
    For scipy.sparse ``X`` a third loop runs over the CSC columns, centred
    implicitly (``O(nnz)`` per epoch; ``X`` is never densified).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, ``>= 0``. ``alpha=0`` is least squares (better
        solved by ``LinearRegression``; a warning says so).
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in ``[0, 1]``: 1 is the Lasso, 0 ridge.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept; the data are centred.
    precompute : bool, "auto" or array of shape (n_features, n_features), default=False
        True or a Gram array: use the Gram loop (an array must be
        ``X_c.T @ X_c`` of the centred data, weights rescaled to sum to
        ``n_samples``; with ``fit_intercept`` and non-centred ``X`` it is
        recomputed, as in scikit-learn). False: with ``solver="cd"`` use the
        residual loop as scikit-learn would; with ``solver="auto"`` it does
        not forbid the Gram loop, which gives the same solution faster on
        tall data. "auto": fastgrad's rule, Gram loop if ``n_samples >
        n_features`` and ``n_features <= 512``, else residual.
    max_iter : int or None, default=1000
        Maximum number of epochs (passes over all coordinates), ``>= 1``;
        None means 1000.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified, whatever the value.
    tol : float, default=1e-4
        Tolerance of the stopping rule above, ``>= 0``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` instead of zeros.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order, or draw one at random (with
        replacement) each step; "random" is deterministic for an int seed.
    solver : {"auto", "cd", "fista", "ws"}, default="auto"
        "cd": coordinate descent, loop chosen by ``precompute`` as above.
        "fista": accelerated proximal gradient with adaptive restart, one
        fused pass over ``X`` per iteration (the compiled loop shared with
        ``Ridge(solver="nesterov")``); stops when the gradient mapping is at
        most ``tol * std(y)`` in max-norm. ``dual_gap_`` is computed at the end.
        "ws": working-set CD for wide L1 fits: an outer loop takes the full
        gradient and the duality gap, keeps the features closest to
        entering the support (about 1.3 times the support, never shrinking,
        doubled when an outer step lowers the gap by less than 10%), and
        runs CD epochs with Anderson extrapolation on those only. Same
        stopping rule and ``dual_gap_`` as "cd"; ``n_iter_`` counts its
        (working-set) epochs. Reads an F-ordered dense ``X`` or CSC ``X``
        in place. Needs ``selection="cyclic"``.
        "auto": "ws" for a wide L1 fit (``n_features > n_samples``,
        ``n_features >= 1000``, ``l1_ratio * alpha > 0``, cyclic selection,
        no Gram matrix asked for), else "cd" with the fastest loop for the
        data shape.
    verbose : int, default=0
        If > 0, print the epoch, objective, largest update and (when
        computed) the duality gap after every epoch.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the float dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept; 0.0 if ``fit_intercept=False``.
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a scipy.sparse CSR matrix.
    n_iter_ : int or list of int
        Epochs run (one per target for 2-D ``y``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end (objective scale).
    loss_curve_ : ndarray of shape (n_iter_,) or list of such arrays
        Objective after each epoch (one array per target for 2-D ``y``).
    solver_ : str
        The solver that ran ("cd", "fista" or "ws"; "auto" resolved).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model._coordinate_descent import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> reg = ElasticNet(alpha=0.01, l1_ratio=0.5, tol=1e-10).fit(X, y)
    >>> np.round(reg.coef_, 3)
    array([1.988, 0.   ])
    >>> round(float(reg.intercept_), 3)
    1.018
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions(_SOLVERS)],
        "verbose": ["verbose"],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", solver="auto", verbose=0):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data. float32 stays float32; other dtypes become
            float64. Sparse X (any scipy.sparse format, int32 or int64
            indices) is converted once to CSC and never densified: the
            compiled CD centres its columns implicitly; ``precompute`` is
            then ignored, as in scikit-learn.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets; each column is fitted separately.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero; rescaled to sum to
            n_samples (the objective does not change). None: unit weights.
        check_input : bool, default=True
            Accepted for compatibility; fastgrad always validates (X in any
            memory order is accepted, and never modified).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised "
                "to use the LinearRegression estimator (alpha=0 is plain least "
                "squares).", UserWarning, stacklevel=2,
            )
        # "ws" reads columns: keep an F-ordered X as it is (the other solvers
        # get a C-ordered one below)
        X, y, sample_weight = _validate_fit_data(
            self, X, y, sample_weight, accept_sparse="csc",
            order=None if self.solver in ("auto", "ws") else "C")
        n, p = X.shape
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        k = Y.shape[1]
        if sample_weight is not None:
            # Same objective, and the gap / tol then scale as scikit-learn's.
            scale = n / sample_weight.sum(dtype=np.float64)
            sample_weight = (sample_weight * scale).astype(X.dtype)
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = np.array(self.coef_, dtype=np.float64, ndmin=2)
            if coef_init.shape != (k, p):
                raise ValueError(
                    f"warm_start=True but the previous coef_ has shape {np.shape(self.coef_)}, "
                    f"which does not fit X with {p} features and y with {k} target(s). "
                    "Set warm_start=False or refit with data of the same shape."
                )
        else:
            coef_init = np.zeros((k, p))
        seeds = None
        if self.selection == "random":
            rng = check_random_state(self.random_state)
            seeds = [int(s) for s in rng.randint(1, np.iinfo(np.int32).max, size=k)]
        max_iter = _DEFAULT_MAX_ITER if self.max_iter is None else self.max_iter
        problem = _EnetProblem(
            X, Y, sample_weight, self.fit_intercept, self.alpha * self.l1_ratio,
            self.alpha * (1.0 - self.l1_ratio), coef_init, max_iter, self.tol,
            self.positive, seeds, int(self.verbose),
        )
        solver = _resolve_solver(self, problem)
        if solver != "ws" and not sp.issparse(X) and not X.flags.c_contiguous:
            problem = problem._replace(X=np.ascontiguousarray(X))
        result = _SOLVER_FITS[solver](self, problem)
        self._check_result(result, solver)

        coef = result.coef
        intercept = result.y_mean - coef @ result.x_mean
        dtype = X.dtype
        if y.ndim == 1:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0]) if self.fit_intercept else 0.0
            self.n_iter_ = result.n_iter[0]
            self.dual_gap_ = dtype.type(result.gap[0])
            self.loss_curve_ = result.loss_curve[0]
        else:
            self.coef_ = coef.astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
            self.n_iter_ = result.n_iter
            self.dual_gap_ = np.asarray(result.gap, dtype=dtype)
            self.loss_curve_ = result.loss_curve
        self.solver_ = solver
        self._cd_variant = result.variant
        return self

    def _check_result(self, result, solver):
        """Raise for a diverged target, warn (once) for an unconverged one.

        The texts start as scikit-learn's, so code matching them keeps working.
        """
        if NONFINITE in result.status or not all(np.isfinite(c).all() for c in result.coef):
            raise nonfinite_error()
        unconverged = [t for t, st in enumerate(result.status) if st == MAX_ITER]
        if unconverged:
            t = unconverged[0]
            warnings.warn(
                "Objective did not converge. You might want to increase the number of "
                "iterations, check the scale of the features or consider increasing "
                f"regularisation. Duality gap: {result.gap[t]:.3e} after "
                f"{result.n_iter[t]} epochs of solver {solver!r} "
                f"(max_iter={self.max_iter}, tol={self.tol}).",
                ConvergenceWarning, stacklevel=3,
            )
        for status, n_iter in zip(result.status, result.n_iter):
            if status not in (CONVERGED, MAX_ITER):
                check_status(self, status, n_iter, max_iter=self.max_iter, solver=solver,
                             unit="epochs")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # every solver takes scipy.sparse X
        return tags

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix (2-D)."""
        check_is_fitted(self)
        coef = sp.csr_array(np.atleast_2d(self.coef_))
        try:  # scikit-learn's choice of csr_array / csr_matrix (private helper)
            from sklearn.utils._sparse import _align_api_if_sparse
        except ImportError:  # pragma: no cover - older scikit-learn
            return sp.csr_matrix(coef)
        return _align_api_if_sparse(coef)

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite samples with as many features as seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        return linear_predict(self, X)


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty, a drop-in for scikit-learn's ``Lasso``.

    ``ElasticNet`` with ``l1_ratio=1``: minimises, per target::

        1 / (2 * sum(s)) * sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||_1

    All parameters, attributes and the choice of coordinate-descent loop are
    as in :class:`ElasticNet` (see there), without ``l1_ratio``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model._coordinate_descent import Lasso
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> reg = Lasso(alpha=0.1).fit(X, y)
    >>> np.round(reg.coef_, 3)
    array([1.92, 0.  ])
    >>> reg.predict(np.array([[4.0, 0.0]])).round(3)
    array([8.8])
    """

    _parameter_constraints: dict = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", solver="auto", verbose=0):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, precompute=precompute,
            max_iter=max_iter, copy_X=copy_X, tol=tol, warm_start=warm_start,
            positive=positive, random_state=random_state, selection=selection,
            solver=solver, verbose=verbose,
        )
