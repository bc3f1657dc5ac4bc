"""Working-set coordinate descent (``solver="ws"``) for wide L1 fits.

The outer loop lives here; the epochs in ``csrc/_cd_ws.pxi``. Each outer
iteration:

1. takes the full gradient ``c = X_c^T S r / n`` and the duality gap of the
   whole problem (the residual, shrunk into the dual feasible set, is the
   dual point); stop once the gap is at most ``tol * yy``, the same rule
   and scale as the other CD solvers;
2. scores every feature by how far its dual constraint is from binding,
   ``(l1 - |c_j - l2 w_j| / s) / ||u_j||`` (``s >= 1`` the shrink factor):
   features near the boundary are the ones that may enter the support
   (the quantity gap-safe screening thresholds); the support always stays;
3. keeps the best-scored ``ws_size`` features, where ``ws_size`` starts at
   ``max(100, 1.3 |support|)``, never shrinks, follows ``1.3 |support|`` and
   doubles whenever an outer iteration cut the gap by less than 10%, so a
   set that is too small reaches the whole problem after O(log p) slow
   iterations at worst;
4. runs CD epochs on that working set only (with Anderson extrapolation)
   until its own duality gap is below a fraction of the outer gap.

``X`` is used as given (Fortran-ordered dense or CSC), centred implicitly.
``n_iter_`` counts the CD epochs (over working sets), so ``max_iter`` bounds
them as it bounds the full epochs of ``solver="cd"``.
"""

import numpy as np
import scipy.sparse as sp

from ._cd_fast import py_ws_gradient, py_ws_inner, py_ws_prepare
from ._squared_loss import _resolve_n_threads
from ._status import CONVERGED, MAX_ITER, NONFINITE

__all__ = ["fit_ws", "ws_preferred"]

# Below these sizes a working set saves too little to pay for the outer loop.
_MIN_FEATURES = 1000
_FIRST_WS = 100
# Room for new features beyond the support; measured on the bench cases,
# 1.3 |support| took 20-30% fewer epochs than 2 |support| (a larger set
# carries many zeros that CD and the extrapolation keep revisiting), 1.1 too
# many outer iterations.
_MULT = 1.3
# The set doubles when the last outer iteration cut the gap by less than
# this factor (the set was too small); else it only follows 1.3 |support|.
_SLOW_PROGRESS = 0.9
# The inner problem is solved until its gap is this fraction of the outer gap
# (looser wastes outer iterations, tighter wastes epochs on a set that grows).
_INNER_FRACTION = 0.3


def ws_preferred(estimator, problem):
    """Whether ``solver="auto"`` should pick ``"ws"``: a wide, cyclic L1 fit."""
    n, p = problem.X.shape
    precompute = estimator.precompute
    return (problem.l1 > 0 and estimator.selection == "cyclic" and p > n
            and p >= _MIN_FEATURES and precompute is not True
            and not hasattr(precompute, "__array__"))


def _dot(a, b):
    # not a BLAS call: OpenBLAS may run a long dot product on threads that
    # keep spinning afterwards and, on a busy machine, slow the next kernel
    return float(np.multiply(a, b).sum())


def _gap(w, grad, r2, ry, l1, l2, positive, n_samples):
    """Duality gap from the full gradient (same formula as ``_duality_gap``).

    Returns ``(gap, shrink)`` with ``shrink >= 1`` the factor the residual is
    divided by to become dual feasible.
    """
    ww = _dot(w, w)
    if l1 > 0:
        g = grad - l2 * w
        dual_norm = np.max(g if positive else np.abs(g)) if g.size else 0.0
        shrink = dual_norm / l1 if dual_norm > l1 else 1.0
        primal = 0.5 * (r2 + l2 * ww) + l1 * np.abs(w).sum()
        dual = -0.5 * (r2 + l2 * ww) / shrink ** 2 + ry / shrink
        return primal - dual, shrink
    if l2 > 0:
        g = np.maximum(grad, 0.0) if positive else grad
        return r2 + 0.5 * l2 * ww - ry + _dot(g, g) / (2.0 * l2), 1.0
    # no penalty: the squared gradient stands in, in the scale the CD loops use
    return n_samples * _dot(grad, grad), 1.0


