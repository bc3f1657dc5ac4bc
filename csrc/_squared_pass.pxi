# The fused least-squares pass over the rows of X, shared by every module that
# needs it (``include "_squared_pass.pxi"``): the loss-and-gradient hook in
# ``_squared_loss_fast`` and the solver loops in ``_solvers_fast``.
#
# The including module must cimport ``floating`` (cython), ``parallel``,
# ``prange`` and ``threadid`` (cython.parallel). See the docstring of
# ``_squared_loss_fast.pyx`` for the formulas and the layers.


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
