"""Weighted, centred Gram matrix and moment for closed-form least squares.

One pass over the rows of a C-contiguous ``X`` of shape ``(n, p)`` and
``Y`` of shape ``(n, k)`` with weights ``s`` (all ones when
``sample_weight`` is None) gives everything the normal equations need::

    sum_s  = sum_i s_i
    x_mean = sum_i s_i x_i / sum_s            y_mean likewise
    XtX    = sum_i s_i (x_i - x_mean)(x_i - x_mean)^T       (p, p)
    XtY    = sum_i s_i (x_i - x_mean)(y_i - y_mean)^T       (p, k)

(without centring, the plain sums ``sum_i s_i x_i x_i^T`` and
``sum_i s_i x_i y_i^T``).

How the centring is done in one pass. The pass accumulates *shifted* sums
around a pivot sample ``(x_0, y_0)`` -- row 0 of the data: with
``d_i = x_i - x_0``, ``e_i = y_i - y_0``::

    G = sum s d d^T,   C = sum s d e^T,   a = sum s d,   c = sum s e

and afterwards, in float64, ``XtX = G - a a^T / sum_s`` and
``XtY = C - a c^T / sum_s``. These identities hold for any pivot; the pivot
only matters for rounding. The textbook uncentred form (pivot 0) loses about
``log10((|mean| / spread)**2)`` digits to cancellation when the columns have
a large mean; a pivot taken from the data is within a few spreads of the
mean, so the subtraction above is of numbers of the same size as the result.

Layers, from the inside out (as in ``_squared_loss_fast``):

1. ``_add_row`` -- one sample: a rank-one update of the accumulators.
2. ``_accumulate_rows`` -- a serial loop over a range of rows.
3. ``_gram_pass`` -- splits the rows into blocks, runs them on OpenMP threads
   (one padded accumulator row per thread), then reduces in thread order.
4. ``py_weighted_gram`` -- Python hook: allocates, runs the pass, centres
   and returns numpy arrays (used by the estimators and the tests).

Kernels trust their inputs (contiguous, finite, matching shapes, weights
``>= 0`` with a positive sum); the checks live in
``fastgrad.linear_model._base``. Every product and sum is float64, also for
float32 data. Only the upper triangle of ``G`` is accumulated (it is
symmetric); the hook mirrors it.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free

import numpy as np


cdef enum:
    # Below this many multiply-adds (n * p * (p + k)) a thread launch costs
    # more than it saves, so the pass runs serially.
    SERIAL_MAX_WORK = 200_000
    # Rows per parallel block: enough work per prange iteration to hide its
    # scheduling cost, few enough that 2 threads get balanced shares.
    BLOCK_WORK = 262_144
    # Doubles per 64-byte cache line; each thread's row is padded to whole
    # lines so that no two threads write to the same line.
    LINE_DOUBLES = 8


# ---------------------------------------------------------------------------
# 1. one sample
# ---------------------------------------------------------------------------

cdef inline void _add_row(
    const floating* x,      # one row of X, p entries
    const floating* y,      # one row of Y, k entries
    double s,               # its weight (> 0)
    const double* x0,       # pivot row, p entries
    const double* y0,       # pivot target, k entries
    Py_ssize_t p,
    Py_ssize_t k,
    double* G,              # (p, p), upper triangle used
    double* C,              # (p, k)
    double* a,              # (p,)
    double* c,              # (k,)
    double* d,              # scratch, p entries
    double* e,              # scratch, k entries
) noexcept nogil:
    """Add ``s d d^T``, ``s d e^T``, ``s d`` and ``s e`` for one sample."""
    cdef Py_ssize_t i, j
    cdef double sd_i
    for j in range(p):
        d[j] = <double>x[j] - x0[j]
    for j in range(k):
        e[j] = <double>y[j] - y0[j]
        c[j] += s * e[j]
    for i in range(p):
        sd_i = s * d[i]
        a[i] += sd_i
        # Contiguous inner loops over the row of G / C: the compiler
        # vectorises them.
        for j in range(i, p):
            G[i * p + j] += sd_i * d[j]
        for j in range(k):
            C[i * k + j] += sd_i * e[j]


# ---------------------------------------------------------------------------
# 2. serial loop over rows [start, stop)
# ---------------------------------------------------------------------------

cdef inline Py_ssize_t _acc_len(Py_ssize_t p, Py_ssize_t k) noexcept nogil:
    """Reduced slots of one accumulator row: G, C, a, c, sum_s."""
    return p * p + p * k + p + k + 1


cdef inline Py_ssize_t _acc_stride(Py_ssize_t p, Py_ssize_t k) noexcept nogil:
    """One thread's row: the reduced slots plus scratch, in whole cache lines."""
    return (_acc_len(p, k) + p + k + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES


cdef void _accumulate_rows(
    const floating* X,
    const floating* Y,
    const floating* sw,     # NULL: unit weights
    const double* x0,
    const double* y0,
    Py_ssize_t p,
    Py_ssize_t k,
    Py_ssize_t start,
    Py_ssize_t stop,
    double* acc,            # one accumulator row (layout of _acc_len + scratch)
) noexcept nogil:
    cdef Py_ssize_t i
    cdef double s
    cdef double sum_s = 0.0
    cdef double* G = acc
    cdef double* C = G + p * p
    cdef double* a = C + p * k
    cdef double* c = a + p
    cdef double* d = acc + _acc_len(p, k)
    cdef double* e = d + p
    for i in range(start, stop):
        s = 1.0 if sw == NULL else <double>sw[i]
        if s == 0.0:
            # A zero weight removes the row from every sum; skip the work.
            continue
        _add_row(X + i * p, Y + i * k, s, x0, y0, p, k, G, C, a, c, d, e)
        sum_s += s
    acc[_acc_len(p, k) - 1] += sum_s


# ---------------------------------------------------------------------------
# 3. the pass over all rows, serial or on OpenMP threads
# ---------------------------------------------------------------------------

cdef inline bint _use_threads(
    Py_ssize_t n, Py_ssize_t p, Py_ssize_t k, int n_threads
) noexcept nogil:
    return n_threads > 1 and n * p * (p + k) >= SERIAL_MAX_WORK


cdef void _gram_pass(
    const floating* X,
    const floating* Y,
    const floating* sw,
    const double* x0,
    const double* y0,
    Py_ssize_t n,
    Py_ssize_t p,
    Py_ssize_t k,
    int n_threads,
    double* acc,            # n_threads rows of _acc_stride, zeroed, aligned
) noexcept nogil:
    """Shifted sums over all rows; the total ends up in the first row."""
    cdef Py_ssize_t stride = _acc_stride(p, k)
    cdef Py_ssize_t block_rows, n_blocks, blk, start, stop, j
    cdef Py_ssize_t length = _acc_len(p, k)
    cdef int t

    if not _use_threads(n, p, k, n_threads):
        _accumulate_rows(X, Y, sw, x0, y0, p, k, 0, n, acc)
        return

    block_rows = max(BLOCK_WORK // (p * (p + k)), 8)
    n_blocks = (n + block_rows - 1) // block_rows
    with parallel(num_threads=n_threads):
        # static: the split (and so the rounding) is fixed for n_threads.
        for blk in prange(n_blocks, schedule="static"):
            start = blk * block_rows
            stop = min(start + block_rows, n)
            _accumulate_rows(
                X, Y, sw, x0, y0, p, k, start, stop, acc + threadid() * stride
            )

    # Reduce in a fixed thread order: same n_threads -> same bits.
    for t in range(1, n_threads):
        for j in range(length):
            acc[j] += acc[t * stride + j]


# ---------------------------------------------------------------------------
# 4. Python hook
# ---------------------------------------------------------------------------

cdef object _run(
    const floating[:, ::1] X,
    const floating[:, ::1] Y,
    const floating[::1] sample_weight,
    bint center,
    int n_threads,
):
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], k = Y.shape[1]
    cdef Py_ssize_t stride, length, i, j
    cdef const floating* sw = NULL
    cdef double* raw
    cdef double* acc
    cdef double* x0
    cdef double* y0
    cdef double* G
    cdef double* C
    cdef double* a
    cdef double* c
    cdef double sum_s
    cdef double[:, ::1] xtx_v, xty_v
    cdef double[::1] xm_v, ym_v

    # Shape checks keep a misused hook from reading out of bounds; value
    # checks are the wrapper's job.
    if n < 1 or p < 1 or k < 1:
        raise ValueError(
            f"X and Y must be non-empty, got shapes ({n}, {p}) and ({Y.shape[0]}, {k})"
        )
    if Y.shape[0] != n:
        raise ValueError(f"Y has {Y.shape[0]} rows, X has {n}")
    if sample_weight is not None:
        if sample_weight.shape[0] != n:
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries, X has {n} rows")
        sw = &sample_weight[0]
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    if not _use_threads(n, p, k, n_threads):
        n_threads = 1

    stride = _acc_stride(p, k)
    length = _acc_len(p, k)
    # One allocation: thread rows, the pivot, and a line of slack for the
    # 64-byte alignment.
    raw = <double*>calloc(n_threads * stride + p + k + LINE_DOUBLES, sizeof(double))
    if raw == NULL:
        raise MemoryError()
    try:
        acc = <double*>((<uintptr_t>raw + 63) & ~(<uintptr_t>63))
        x0 = acc + n_threads * stride
        y0 = x0 + p
        if center:
            # Pivot = first sample (see the module docstring); without
            # centring the pivot stays 0 and the sums are the plain ones.
            for j in range(p):
                x0[j] = X[0, j]
            for j in range(k):
                y0[j] = Y[0, j]
        with nogil:
            _gram_pass(&X[0, 0], &Y[0, 0], sw, x0, y0, n, p, k, n_threads, acc)

        sum_s = acc[length - 1]
        if not sum_s > 0.0:
            raise ValueError("the sample weights sum to zero")
        G = acc
        C = G + p * p
        a = C + p * k
        c = a + p

        XtX = np.empty((p, p), dtype=np.float64)
        XtY = np.empty((p, k), dtype=np.float64)
        x_mean = np.empty(p, dtype=np.float64)
        y_mean = np.empty(k, dtype=np.float64)
        xtx_v, xty_v, xm_v, ym_v = XtX, XtY, x_mean, y_mean
        for i in range(p):
            xm_v[i] = x0[i] + a[i] / sum_s
        for j in range(k):
            ym_v[j] = y0[j] + c[j] / sum_s
        for i in range(p):
            for j in range(i, p):
                if center:
                    xtx_v[i, j] = G[i * p + j] - a[i] * a[j] / sum_s
                else:
                    xtx_v[i, j] = G[i * p + j]
                xtx_v[j, i] = xtx_v[i, j]
            for j in range(k):
                if center:
                    xty_v[i, j] = C[i * k + j] - a[i] * c[j] / sum_s
                else:
                    xty_v[i, j] = C[i * k + j]
        return XtX, XtY, x_mean, y_mean, sum_s
    finally:
        free(raw)


def py_weighted_gram(
    const floating[:, ::1] X,
    const floating[:, ::1] Y,
    const floating[::1] sample_weight=None,
    bint center=True,
    int n_threads=1,
):
    """Weighted Gram matrix and moment in one pass over ``X``.

    Test hook: no validation beyond shapes; the estimators call it after
    validating. ``X`` is ``(n, p)``, ``Y`` is ``(n, k)`` (reshape a 1-D
    target to ``(n, 1)``), both of the same float dtype.

    Returns ``(XtX, XtY, x_mean, y_mean, sum_s)``, all float64: with
    ``center=True`` the weighted *centred* ``X_c^T S X_c`` and
    ``X_c^T S Y_c``; with ``center=False`` the plain ``X^T S X`` and
    ``X^T S Y``. ``x_mean`` and ``y_mean`` are the weighted means either way.
    """
    return _run(X, Y, sample_weight, center, n_threads)
