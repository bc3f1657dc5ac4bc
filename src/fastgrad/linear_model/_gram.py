"""Weighted, centred Gram matrix and moment in one blocked pass over ``X``.

For ``X`` of shape ``(n, p)``, ``Y`` of shape ``(n, k)`` and weights ``s``
(all ones when ``sample_weight`` is None) this gives what the normal
equations, Newton's method and Gram-based coordinate descent need::

    sum_s  = sum_i s_i
    x_mean = sum_i s_i x_i / sum_s            y_mean likewise
    XtX    = sum_i s_i (x_i - x_mean)(x_i - x_mean)^T       (p, p)
    XtY    = sum_i s_i (x_i - x_mean)(y_i - y_mean)^T       (p, k)

(without centring, the plain sums ``sum_i s_i x_i x_i^T`` and
``sum_i s_i x_i y_i^T``).

How. ``X`` is read once, in blocks of rows small enough to stay in cache.
Each block is shifted by a pivot row -- row 0 of the data -- scaled by
``sqrt(s_i)`` and handed to BLAS (``D.T @ D`` is a symmetric rank-k update).
Afterwards ``XtX = G - a a^T / sum_s`` with ``G = sum s d d^T`` and
``a = sum s d`` for the shifted rows ``d``; this identity holds for any
pivot. The textbook uncentred form (pivot 0) loses about
``log10((|mean| / spread)**2)`` digits to cancellation when the columns have
a large mean; a pivot from the data is within a few spreads of the mean.

BLAS rather than a hand-written loop: a measured 3x less CPU time than the
compiled rank-one-update kernel this replaced (register blocking is BLAS's
trade), and its threads do the parallel part. Blocks are converted to
float64, so float32 data only costs the rounding of its inputs.
"""

import contextlib

import numpy as np
from threadpoolctl import threadpool_limits

from .._threads import blas_single_threaded

__all__ = ["weighted_gram"]

#: Below this many features the blocked products are too thin for BLAS
#: threads to pay (measured at p=50: 34 ms with 2 threads, 36 ms with 1), and
#: with another process on the second core 2 spinning BLAS threads took up
#: to 2 s; so the pass runs on one BLAS thread.
THREADED_MIN_FEATURES = 256
#: ... but only for passes of at least this many multiply-adds (n p^2): the
#: first threadpoolctl call scans the loaded libraries (~20 ms), more than a
#: small fit costs, and OpenBLAS runs small products on one thread anyway.
LIMIT_MIN_WORK = 1 << 24

# Bytes of one float64 block: fits in L2 with room for the products.
_BLOCK_BYTES = 1 << 20


def _blas_threads(n, p, n_jobs):
    """The BLAS thread limit for a pass over an ``(n, p)`` X (see the constants)."""
    if n_jobs is not None:
        return threadpool_limits(limits=n_jobs if n_jobs > 0 else None, user_api="blas")
    if p < THREADED_MIN_FEATURES and n * p * p >= LIMIT_MIN_WORK:
        return blas_single_threaded()
    return contextlib.nullcontext()


def weighted_gram(X, Y, sample_weight=None, center=True, n_jobs=None):
    """``(XtX, XtY, x_mean, y_mean, sum_s)`` in float64 from one pass over ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Finite float32 or float64 data (validated by the caller).
    Y : ndarray of shape (n, k)
        Finite targets.
    sample_weight : ndarray of shape (n,) or None
        Non-negative weights with a positive sum; None means ones.
    center : bool
        Centre around the weighted means (else plain sums; the means are
        returned either way).
    n_jobs : int or None
        BLAS threads (-1: all); None: one thread for thin, large passes,
        else BLAS's own setting.
    """
    n, p = X.shape
    if Y.ndim != 2 or Y.shape[0] != n:
        raise ValueError(f"Y must be 2-D with {n} rows (one per row of X), got shape {Y.shape}")
    k = Y.shape[1]
    if sample_weight is not None:
        if sample_weight.shape != (n,):
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries, X has {n} rows")
        sum_s = float(np.sum(sample_weight, dtype=np.float64))
        if not sum_s > 0:
            raise ValueError("sample_weight must not sum to zero")
    else:
        sum_s = float(n)
    x0 = X[0].astype(np.float64) if center else np.zeros(p)
    y0 = Y[0].astype(np.float64) if center else np.zeros(k)
    with _blas_threads(n, p, n_jobs):
        G, C, a, c = _blocked_sums(X, Y, sample_weight, x0, y0)

    # symmetrise: BLAS fills both triangles, but rounding of the two halves
    # may differ by an ulp and Cholesky reads only one
    G = 0.5 * (G + G.T)
    if not center:
        return G, C, a / sum_s, c / sum_s, sum_s
    x_shift = a / sum_s
    y_shift = c / sum_s
    XtX = G - np.outer(a, x_shift)
    XtY = C - np.outer(a, y_shift)
    return XtX, XtY, x0 + x_shift, y0 + y_shift, sum_s


