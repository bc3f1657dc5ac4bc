"""``lasso_path`` and ``enet_path``: drop-ins for scikit-learn's, on compiled paths.

Same parameters, returns and objective as scikit-learn (1-D ``y``: one
elastic net; 2-D ``y``: the multi-task penalty ``l1 sum_j ||W_j||_2``). The
whole alpha grid runs in one compiled call (``_path_solve.run_path``) with
warm starts and working sets. As in scikit-learn the data are not centred
here (the CV estimators centre per fold).
"""

import sys
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Hidden, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_scalar

from ._base import canonical_sparse
from ._cd_solvers import nonfinite_error
from ._path_solve import path_kind, prepare_path_problem, run_path
from ._status import MAX_ITER, NONFINITE

__all__ = ["enet_path", "lasso_path"]

_TINY_ALPHA = np.finfo(np.float64).resolution
_PATH_PARAMS = {"tol", "max_iter", "random_state", "selection", "do_screening"}


def _alpha_grid(X, y, Xy=None, l1_ratio=1.0, fit_intercept=True, eps=1e-3, n_alphas=100,
                sample_weight=None, *, positive=False):
    """``n_alphas`` alphas from ``alpha_max`` down to ``eps * alpha_max``, log-spaced.

    ``alpha_max`` is the smallest penalty whose solution is all zeros: the
    largest (row) norm of ``X_c^T S y_c`` over ``sum(s) * l1_ratio``; with
    ``positive`` only the largest positive correlation counts. A degenerate
    problem (``alpha_max`` at rounding level) gets a constant tiny grid, as
    in scikit-learn.
    """
    if l1_ratio == 0:
        # the first two sentences are scikit-learn's, which its tests match
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid by providing your estimator with the appropriate "
            "`alphas=` argument. (With no L1 part no alpha makes every coefficient "
            "zero, so there is no alpha_max to start the grid from.)"
        )
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = X.shape[0] if s is None else s.sum()
    if Xy is None:
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if fit_intercept:
            Y = Y - np.average(Y, axis=0, weights=s)
        SY = Y if s is None else Y * s[:, None]
        Xy = np.asarray(X.T @ SY, dtype=np.float64)
        if fit_intercept:
            ones = np.ones(X.shape[0]) if s is None else s
            x_mean = np.asarray(X.T @ ones, dtype=np.float64).ravel() / total
            Xy = Xy - np.outer(x_mean, SY.sum(axis=0))
    Xy = np.asarray(Xy, dtype=np.float64).reshape(X.shape[1], -1)
    if positive:
        alpha_max = max(0.0, float(Xy.max(initial=0.0))) / (total * l1_ratio)
    else:
        alpha_max = float(np.sqrt(np.max(np.sum(Xy ** 2, axis=1), initial=0.0))) / (
            total * l1_ratio)
    if alpha_max <= _TINY_ALPHA:
        return np.full(n_alphas, _TINY_ALPHA)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _check_alphas(alphas, name="alphas"):
    """A user grid as float64; each entry, as given, a finite real >= 0.

    Entries are checked before any conversion, as scikit-learn checks them:
    a string is a TypeError naming its index, and -1 is reported as -1.
    """
    items = list(np.ravel(alphas)) if isinstance(alphas, np.ndarray) else (
        list(alphas) if isinstance(alphas, (list, tuple)) else [alphas])
    for index, value in enumerate(items):
        check_scalar(value, f"{name}[{index}]", target_type=Real, min_val=0.0, include_boundaries="left")
        if not np.isfinite(value):
            raise ValueError(f"{name}[{index}] == {value!r}, must be finite.")
    return np.asarray(items, dtype=np.float64).ravel()


def _resolve_grid_size(n_alphas, alphas):
    """scikit-learn 1.9's deprecation of ``n_alphas`` in favour of an int ``alphas``."""
    size = 100
    if n_alphas != "deprecated":
        # the first clause is scikit-learn's, which its tests match
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11 (as in "
            "scikit-learn): pass the number of alphas as `alphas=` instead.",
            FutureWarning, stacklevel=3,
        )
        size = n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        return size
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11 (as in "
            "scikit-learn 1.9), when the default becomes 100. Set 'alphas=100' to silence this "
            "warning.", FutureWarning, stacklevel=3,
        )
        return size
    return alphas


def _check_gram(X, gram, Xy, p, check_input):
    """A user's Gram matrix (and ``Xy``) as float64, spot-checked against ``X``."""
    G = np.asarray(gram, dtype=np.float64)
    if G.shape != (p, p) or not np.isfinite(G).all():
        raise ValueError(
            f"precompute must be a finite (n_features, n_features) = ({p}, {p}) Gram "
            f"matrix X.T @ X, got an array of shape {G.shape}.")
    if check_input:
        a, b = p // 2, min(p // 2 + 1, p - 1)
        expected = float(np.dot(X[:, a], X[:, b]))
        if not np.isclose(expected, G[a, b], rtol=1e-4 if X.dtype == np.float32 else 1e-7,
                          atol=1e-5):
            raise ValueError(
                f"The Gram matrix in precompute did not pass validation: entry ({a}, {b}) "
                f"is {G[a, b]!r} but X gives {expected!r}. Pass X.T @ X of the data "
                "as given to the path, or precompute=True.")
    if Xy is not None:
        Xy = np.asarray(Xy, dtype=np.float64)
        if Xy.shape[0] != p or not np.isfinite(Xy).all():
            raise ValueError(f"Xy must be a finite array with {p} rows (X.T @ y), got "
                             f"shape {Xy.shape}.")
    return G, Xy


