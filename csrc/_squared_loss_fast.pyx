"""Fused least-squares loss and gradient: one pass over the rows of ``X``.

For a C-contiguous ``X`` of shape ``(n, p)``, weights ``s`` (all ones when
``sample_weight`` is None), coefficients ``w`` and intercept ``b``::

    r_i    = x_i . w + b - y_i
    loss   = 0.5 * sum_i s_i r_i**2 / sum_i s_i + 0.5 * alpha * ||w||**2
    grad_w = sum_i s_i r_i x_i / sum_i s_i + alpha * w
    grad_b = sum_i s_i r_i / sum_i s_i

Layers, from the inside out (after scikit-learn's ``_loss``):

1. ``_sample_residual`` -- one sample: ``r_i`` from one row of ``X``;
   ``_dot8`` / ``_axpy8`` do the same work for eight rows at once.
2. ``_accumulate_rows`` -- a serial loop over a range of rows that adds the
   weighted sums into one accumulator row (eight rows per step, one row at a
   time for the remainder).
3. ``_fused_pass`` -- splits the rows into blocks, runs the blocks on OpenMP
   threads (each thread owns one accumulator row), then reduces the rows.
4. ``py_squared_loss_gradient`` / ``py_squared_loss`` -- Python hooks that
   allocate the buffers and call the kernel (used by the wrapper and tests).

The kernels trust their inputs (contiguous, finite, matching shapes); every
check lives in ``fastgrad._squared_loss``. All products and sums are carried
in float64, also for float32 data, so float32 only costs input precision.

Speed notes. The loops are written plainly so that the C compiler vectorises
them; setup.py allows it to reorder floating-point sums (-fassociative-math),
which is what lets it vectorise the dot products. The result is deterministic
for a given build and thread count, but not bit-identical to numpy. For large
X the pass is bound by memory bandwidth; the prefetch keeps the next rows
streaming in while the current ones are being multiplied.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free

import numpy as np


cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int fastgrad_openmp_max_threads(void) { return omp_get_max_threads(); }
    static int fastgrad_openmp_enabled(void) { return 1; }
    #else
    static int fastgrad_openmp_max_threads(void) { return 1; }
    static int fastgrad_openmp_enabled(void) { return 0; }
    #endif
    """
    int fastgrad_openmp_max_threads() noexcept nogil
    int fastgrad_openmp_enabled() noexcept nogil


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define fastgrad_prefetch(addr) __builtin_prefetch((const void *)(addr))
    #else
    #define fastgrad_prefetch(addr) ((void)0)
    #endif
    """
    void fastgrad_prefetch(const void* addr) noexcept nogil


cdef enum:
    # Below this many entries of X (n * p) a thread launch costs more than it
    # saves, so the pass runs serially.
    SERIAL_MAX_WORK = 50_000
    # Rows per parallel block: ~256 KiB of X, so one prange iteration is long
    # enough to hide its scheduling cost (rounded to a multiple of 8 rows).
    BLOCK_BYTES = 262_144
    # Prefetch X this far ahead of the rows being processed (measured best of
    # 2/4/8 KiB on a 2-core EPYC: 4 KiB, ~1.5x faster than none at 200k x 50).
    PREFETCH_BYTES = 4096
    # Doubles per 64-byte cache line; accumulator rows are padded to whole
    # lines so two threads never write to the same line (no false sharing).
    LINE_DOUBLES = 8
    # Slots after the p gradient entries in an accumulator row.
    SUM_R = 0       # sum_i s_i r_i
    SUM_R2 = 1      # sum_i s_i r_i**2
    SUM_S = 2       # sum_i s_i
    N_EXTRA = 3


# ---------------------------------------------------------------------------
# 1. one sample, and eight samples at once
# ---------------------------------------------------------------------------

cdef inline double _dot(
    const floating* x, const double* w, Py_ssize_t p
) noexcept nogil:
    """x . w in float64."""
    cdef double total = 0.0
    cdef Py_ssize_t j
    for j in range(p):
        total += <double>x[j] * w[j]
    return total


cdef inline double _sample_residual(
    const floating* x_row, double y, const double* w, double b, Py_ssize_t p
) noexcept nogil:
    """Residual r_i = x_i . w + b - y_i of one sample."""
    return _dot(x_row, w, p) + b - y


cdef inline void _axpy(
    double a, const floating* x, double* acc, Py_ssize_t p
) noexcept nogil:
    """acc += a * x."""
    cdef Py_ssize_t j
    for j in range(p):
        acc[j] += a * <double>x[j]


cdef inline void _dot8(
    const floating* x, Py_ssize_t p, const double* w, double* out
) noexcept nogil:
    """out[k] = x_k . w for the eight rows x_0..x_7 that start at ``x``.

    Eight rows share each load of ``w``, and eight independent sums keep the
    adders busy instead of waiting on each other's latency (one row at a time
    is ~1.5x slower).
    """
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    cdef double a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0
    cdef double wj
    cdef Py_ssize_t j
    for j in range(p):
        wj = w[j]
        a0 += <double>x[j] * wj
        a1 += <double>x[p + j] * wj
        a2 += <double>x[2 * p + j] * wj
        a3 += <double>x[3 * p + j] * wj
        a4 += <double>x[4 * p + j] * wj
        a5 += <double>x[5 * p + j] * wj
        a6 += <double>x[6 * p + j] * wj
        a7 += <double>x[7 * p + j] * wj
    out[0] = a0
    out[1] = a1
    out[2] = a2
    out[3] = a3
    out[4] = a4
    out[5] = a5
    out[6] = a6
    out[7] = a7


cdef inline void _axpy8(
    const double* a, const floating* x, Py_ssize_t p, double* acc
) noexcept nogil:
    """acc += sum_k a[k] * x_k over the eight rows that start at ``x``.

    One load and store of ``acc`` per column for eight rows, not eight.
    """
    cdef double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3]
    cdef double a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7]
    cdef Py_ssize_t j
    for j in range(p):
        acc[j] += (
            (a0 * <double>x[j] + a1 * <double>x[p + j])
            + (a2 * <double>x[2 * p + j] + a3 * <double>x[3 * p + j])
        ) + (
            (a4 * <double>x[4 * p + j] + a5 * <double>x[5 * p + j])
            + (a6 * <double>x[6 * p + j] + a7 * <double>x[7 * p + j])
        )


# ---------------------------------------------------------------------------
# 2. serial loop over rows [start, stop)
# ---------------------------------------------------------------------------

cdef void _accumulate_rows(
    const floating* X,
    const floating* y,
    const floating* sw,     # NULL: unit weights (no vector of ones is read)
    const double* w,
    double b,
    Py_ssize_t p,
    Py_ssize_t start,
    Py_ssize_t stop,
    bint with_grad,
    double* acc,            # p gradient slots, then N_EXTRA sums
) noexcept nogil:
    """Add the weighted sums of rows [start, stop) into ``acc``."""
    cdef Py_ssize_t i, k
    cdef Py_ssize_t stop8 = start + (stop - start) // 8 * 8
    cdef double d[8]
    cdef double sr[8]
    cdef double r, s
    # The scalar sums stay in registers during the loop; kept in acc they
    # would be reloaded after every axpy (acc may alias, as far as gcc knows).
    cdef double sum_r = 0.0, sum_r2 = 0.0, sum_s = 0.0
    cdef const char* ahead
    cdef Py_ssize_t off, step_bytes = 8 * p * <Py_ssize_t>sizeof(floating)

    for i in range(start, stop8, 8):
        # One prefetch per cache line of the rows PREFETCH_BYTES ahead; x86
        # and ARM prefetches never fault, even past the end of X.
        ahead = <const char*>(X + i * p) + PREFETCH_BYTES
        for off in range(0, step_bytes, 64):
            fastgrad_prefetch(ahead + off)
        _dot8(X + i * p, p, w, d)
        for k in range(8):
            r = d[k] + b - <double>y[i + k]
            s = 1.0 if sw == NULL else <double>sw[i + k]
            sr[k] = s * r
            sum_r += sr[k]
            sum_r2 += sr[k] * r
            sum_s += s
        if with_grad:
            _axpy8(sr, X + i * p, p, acc)

    for i in range(stop8, stop):
        r = _sample_residual(X + i * p, <double>y[i], w, b, p)
        s = 1.0 if sw == NULL else <double>sw[i]
        sum_r += s * r
        sum_r2 += s * r * r
        sum_s += s
        if with_grad:
            _axpy(s * r, X + i * p, acc, p)

    acc[p + SUM_R] += sum_r
    acc[p + SUM_R2] += sum_r2
    acc[p + SUM_S] += sum_s


# ---------------------------------------------------------------------------
# 3. the pass over all rows, serial or on OpenMP threads
# ---------------------------------------------------------------------------

cdef inline Py_ssize_t _acc_stride(Py_ssize_t p) noexcept nogil:
    """Length of one thread's accumulator row, rounded up to whole cache lines."""
    return (p + N_EXTRA + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES


cdef inline bint _use_threads(Py_ssize_t n, Py_ssize_t p, int n_threads) noexcept nogil:
    return n_threads > 1 and n * p >= SERIAL_MAX_WORK


cdef void _fused_pass(
    const floating* X,
    const floating* y,
    const floating* sw,
    const double* w,
    double b,
    Py_ssize_t n,
    Py_ssize_t p,
    int n_threads,
    bint with_grad,
    double* acc,            # n_threads rows of _acc_stride(p), zeroed, 64-byte aligned
) noexcept nogil:
    """Sums over all rows; the total ends up in the first row of ``acc``."""
    cdef Py_ssize_t stride = _acc_stride(p)
    cdef Py_ssize_t block_rows, n_blocks, blk, start, stop, j
    cdef int t

    if not _use_threads(n, p, n_threads):
        _accumulate_rows(X, y, sw, w, b, p, 0, n, with_grad, acc)
        return

    # a multiple of 8 rows, so only the last block has a remainder
    block_rows = max(BLOCK_BYTES // (p * <Py_ssize_t>sizeof(floating)) // 8 * 8, 8)
    n_blocks = (n + block_rows - 1) // block_rows
    with parallel(num_threads=n_threads):
        # static: each thread gets one contiguous run of blocks, so the split
        # (and thus the rounding) is fixed for a given n_threads.
        for blk in prange(n_blocks, schedule="static"):
            start = blk * block_rows
            stop = min(start + block_rows, n)
            _accumulate_rows(
                X, y, sw, w, b, p, start, stop, with_grad,
                acc + threadid() * stride,
            )

    # Reduce in a fixed thread order: same n_threads -> same bits.
    for t in range(1, n_threads):
        for j in range(p + N_EXTRA):
            acc[j] += acc[t * stride + j]


# ---------------------------------------------------------------------------
# 4. Python hooks
# ---------------------------------------------------------------------------

def openmp_max_threads():
    """Threads an OpenMP region would use by default (1 without OpenMP)."""
    return fastgrad_openmp_max_threads()


def openmp_enabled():
    """Whether this extension was compiled with OpenMP."""
    return bool(fastgrad_openmp_enabled())


cdef object _run(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight,
    double intercept,
    double alpha,
    int n_threads,
    bint with_grad,
):
    """Allocate the buffers, run the pass, turn the sums into the results."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t stride = _acc_stride(p), j
    cdef const floating* sw = NULL
    cdef double* raw
    cdef double* acc
    cdef double* w
    cdef double sum_s, w_sq = 0.0, loss
    cdef floating[::1] grad_view

    # Shape checks are cheap here and keep a misused hook from reading
    # out of bounds; value checks (finite, weights > 0) are the wrapper's.
    if n < 1 or p < 1:
        raise ValueError(f"X must have at least one row and one column, got shape ({n}, {p})")
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} entries, X has {n} rows")
    if coef.shape[0] != p:
        raise ValueError(f"coef has {coef.shape[0]} entries, X has {p} columns")
    if sample_weight is not None:
        if sample_weight.shape[0] != n:
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries, X has {n} rows")
        sw = &sample_weight[0]
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    if not _use_threads(n, p, n_threads):
        n_threads = 1

    # One allocation: thread accumulators + a float64 copy of coef; the extra
    # line of slack is used to align the accumulators to 64 bytes.
    raw = <double*>calloc(n_threads * stride + p + LINE_DOUBLES, sizeof(double))
    if raw == NULL:
        raise MemoryError()
    try:
        acc = <double*>((<uintptr_t>raw + 63) & ~(<uintptr_t>63))
        w = acc + n_threads * stride
        for j in range(p):
            w[j] = coef[j]
            w_sq += w[j] * w[j]
        with nogil:
            _fused_pass(&X[0, 0], &y[0], sw, w, intercept, n, p, n_threads, with_grad, acc)

        sum_s = acc[p + SUM_S]
        loss = 0.5 * acc[p + SUM_R2] / sum_s + 0.5 * alpha * w_sq
        if not with_grad:
            return loss
        grad = np.empty(p, dtype=np.float32 if floating is float else np.float64)
        grad_view = grad
        for j in range(p):
            grad_view[j] = <floating>(acc[j] / sum_s + alpha * w[j])
        return loss, grad, acc[p + SUM_R] / sum_s
    finally:
        free(raw)


def py_squared_loss_gradient(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight=None,
    double intercept=0.0,
    double alpha=0.0,
    int n_threads=1,
):
    """Fused loss and gradient; returns ``(loss, grad_coef, grad_intercept)``.

    Test hook: no validation beyond shapes. Use
    ``fastgrad._squared_loss.squared_loss_gradient`` instead.
    ``grad_coef`` has the dtype of ``X``; ``loss`` and ``grad_intercept`` are
    Python floats.
    """
    return _run(X, y, coef, sample_weight, intercept, alpha, n_threads, True)


def py_squared_loss(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight=None,
    double intercept=0.0,
    double alpha=0.0,
    int n_threads=1,
):
    """Loss only (the same pass without the gradient accumulation)."""
    return _run(X, y, coef, sample_weight, intercept, alpha, n_threads, False)
