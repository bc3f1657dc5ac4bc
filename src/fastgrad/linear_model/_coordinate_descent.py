"""Lasso and ElasticNet on compiled coordinate descent (``csrc/_cd_fast.pyx``).

Python side: validate, normalise the sample weights, build the problem the
chosen solver needs, run it per target, and turn its status codes into
warnings / errors. Solvers are looked up in ``_SOLVER_FITS``: another
solver (e.g. ``"fista"``) joins by adding ``name -> fit function`` there;
each fit function takes ``(estimator, problem)`` and returns an
``_EnetResult``.
"""

import warnings
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._cd_fast import py_gram_cd, py_residual_cd
from .._squared_loss import _resolve_n_threads
from ._base import _FLOAT_DTYPES, _gram, _reject_sparse, _validate_fit_data
from ._iterative import fit_least_squares
from ._status import CONVERGED, MAX_ITER, NONFINITE, check_status

__all__ = ["ElasticNet", "Lasso"]

# Above this many features the p x p Gram matrix stops paying off: its pass
# costs n p^2 / 2 multiply-adds, as much as ~p / 4 residual epochs, and CD
# typically needs tens to a few hundred epochs.
_GRAM_MAX_FEATURES = 512

_EnetProblem = namedtuple(
    "_EnetProblem",
    "X Y sample_weight fit_intercept l1 l2 coef_init max_iter tol positive seeds verbose",
)
_EnetProblem.__doc__ = """Everything a solver needs, validated.

``X`` (n, p) C-contiguous float32/64; ``Y`` (n, k); ``sample_weight`` None
or normalised to sum to n; ``l1``, ``l2`` the penalties of the mean-scale
objective; ``coef_init`` (k, p) float64; ``seeds`` one int per target
(None for cyclic selection).
"""

_EnetResult = namedtuple("_EnetResult", "coef x_mean y_mean status n_iter gap loss_curve variant")
_EnetResult.__doc__ = """A solver's answer: ``coef`` (k, p) float64, ``x_mean``
(p,), ``y_mean`` (k,), then one ``status``, ``n_iter``, ``gap`` and
``loss_curve`` per target, and a label of how it was solved (``variant``)."""


def _cd_variant(estimator, n_samples, n_features):
    """``"gram"`` or ``"residual"``: which CD loop runs (see the class docs)."""
    precompute = estimator.precompute
    if precompute is True or hasattr(precompute, "__array__"):
        return "gram"
    if precompute is False and estimator.solver == "cd":
        return "residual"
    tall = n_samples > n_features and n_features <= _GRAM_MAX_FEATURES
    return "gram" if tall else "residual"


def _user_gram(estimator, problem, x_mean):
    """The ``precompute`` array as float64, or None to recompute it.

    As in scikit-learn, it must be the Gram matrix of the centred data (with
    weights normalised to sum to n_samples); one entry is checked.
    """
    X, p = problem.X, problem.X.shape[1]
    G = np.asarray(estimator.precompute, dtype=np.float64)
    if G.shape != (p, p) or not np.isfinite(G).all():
        raise ValueError(
            f"precompute must be a finite (n_features, n_features) = ({p}, {p}) Gram "
            f"matrix, got an array of shape {G.shape}."
        )
    if problem.fit_intercept and not np.allclose(x_mean, 0.0):
        warnings.warn(
            "Gram matrix was provided but X is centred to fit the intercept: "
            "recomputing the Gram matrix.", UserWarning, stacklevel=4,
        )
        return None
    a, b = p // 2, min(p // 2 + 1, p - 1)
    s = 1.0 if problem.sample_weight is None else problem.sample_weight
    expected = np.sum(s * (X[:, a] - x_mean[a]) * (X[:, b] - x_mean[b]))
    rtol = 1e-4 if X.dtype == np.float32 else 1e-7
    if not np.isclose(expected, G[a, b], rtol=rtol, atol=1e-5):
        raise ValueError(
            "The Gram matrix passed in precompute does not match X: entry "
            f"({a}, {b}) is {G[a, b]!r} but X gives {expected!r}. Pass "
            "X_c.T @ X_c of the centred data, or precompute=True."
        )
    return G