def _validate_path_data(X, y):
    """Finite float32/64 ``X`` (dense, or canonical CSC) and ``y`` of X's dtype."""
    original = X
    X = check_array(X, accept_sparse="csc", dtype=[np.float64, np.float32],
                    accept_large_sparse=True, input_name="X")
    if sp.issparse(X):
        X = canonical_sparse(X, original)
    if sp.issparse(y):
        y = y.toarray()
    y = check_array(y, dtype=X.dtype.type, ensure_2d=False, input_name="y")
    if y.ndim > 2 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape (n_samples,) or (n_samples, n_targets) with n_samples = "
            f"{X.shape[0]} as X, got shape {y.shape}.")
    return X, y


_PATH_CONSTRAINTS = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like", "sparse matrix"],
    "eps": [Interval(Real, 0, None, closed="neither")],
    "n_alphas": [Interval(Integral, 1, None, closed="left"), Hidden(StrOptions({"deprecated"}))],
    "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None,
               Hidden(StrOptions({"warn"}))],
    "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
    "Xy": ["array-like", None],
    "copy_X": ["boolean"],
    "coef_init": ["array-like", None],
    "verbose": ["verbose"],
    "return_n_iter": ["boolean"],
    "positive": ["boolean"],
}


@validate_params(
    {**_PATH_CONSTRAINTS, "l1_ratio": [Interval(Real, 0, 1, closed="both")],
     "check_input": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated", alphas="warn",
              precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
              return_n_iter=False, positive=False, check_input=True, **params):
    """Elastic-net path by compiled coordinate descent, as scikit-learn's ``enet_path``.

    For 1-D ``y`` minimises, at each alpha::

        1 / (2 n) ||y - X w||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio) / 2 ||w||^2

    and for 2-D ``y`` the multi-task objective with ``||W||_21`` (the sum of
    the L2 norms of each feature's coefficients) in place of ``||w||_1``.
    ``X`` is not centred. Each alpha starts from the previous solution, and
    CD runs over a working set (the support plus the features the strong
    rule keeps, grown by the violated optimality conditions) until the
    duality gap of the whole problem is at most ``tol * ||y||^2 / n``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Finite training data; float32 stays float32. Sparse X is read as CSC
        and never densified (except for 2-D ``y``, see Notes).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets.
    l1_ratio : float, default=0.5
        Share of the L1 penalty in ``[0, 1]``; the automatic grid needs ``> 0``.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default="deprecated"
        Deprecated in scikit-learn 1.9: the grid size is now ``alphas=int``.
    alphas : int, array-like or None, default=100 (``"warn"``)
        An int: the size of the automatic grid. An array: the alphas (sorted
        in decreasing order when there are several). None: 100, with a
        FutureWarning, as in scikit-learn.
    precompute : "auto", bool or array of shape (n_features, n_features), default="auto"
        Use a Gram matrix (``X.T @ X``; computed when True, or for "auto" when
        ``n_samples > n_features``). Ignored for sparse X and 2-D ``y``.
    Xy : array-like of shape (n_features,) or (n_features, n_targets), default=None
        ``X.T @ y``, used with a Gram matrix.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), default=None
        Start of the first alpha (zeros by default).
    verbose : bool or int, default=False
        Print a line per alpha (``> 1``) or a dot per alpha (1).
    return_n_iter : bool, default=False
        Also return the epochs run per alpha.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0`` (1-D ``y`` only).
    check_input : bool, default=True
        If False, skip the spot check of a user Gram matrix; the arrays are
        always validated.
    **params
        ``tol`` (1e-4), ``max_iter`` (1000 epochs per alpha), ``selection``
        ("cyclic" or "random"), ``random_state``, ``do_screening`` (True:
        working sets; False: every epoch visits every feature).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps at the end of each alpha, objective scale.
    n_iters : list of int
        Epochs per alpha, if ``return_n_iter``.

    Notes
    -----
    Sparse ``X`` with 2-D ``y`` is densified for the multi-task loop.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model import enet_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    >>> y = X @ np.array([2.0, -1.0])
    >>> alphas, coefs, gaps = enet_path(X, y, l1_ratio=0.8, alphas=3)
    >>> coefs.shape
    (2, 3)
    >>> bool(np.all(coefs[:, 0] == 0))
    True
    """
    size = _resolve_grid_size(n_alphas, alphas)
    unknown = set(params) - _PATH_PARAMS
    if unknown:
        raise ValueError("Unexpected parameters in params", sorted(unknown))
    tol = params.get("tol", 1e-4)
    max_iter = params.get("max_iter", 1000)
    selection = params.get("selection", "cyclic")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"selection should be either 'random' or 'cyclic', got {selection!r}.")
    if not (isinstance(max_iter, Integral) and max_iter >= 1):
        raise ValueError(f"max_iter must be an int >= 1, got {max_iter!r}.")
    if not (isinstance(tol, Real) and tol >= 0):
        raise ValueError(f"tol must be a float >= 0, got {tol!r}.")
    X, y = _validate_path_data(X, y)
    n, p = X.shape
    multi_task = y.ndim == 2
    if multi_task and positive:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    k = Y.shape[1]

    if multi_task and sp.issparse(X):
        X = X.toarray()  # the multi-task loop is dense only
    kind = path_kind(X, precompute, multi_task)
    gram = None
    if kind == "gram" and hasattr(precompute, "__array__"):
        gram, Xy = _check_gram(X, precompute, Xy, p, check_input)
    elif kind == "gram" and Xy is not None:
        _, Xy = _check_gram(X, np.zeros((p, p)), Xy, p, False)
    else:
        Xy = None

    if isinstance(size, Integral):
        grid = _alpha_grid(X, Y if multi_task else y, Xy=Xy, l1_ratio=l1_ratio,
                           fit_intercept=False, eps=eps, n_alphas=size, positive=positive)
    else:
        grid = _check_alphas(size)
        if grid.shape[0] > 1:
            grid = np.sort(grid)[::-1]

    if coef_init is None:
        coef0 = np.zeros((k, p))
    else:
        coef0 = np.array(coef_init, dtype=np.float64, ndmin=2)
        if coef0.shape != (k, p):
            raise ValueError(f"coef_init must have shape {(p,) if not multi_task else (k, p)}, "
                             f"got {np.shape(coef_init)}.")
    seeds = None
    if selection == "random":
        rng = check_random_state(params.get("random_state"))
        seeds = [int(v) for v in rng.randint(1, np.iinfo(np.int32).max, size=k)]

    problem = prepare_path_problem(X, Y, None, False, kind, gram=gram, Xy=Xy)
    result = run_path(problem, grid, l1_ratio, coef0, max_iter=max_iter, tol=tol,
                      positive=positive, seeds=seeds, multi_task=multi_task,
                      screening=bool(params.get("do_screening", True)))
    _report_path(result.status, result.gaps, verbose)

    coefs = result.coefs.astype(X.dtype, copy=False)
    if not multi_task:
        coefs = coefs[0]
    gaps = result.gaps[0].copy()
    if return_n_iter:
        return grid, coefs, gaps, [int(v) for v in result.n_iters[0]]
    return grid, coefs, gaps