def _blocked_sums(X, Y, sample_weight, x0, y0):
    """Shifted sums ``G = sum s d d^T``, ``C = sum s d e^T``, ``a``, ``c`` over row blocks."""
    n, p = X.shape
    G = np.zeros((p, p))
    C = np.zeros((p, Y.shape[1]))
    a = np.zeros(p)
    c = np.zeros(Y.shape[1])
    rows = int(min(max(_BLOCK_BYTES // (8 * max(p, 1)), 64), n))
    for start in range(0, n, rows):
        D = np.subtract(X[start:start + rows], x0, dtype=np.float64)
        E = np.subtract(Y[start:start + rows], y0, dtype=np.float64)
        if sample_weight is None:
            G += D.T @ D
            C += D.T @ E
            a += D.sum(axis=0)
            c += E.sum(axis=0)
        else:
            s = sample_weight[start:start + rows].astype(np.float64)
            root = np.sqrt(s)[:, None]
            D *= root
            E *= root
            G += D.T @ D
            C += D.T @ E
            a += root[:, 0] @ D
            c += root[:, 0] @ E
    return G, C, a, c


def curvature_gram(X, H, center, n_jobs=None):
    """Curvature-weighted Gram matrices of the centred rows, one pass over ``X``.

    For ``H`` of shape ``(n, q)`` (any real weights, negative ones included:
    the off-diagonal class blocks of a multinomial Hessian are negative)
    and the centring vector ``m = center``::

        G[t] = sum_i H[i, t] (x_i - m)(x_i - m)^T     (q, p, p)
        a[t] = sum_i H[i, t] (x_i - m)                (q, p)
        s[t] = sum_i H[i, t]                          (q,)

    These are the blocks of the Hessian of a GLM objective in the centred
    coordinates the solver loops use. Returns float64 ``(G, a, s)``.
    """
    n, p = X.shape
    if H.ndim != 2 or H.shape[0] != n:
        raise ValueError(f"H must be 2-D with {n} rows (one per row of X), got shape {H.shape}")
    q = H.shape[1]
    m = np.asarray(center, dtype=np.float64)
    G = np.zeros((q, p, p))
    a = np.zeros((q, p))
    s = np.asarray(H.sum(axis=0), dtype=np.float64)
    rows = int(min(max(_BLOCK_BYTES // (8 * max(p, 1)), 64), n))
    with _blas_threads(n, p * q, n_jobs):
        for start in range(0, n, rows):
            D = np.subtract(X[start:start + rows], m, dtype=np.float64)
            Hb = H[start:start + rows]
            a += Hb.T @ D
            for t in range(q):
                G[t] += (D * Hb[:, t:t + 1]).T @ D
    G = 0.5 * (G + G.transpose(0, 2, 1))
    return G, a, s


def sparse_weighted_gram(X, Y, sample_weight=None, center=True):
    """``weighted_gram`` for a scipy.sparse ``X``, without densifying ``X``.

    The plain weighted sums ``G = X^T S X`` and ``X^T S Y`` come from sparse
    products (a dense ``(p, p)`` result, so this is for moderate ``p``); the
    centring is the rank-one correction ``G - sum_s m m^T`` (and likewise for
    ``X^T S Y``) with ``m`` the weighted column means, so the sparsity of
    ``X`` is never destroyed by subtracting the means.
    """
    n, p = X.shape
    Y = np.asarray(Y, dtype=np.float64)
    X = X.astype(np.float64)
    if sample_weight is None:
        s = np.ones(n)
    else:
        s = np.asarray(sample_weight, dtype=np.float64)
    sum_s = float(s.sum())
    if not sum_s > 0:
        raise ValueError("sample_weight must not sum to zero")
    SX = X.multiply(s[:, None]).tocsr() if sample_weight is not None else X
    G = np.asarray((X.T @ SX).toarray(), dtype=np.float64)
    C = np.asarray(SX.T @ Y, dtype=np.float64)
    x_mean = np.asarray(SX.sum(axis=0), dtype=np.float64).ravel() / sum_s
    y_mean = (s @ Y) / sum_s
    G = 0.5 * (G + G.T)
    if not center:
        return G, C, x_mean, y_mean, sum_s
    XtX = G - sum_s * np.outer(x_mean, x_mean)
    XtY = C - sum_s * np.outer(x_mean, y_mean)
    return XtX, XtY, x_mean, y_mean, sum_s