def _working_set(w, grad, norms, shrink, l1, l2, positive, size):
    """The ``size`` best-scored features (support first), as sorted int32."""
    p = w.size
    if size >= p or l1 <= 0:
        return np.arange(p, dtype=np.int32)
    g = (grad - l2 * w) / shrink
    closeness = g if positive else np.abs(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (l1 - closeness) / np.sqrt(norms)
    score[norms == 0.0] = np.inf  # constant columns never help
    score[w != 0.0] = -np.inf
    ws = np.argpartition(score, size - 1)[:size]
    ws.sort()  # visit the columns in memory order
    return ws.astype(np.int32)


def _one_target(X, data, idx, ptr, y, s, m, sx, norms, w, problem, n_threads, verbose):
    """Outer loop for one target; ``w`` updated in place.

    ``X`` is the matrix (for the warm-start residual), ``data, idx, ptr`` what
    the kernels read (the F-ordered array and two Nones when dense).
    """
    n = X.shape[0]
    l1, l2, positive = problem.l1, problem.l2, problem.positive
    p = w.size
    inv_n = 1.0 / n
    sw = 1.0 if s is None else s
    yy = _dot(sw * y, y) * inv_n
    gap_tol = problem.tol * yy
    # centred residual of the start point
    if np.any(w):
        r = np.ascontiguousarray(y - (X @ w - m @ w), dtype=np.float64)
    else:
        r = y.copy()
    curves, epochs, ws_size, status, gap, prev_gap = [], 0, 0, MAX_ITER, np.nan, np.inf
    while True:
        grad = py_ws_gradient(data, idx, ptr, n, s, m, r, n_threads)
        sr = sw * r
        gap, shrink = _gap(w, grad, _dot(sr, r) * inv_n, _dot(sr, y) * inv_n, l1, l2,
                           positive, n)
        if not np.isfinite(gap):
            status = NONFINITE
            break
        if gap <= gap_tol:
            status = CONVERGED
            break
        if epochs >= problem.max_iter:
            break
        support = int(np.count_nonzero(w))
        grow = 2 if gap > _SLOW_PROGRESS * prev_gap else 1
        ws_size = min(p, max(_FIRST_WS, int(_MULT * support), grow * ws_size))
        prev_gap = gap
        ws = _working_set(w, grad, norms, shrink, l1, l2, positive, ws_size)
        # (solving a set that looks complete down to the final tolerance in
        # one go was tried: on the dense alpha_max/100 case the set was not
        # complete and it cost twice the epochs)
        target = max(_INNER_FRACTION * gap, 0.5 * gap_tol)
        budget = problem.max_iter - epochs
        if idx is None:
            # dense columns are contiguous already: CD walks the set in place
            st, k, inner_gap, curve = py_ws_inner(
                data, idx, ptr, n, y, s, m, sx, norms, ws, w, r, l1, l2, positive,
                budget, target, True)
        else:
            # a sparse column is a few scattered cache lines; gathering the
            # set into one compact CSC block lets the epochs stream it
            sub = X[:, ws]
            w_ws = w[ws]
            st, k, inner_gap, curve = py_ws_inner(
                sub.data, sub.indices, sub.indptr, n, y, s, m[ws], sx[ws], norms[ws],
                np.arange(ws.size, dtype=np.int32), w_ws, r, l1, l2, positive,
                budget, target, True)
            w[ws] = w_ws
        epochs += k
        curves.append(curve)
        if verbose:
            print(f"WS iteration: gap {gap:.3e}, working set {ws.size}, {k} epochs, "
                  f"inner gap {inner_gap:.3e}")
        if st == NONFINITE:
            status = NONFINITE
            gap = np.nan
            break
    curve = np.concatenate(curves) if curves else np.empty(0)
    return status, epochs, float(gap), curve


def fit_ws(estimator, problem):
    """Working-set CD, one target at a time; returns an ``_EnetResult``."""
    from ._cd_solvers import _EnetResult
    from ._cd_sparse import sparse_means

    if problem.seeds is not None:
        raise ValueError("solver='ws' visits coordinates cyclically; use "
                         "selection='cyclic' or solver='cd' for selection='random'.")
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    n = X.shape[0]
    s = None if sw is None else np.ascontiguousarray(sw, dtype=np.float64)
    if sp.issparse(X):
        X = X.tocsc() if X.format != "csc" else X
        data, idx, ptr = X.data, X.indices, X.indptr
        m = sparse_means(X, s, problem.fit_intercept)
    else:
        data, idx, ptr = np.asfortranarray(X), None, None  # no copy if already F-ordered
        if problem.fit_intercept:
            m = np.average(data, axis=0, weights=s).astype(np.float64)
        else:
            m = np.zeros(X.shape[1])
    if problem.fit_intercept:
        y_mean = np.average(Y, axis=0, weights=s).astype(np.float64)
    else:
        y_mean = np.zeros(Y.shape[1])
    m = np.ascontiguousarray(m)
    sx, norms = py_ws_prepare(data, idx, ptr, n, s, m)
    n_threads = _resolve_n_threads(None)
    coef = problem.coef_init.copy()
    runs = []
    for t in range(Y.shape[1]):
        y = np.ascontiguousarray(Y[:, t] - y_mean[t], dtype=np.float64)
        runs.append(_one_target(X if idx is not None else data, data, idx, ptr, y, s, m, sx,
                                norms, coef[t], problem, n_threads, problem.verbose))
    status, n_iter, gap, curve = (list(v) for v in zip(*runs))
    return _EnetResult(coef, m, y_mean, status, n_iter, gap, curve, "ws")