def _report_path(status, gaps, verbose):
    """Raise for a diverged path, warn once for unconverged alphas, print progress."""
    if np.any(status == NONFINITE):
        raise nonfinite_error()
    if verbose:
        for i in range(status.shape[1]):
            if verbose > 1:
                print(f"Path: {i:03d} out of {status.shape[1]:03d}")
            else:
                sys.stderr.write(".")
    bad = np.flatnonzero(np.any(status == MAX_ITER, axis=0))
    if bad.size:
        warnings.warn(
            "Objective did not converge. You might want to increase the number of "
            "iterations, check the scale of the features or consider increasing "
            f"regularisation. Duality gap: {np.max(gaps[:, bad]):.3e} at the worst of "
            f"{bad.size} unconverged alpha(s) of {status.shape[1]}.",
            ConvergenceWarning, stacklevel=3,
        )


@validate_params(_PATH_CONSTRAINTS, prefer_skip_nested_validation=True)
def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn", precompute="auto",
               Xy=None, copy_X=True, coef_init=None, verbose=False, return_n_iter=False,
               positive=False, **params):
    """Lasso path by compiled coordinate descent, as scikit-learn's ``lasso_path``.

    ``enet_path`` with ``l1_ratio=1``: minimises ``1/(2n) ||y - Xw||^2 +
    alpha ||w||_1`` (2-D ``y``: ``alpha ||W||_21``) along the alpha grid. All
    parameters and returns as in :func:`enet_path`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model import lasso_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    >>> y = X @ np.array([2.0, -1.0])
    >>> alphas, coefs, gaps = lasso_path(X, y, alphas=[0.5, 0.1, 0.01])
    >>> np.round(coefs[:, -1], 2)
    array([ 1.98, -0.97])
    """
    size = _resolve_grid_size(n_alphas, alphas)
    return enet_path(X, y, l1_ratio=1.0, eps=eps, alphas=size, precompute=precompute, Xy=Xy,
                     copy_X=copy_X, coef_init=coef_init, verbose=verbose,
                     return_n_iter=return_n_iter, positive=positive, **params)