def _fit_cd(estimator, problem):
    """Coordinate descent, Gram or residual variant, one target at a time."""
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    n, p = X.shape
    variant = _cd_variant(estimator, n, p)
    n_threads = _resolve_n_threads(None)
    common = (problem.l1, problem.l2)
    coef = problem.coef_init.copy()
    if variant == "gram":
        # one blocked BLAS pass over X (it dominates a tall fit's time)
        XtX, XtY, x_mean, y_mean = _gram(X, Y, sw, problem.fit_intercept)
        if hasattr(estimator.precompute, "__array__"):
            G = _user_gram(estimator, problem, x_mean)
            XtX = XtX if G is None else G
        Yc = Y - y_mean if problem.fit_intercept else Y
        # y^T S y per target in float64; the Gram pass does not return it.
        SYc = Yc if sw is None else sw[:, None] * Yc
        yy = np.einsum("ik,ik->k", SYc, Yc, dtype=np.float64) / n
        Q, q = XtX / n, XtY / n
        runs = [
            py_gram_cd(Q, np.ascontiguousarray(q[:, t]), yy[t], coef[t], *common, n,
                       problem.max_iter, problem.tol, problem.positive,
                       problem.seeds is not None, problem.seeds[t] if problem.seeds else 0,
                       problem.verbose)
            for t in range(Y.shape[1])
        ]
    else:
        s = None if sw is None else sw.astype(np.float64)
        if problem.fit_intercept:
            x_mean = np.average(X, axis=0, weights=s).astype(np.float64)
            y_mean = np.average(Y, axis=0, weights=s).astype(np.float64)
        else:
            x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
        # Centred, sqrt(weight)-scaled copy in column order (the input is
        # never modified); the arithmetic is float64, the storage X's dtype.
        Xw = np.empty((n, p), dtype=X.dtype, order="F")
        np.subtract(X, x_mean, out=Xw, casting="same_kind")
        root = None if s is None else np.sqrt(s)
        if root is not None:
            np.multiply(Xw, root[:, None], out=Xw, casting="same_kind")
        runs = []
        for t in range(Y.shape[1]):
            yw = Y[:, t] - y_mean[t]
            yw = np.ascontiguousarray(yw if root is None else yw * root, dtype=np.float64)
            runs.append(
                py_residual_cd(Xw, yw, coef[t], *common, problem.max_iter, problem.tol,
                               problem.positive, problem.seeds is not None,
                               problem.seeds[t] if problem.seeds else 0, n_threads,
                               problem.verbose)
            )
    status, n_iter, gap, curve = (list(v) for v in zip(*runs))
    return _EnetResult(coef, x_mean, y_mean, status, n_iter, gap, curve, variant)


def _enet_gap(X, y, sw, w, l1, l2, positive, fit_intercept):
    """Duality gap of the mean-scale elastic net at ``w`` (one pass over X).

    On the centred problem (weights ``s`` summing to n), take the residual
    ``r`` as the dual point and ``c = X_c^T S r / n``. With ``l2 > 0`` the
    penalty's conjugate is ``sum_j (|c_j| - l1)_+^2 / (2 l2)`` (only
    ``c_j > l1`` counts with ``positive``), so any ``r`` is feasible; for the
    Lasso (``l2 = 0``) ``r`` is shrunk until ``max |c| <= l1``.
    """
    n = X.shape[0]
    s = np.ones(n) if sw is None else np.asarray(sw, np.float64)
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=s)
        y = y - np.average(y, weights=s)
    else:
        x_mean = np.zeros(X.shape[1])
    r = y - (X @ w - x_mean @ w)
    sr = s * r
    c = (X.T @ sr - x_mean * sr.sum()) / n
    rr = sr @ r / n
    ry = sr @ y / n
    primal = 0.5 * rr + l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)
    if l2 > 0:
        excess = np.maximum((c if positive else np.abs(c)) - l1, 0.0)
        dual = ry - 0.5 * rr - excess @ excess / (2.0 * l2)
    else:
        dual_norm = np.max(c) if positive else np.max(np.abs(c))
        scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
        dual = scale * ry - 0.5 * scale * scale * rr
    return primal - dual


def _fit_fista(estimator, problem):
    """Accelerated proximal gradient (FISTA, adaptive restart) from ``_solvers_fast``.

    Stops when the gradient mapping is at most ``tol * sqrt(yy)`` in
    max-norm (``yy`` the weighted variance of y): the same scaling in y as
    CD's ``tol * yy`` for the duality gap, whose square root it mirrors.
    """
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    k = Y.shape[1]
    coef = problem.coef_init.copy()
    intercepts = np.zeros(k)
    statuses, iters, gaps, curves = [], [], [], []
    for t in range(k):
        y = Y[:, t].astype(np.float64)
        yy = np.average((y - np.average(y, weights=sw)) ** 2, weights=sw) if problem.fit_intercept \
            else np.average(y * y, weights=sw)
        # a warm start gives coefficients only; the intercept restarts at its
        # optimum for them (the loop's centred start does that)
        w, b, status, n_iter, curve, _ = fit_least_squares(
            estimator, X, Y[:, t], sw, alpha=problem.l2, l1=problem.l1,
            fit_intercept=problem.fit_intercept, solver="nesterov",
            max_iter=problem.max_iter, tol=problem.tol * np.sqrt(max(yy, np.finfo(float).tiny)),
            positive=problem.positive, verbose=problem.verbose,
            warm_coef=coef[t] if np.any(coef[t]) else None,
            warm_intercept=None,
        )
        coef[t], intercepts[t] = w, b
        statuses.append(status)
        iters.append(n_iter)
        curves.append(curve)
        gaps.append(_enet_gap(X, y, sw, w, problem.l1, problem.l2, problem.positive,
                              problem.fit_intercept))
    # intercept = y_mean - coef @ x_mean with x_mean = 0 reproduces b
    return _EnetResult(coef, np.zeros(X.shape[1]), intercepts, statuses, iters, gaps, curves, "fista")


# Solver registry: "auto" resolves to one of these (see _resolve_solver).
_SOLVER_FITS = {"cd": _fit_cd, "fista": _fit_fista}
_SOLVERS = {"auto"} | set(_SOLVER_FITS)


def _resolve_solver(estimator):
    # CD is faster than FISTA on every shape measured (its Gram loop costs
    # nothing per epoch once X^T X exists), so "auto" means "cd".
    return "cd" if estimator.solver == "auto" else estimator.solver


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
    max_iter : int, default=1000
        Maximum number of epochs (passes over all coordinates), ``>= 1``.
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
    solver : {"auto", "cd", "fista"}, default="auto"
        "cd": coordinate descent, loop chosen by ``precompute`` as above.
        "fista": accelerated proximal gradient with adaptive restart, one
        fused pass over ``X`` per iteration (the compiled loop shared with
        ``Ridge(solver="nesterov")``); stops when the gradient mapping is at
        most ``tol * std(y)`` in max-norm. ``dual_gap_`` is computed at the end.
        "auto": "cd" with the fastest loop for the data shape.
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
        The solver that ran ("cd").
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
        "max_iter": [Interval(Integral, 1, None, closed="left")],
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
        X : array-like of shape (n_samples, n_features)
            Dense, finite training data (``scipy.sparse`` is not supported
            yet). float32 stays float32; other dtypes become float64.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite targets; each column is fitted separately.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero; rescaled to sum to
            n_samples (the objective does not change). None: unit weights.
        check_input : bool, default=True
            Accepted for compatibility; fastgrad always validates.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.alpha == 0:
            warnings.warn(
                "alpha=0 is plain least squares, for which coordinate descent converges "
                "slowly; use LinearRegression instead.", UserWarning, stacklevel=2,
            )
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight)
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
        problem = _EnetProblem(
            X, Y, sample_weight, self.fit_intercept, self.alpha * self.l1_ratio,
            self.alpha * (1.0 - self.l1_ratio), coef_init, self.max_iter, self.tol,
            self.positive, seeds, int(self.verbose),
        )
        solver = _resolve_solver(self)
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
        """Raise for a diverged target, warn (once) for an unconverged one."""
        for status, n_iter in zip(result.status, result.n_iter):
            if status == NONFINITE:
                check_status(self, status, n_iter, max_iter=self.max_iter, solver=solver,
                             unit="epochs",
                             hint="X or y hold values so large that the objective "
                                  "overflows; rescale them (e.g. StandardScaler).")
        worst = max(result.status)
        if worst == MAX_ITER:
            check_status(self, worst, self.max_iter, max_iter=self.max_iter, solver=solver,
                         unit="epochs")
        elif worst != CONVERGED:
            check_status(self, worst, max(result.n_iter), max_iter=self.max_iter,
                         solver=solver, unit="epochs")

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
        X : array-like of shape (n_samples, n_features)
            Dense, finite samples with as many features as seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        _reject_sparse(X, "X", self)
        X = validate_data(self, X, accept_sparse=False, dtype=_FLOAT_DTYPES, reset=False)
        return X @ self.coef_.T + self.intercept_


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
