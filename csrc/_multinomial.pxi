# Multinomial logistic regression as an ``Objective`` (included last by
# ``_solvers_fast.pyx``; uses the kernels of ``_squared_pass.pxi``).
#
# K classes, the symmetric parametrisation (one weight vector per class, all
# of them penalised, as in scikit-learn)::
#
#     eta_ik = (x_i - m) . W_k + c_k
#     f(W, c) = sum_i s_i (logsumexp_k eta_ik - eta_{i, y_i}) / sum_s
#               + 0.5 * l2 * ||W||_F**2
#
# Like ``SquaredObjective`` the centring by ``m`` is algebraic: the pass reads
# the raw rows with the raw intercepts ``b_k = c_k - m . W_k`` and corrects
# the gradient by ``-m * sum_i r_ik`` afterwards, so X is never copied.
#
# One pass over X per evaluation: for each block of eight rows (which stay in
# L1) the K scores come from K ``_dot8`` calls, the softmax of the eight rows
# runs in vectorised loops over an 8 x K scratch (``_mn_block``, with its own
# vectorisable exp), and the K pointwise gradients go back through K
# ``_axpy8`` calls into a per-thread accumulator. Threads take contiguous
# runs of row blocks and their accumulators are summed in a fixed order, as
# in ``_squared_pass.pxi``.

from libc.math cimport INFINITY, exp, log


cdef enum:
    # Rows per chunk of the exact Hessian: bounds its per-sample weights to
    # HESSIAN_CHUNK_ROWS * K (K + 1) / 2 doubles (3 MiB at K = 3).
    HESSIAN_CHUNK_ROWS = 65_536
    # What the multinomial row pass computes.
    MN_VALUE = 0    # the loss alone (no axpys)
    MN_GRAD = 1     # loss and gradient sums
    MN_BOUND = 2    # Boehning's bound times a vector: a linear pointwise map


cdef extern from *:
    """
    #include <string.h>
    /* exp(x) in place, for softmax scores minus their row maximum (x <= 0),
       written so that gcc vectorises the loop: glibc's exp is a call per
       value, which made the softmax cost as much as the K products.
       x = k ln2 + r with |r| <= ln2 / 2 (k by truncation: x <= 0, so
       trunc(x / ln2 - 1/2) rounds to nearest), Cody-Waite split of ln2,
       Taylor to degree 13 (truncation error < 1e-17 relative) evaluated
       by Estrin's scheme: Horner's chain of 13 dependent multiply-adds was
       latency-bound, 1.7x slower in a microbenchmark. Measured within
       2 ulp of glibc on [-708, 0].
       Below -708 (where the result would leave the normal range) the
       argument is clamped: exp(-708) = 3e-308 instead of a smaller number,
       irrelevant next to the row's maximum term 1 (likewise above 709,
       though a shifted score is never positive). NaN stays NaN; the integer
       conversion reads a copy with NaN replaced, so it never sees one.
       setup.py's -fassociative-math would fold the Cody-Waite split back
       into one product (1e-13 relative error at x = -600), so gcc compiles
       this function without it; nothing here is a reduction it would help. */
    #if defined(__GNUC__) && !defined(__clang__)
    #define FG_MN_EXACT_ORDER __attribute__((optimize("no-associative-math")))
    #else
    #define FG_MN_EXACT_ORDER
    #endif
    FG_MN_EXACT_ORDER static void fg_mn_exp(double *x, Py_ssize_t n) {
        const double log2e = 1.4426950408889634074;
        const double ln2_hi = 6.93147180369123816490e-01;
        const double ln2_lo = 1.90821492927058770002e-10;
        for (Py_ssize_t i = 0; i < n; ++i) {
            double v = x[i];
            double safe = v >= -708.0 ? (v <= 709.0 ? v : 709.0) : -708.0;  /* NaN -> -708 */
            double xr = v < -708.0 ? -708.0 : (v > 709.0 ? 709.0 : v);      /* NaN stays */
            int k = (int)(safe * log2e - 0.5);
            double kf = (double)k;
            double r = (xr - kf * ln2_hi) - kf * ln2_lo;
            double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
            /* sum_{j <= 13} r^j / j!, the coefficients pairwise */
            double c01 = 1.0 + r;
            double c23 = 1.0 / 2.0 + r * (1.0 / 6.0);
            double c45 = 1.0 / 24.0 + r * (1.0 / 120.0);
            double c67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
            double c89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
            double c1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
            double c1213 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
            double lo = (c01 + r2 * c23) + r4 * (c45 + r2 * c67);
            double hi = (c89 + r2 * c1011) + r4 * c1213;
            long long bits = ((long long)k + 1023) << 52;
            double scale;
            memcpy(&scale, &bits, sizeof scale);
            x[i] = (lo + r8 * hi) * scale;
        }
    }
    """
    void fg_mn_exp(double* x, Py_ssize_t n) noexcept nogil


cdef inline double _mn_block(
    double* e, Py_ssize_t nr, Py_ssize_t K, const double* b,
    const Py_ssize_t* y, const double* s, int mode, double* rsum,
) noexcept nogil:
    """The pointwise step of ``nr <= 8`` samples.

    On entry ``e[8 k + r]`` holds x_r . W_k (no intercept) for sample r.
    MN_GRAD overwrites it with ``s_r (p_rk - [k == y_r])`` and adds those into
    ``rsum[k]``; MN_BOUND with ``0.5 s_r (u_rk - mean_k u_rk)``. Returns the
    weighted loss ``sum_r s_r (logsumexp_k eta_rk - eta_{r, y_r})`` (0 for
    MN_BOUND). The loops over r are the vectorised ones.
    """
    cdef Py_ssize_t k, r
    cdef double u, loss = 0.0
    cdef double mx[8]
    cdef double t[8]
    for k in range(K):
        for r in range(nr):
            e[8 * k + r] += b[k]
    if mode == MN_BOUND:
        for r in range(nr):
            t[r] = 0.0
        for k in range(K):
            for r in range(nr):
                t[r] += e[8 * k + r]
        for r in range(nr):
            t[r] /= K
        for k in range(K):
            for r in range(nr):
                e[8 * k + r] = 0.5 * s[r] * (e[8 * k + r] - t[r])
                rsum[k] += e[8 * k + r]
        return 0.0
    # softmax shifted by each row's largest score, so exp never overflows
    # (a NaN score is never the maximum, and makes its row's sum NaN)
    for r in range(nr):
        mx[r] = e[r]
    for k in range(1, K):
        for r in range(nr):
            u = e[8 * k + r]
            mx[r] = u if u > mx[r] else mx[r]
    for k in range(K):
        for r in range(nr):
            e[8 * k + r] -= mx[r]
    for r in range(nr):
        t[r] = -e[8 * y[r] + r]          # eta_max - eta_y >= 0
    if nr == 8:
        fg_mn_exp(e, 8 * K)
    else:
        for k in range(K):
            fg_mn_exp(e + 8 * k, nr)    # the other entries are stale
    for r in range(nr):
        mx[r] = 0.0
    for k in range(K):
        for r in range(nr):
            mx[r] += e[8 * k + r]        # now the sum of the exponentials
    for r in range(nr):
        loss += s[r] * (t[r] + log(mx[r]))
    if mode == MN_GRAD:
        for r in range(nr):
            t[r] = s[r] / mx[r]
        for k in range(K):
            for r in range(nr):
                e[8 * k + r] *= t[r]
        for r in range(nr):
            e[8 * y[r] + r] -= s[r]
        for k in range(K):
            u = 0.0
            for r in range(nr):
                u += e[8 * k + r]
            rsum[k] += u
    return loss


cdef inline void _mn_weights(
    const floating* sw, Py_ssize_t i, Py_ssize_t nr, double* s
) noexcept nogil:
    cdef Py_ssize_t r
    for r in range(nr):
        s[r] = 1.0 if sw == NULL else <double>sw[i + r]


cdef void _mn_rows(
    const floating* X,
    const Py_ssize_t* y,
    const floating* sw,     # NULL: unit weights
    const double* W,        # K * p weights, class-major
    const double* b,        # K raw intercepts
    Py_ssize_t p,
    Py_ssize_t K,
    Py_ssize_t start,
    Py_ssize_t stop,
    int mode,
    double* acc,            # K * p gradient sums, K intercept sums, the loss
    double* e,              # 8 * K scratch
) noexcept nogil:
    """Add the sums of rows [start, stop) into ``acc``."""
    cdef Py_ssize_t i, k, r, nr
    cdef Py_ssize_t stop8 = start + (stop - start) // 8 * 8
    cdef double loss = 0.0
    cdef double s[8]
    cdef double* rsum = acc + K * p
    cdef const char* ahead
    cdef Py_ssize_t off, step_bytes = 8 * p * <Py_ssize_t>sizeof(floating)

    for i in range(start, stop8, 8):
        ahead = <const char*>(X + i * p) + PREFETCH_BYTES
        for off in range(0, step_bytes, 64):
            fastgrad_prefetch(ahead + off)
        # the eight rows are in L1 after the first product
        for k in range(K):
            _dot8(X + i * p, p, W + k * p, e + 8 * k)
        _mn_weights(sw, i, 8, s)
        loss += _mn_block(e, 8, K, b, y + i, s, mode, rsum)
        if mode != MN_VALUE:
            for k in range(K):
                _axpy8(e + 8 * k, X + i * p, p, acc + k * p)

    if stop8 < stop:
        nr = stop - stop8
        for k in range(K):
            for r in range(nr):
                e[8 * k + r] = _dot(X + (stop8 + r) * p, W + k * p, p)
        _mn_weights(sw, stop8, nr, s)
        loss += _mn_block(e, nr, K, b, y + stop8, s, mode, rsum)
        if mode != MN_VALUE:
            for k in range(K):
                for r in range(nr):
                    _axpy(e[8 * k + r], X + (stop8 + r) * p, acc + k * p, p)

    acc[K * p + K] += loss


cdef void _mn_rows_indexed(
    const floating* X,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,
    const double* b,
    Py_ssize_t p,
    Py_ssize_t K,
    const Py_ssize_t* rows,
    Py_ssize_t n_rows,
    double* acc,
    double* e,
) noexcept nogil:
    """Gradient sums over the listed rows (a mini-batch), eight at a time."""
    cdef Py_ssize_t t, i, k, r, nr
    cdef double loss = 0.0
    cdef double s[8]
    cdef Py_ssize_t yb[8]
    for t in range(0, n_rows, 8):
        nr = min(8, n_rows - t)
        for r in range(nr):
            i = rows[t + r]
            s[r] = 1.0 if sw == NULL else <double>sw[i]
            yb[r] = y[i]
            for k in range(K):
                e[8 * k + r] = _dot(X + i * p, W + k * p, p)
        loss += _mn_block(e, nr, K, b, yb, s, MN_GRAD, acc + K * p)
        for r in range(nr):
            for k in range(K):
                _axpy(e[8 * k + r], X + rows[t + r] * p, acc + k * p, p)
    acc[K * p + K] += loss


cdef void _mn_pass(
    const floating* X,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,
    const double* b,
    Py_ssize_t n,
    Py_ssize_t p,
    Py_ssize_t K,
    int n_threads,
    int mode,
    double* acc,            # n_threads rows of ``stride``, zeroed, 64-byte aligned
    Py_ssize_t stride,
    Py_ssize_t n_sums,      # K * p + K + 1; the scratch follows at the next line
) noexcept nogil:
    """Sums over all rows; the total ends up in the first row of ``acc``."""
    cdef Py_ssize_t scratch = (n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES
    cdef Py_ssize_t block_rows, n_blocks, blk, start, stop, j
    cdef double* row
    cdef int t

    if n_threads == 1:
        _mn_rows(X, y, sw, W, b, p, K, 0, n, mode, acc, acc + scratch)
        return

    block_rows = max(BLOCK_BYTES // (p * <Py_ssize_t>sizeof(floating)) // 8 * 8, 8)
    n_blocks = (n + block_rows - 1) // block_rows
    with parallel(num_threads=n_threads):
        # static: a fixed split, hence fixed rounding, for a given n_threads
        for blk in prange(n_blocks, schedule="static"):
            start = blk * block_rows
            stop = min(start + block_rows, n)
            row = acc + threadid() * stride
            _mn_rows(X, y, sw, W, b, p, K, start, stop, mode, row, row + scratch)

    for t in range(1, n_threads):
        for j in range(n_sums):
            acc[j] += acc[t * stride + j]


cdef void _mn_curvature_weights(
    const floating* X,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,
    const double* b,
    Py_ssize_t p,
    Py_ssize_t K,
    Py_ssize_t start,
    Py_ssize_t stop,
    double inv_sum_s,
    double* prob,           # K scratch
    double* H,              # (stop - start, K (K + 1) / 2) out
) noexcept nogil:
    """Per-sample Hessian weights ``s_i p_ik (delta_kl - p_il) / sum_s``, k <= l,
    of rows [start, stop).

    Column t of ``H`` holds the pair (k, l) in the order (0,0), (0,1), ...,
    (0,K-1), (1,1), ... -- the order ``MultinomialObjective._hessian`` reads.
    Not a hot loop (the Gram products after it cost p / 2 times more), so
    plain per-row code with libm's exp.
    """
    cdef Py_ssize_t i, k, l, t, q = K * (K + 1) // 2
    cdef double mx, tot, u, s
    for i in range(start, stop):
        mx = -INFINITY
        for k in range(K):
            u = _dot(X + i * p, W + k * p, p) + b[k]
            prob[k] = u
            if u > mx:
                mx = u
        tot = 0.0
        for k in range(K):
            u = exp(prob[k] - mx)
            prob[k] = u
            tot += u
        s = inv_sum_s if sw == NULL else <double>sw[i] * inv_sum_s
        for k in range(K):
            prob[k] /= tot
        t = 0
        for k in range(K):
            for l in range(k, K):
                u = s * prob[k] * ((1.0 if k == l else 0.0) - prob[l])
                H[(i - start) * q + t] = u
                t += 1


cdef class MultinomialObjective(Objective):
    """Multinomial logistic loss with an L2 penalty on the weights.

    ``MultinomialObjective(X, y, n_classes, sample_weight, mean, l2,
    fit_intercept, n_threads)``::

        f(W, c) = sum_i s_i (logsumexp_k eta_ik - eta_{i, y_i}) / sum_s
                  + 0.5 * l2 * ||W||_F**2,   eta_ik = (x_i - m) . W_k + c_k

    which is scikit-learn's multinomial ``LogisticRegression`` objective
    divided by ``C * sum_s`` when ``l2 = 1 / (C * sum_s)``.

    Coefficients: the ``K * p`` weights class by class (``W[k, j]`` at
    ``k * p + j``), then the K intercepts when ``fit_intercept``; all weights
    are penalised (``n_penalized = K * p``). The raw model's intercepts are
    ``b_k = c_k - m . W_k``.

    Parameters
    ----------
    X : float32 or float64 ndarray of shape (n, p), C-contiguous (not copied)
    y : integer ndarray of shape (n,), class indices in ``0 .. n_classes - 1``
    n_classes : int >= 2
    sample_weight : ndarray of shape (n,) or None
        Non-negative with a positive sum (converted to X's dtype).
    mean : ndarray of shape (p,) or None
        The centring vector ``m`` (None: zeros, no centring).
    l2 : float >= 0
    fit_intercept : bool
    n_threads : int >= 1

    ``hess_vec`` applies Boehning's bound ``0.5 (I_K - 11^T / K) (x) Z^T S Z
    / sum_s`` (Z the centred rows with a column of ones for the intercepts)
    plus ``l2`` on the weights, which dominates the Hessian everywhere, so
    ``global_bound`` is True and 1 / L from power iteration is a safe step.
    ``hessian`` is the exact Hessian (via ``curvature_gram``).
    """
    cdef object _keep              # X, y, sample_weight, mean: the arrays behind the pointers
    cdef bint f32
    cdef const float* X32
    cdef const float* sw32
    cdef const double* X64
    cdef const double* sw64
    cdef const Py_ssize_t* y
    cdef Py_ssize_t n, p
    cdef readonly Py_ssize_t n_classes
    cdef int n_threads
    cdef readonly double l2
    cdef readonly bint fit_intercept
    cdef readonly double sum_s     # total sample weight (float64 sum)
    cdef Py_ssize_t n_sums         # K * p + K + 1 accumulated sums
    cdef Py_ssize_t stride         # one thread's accumulator row (sums + scratch)
    cdef double* raw               # allocation behind acc, mean and b
    cdef double* acc
    cdef double* mean              # p
    cdef double* b                 # K raw intercepts of the current pass

    def __init__(self, X, y, Py_ssize_t n_classes, sample_weight, mean,
                 double l2, bint fit_intercept, int n_threads):
        cdef Py_ssize_t j, n, p, K = n_classes
        cdef const float[:, ::1] X32v
        cdef const float[::1] s32
        cdef const double[:, ::1] X64v
        cdef const double[::1] s64
        cdef const double[::1] mv
        cdef const Py_ssize_t[::1] yv
        name = "MultinomialObjective"
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise ValueError(f"{name}: X must be a 2-D ndarray")
        if X.dtype != np.float32 and X.dtype != np.float64:
            raise ValueError(f"{name}: X must be float32 or float64, got {X.dtype}")
        if not X.flags.c_contiguous:
            raise ValueError(f"{name}: X must be C-contiguous")
        n, p = X.shape
        if n < 1 or p < 1:
            raise ValueError(f"{name}: X must have at least one row and one column, got {X.shape}")
        if K < 2:
            raise ValueError(f"{name}: n_classes must be >= 2, got {K}")
        y = np.asarray(y)
        if y.shape != (n,):
            raise ValueError(f"{name}: y must have shape ({n},), got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{name}: y must hold integer class indices, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= K:
            raise ValueError(
                f"{name}: class indices must lie in 0..{K - 1}, got {y.min()}..{y.max()}"
            )
        y = np.ascontiguousarray(y, dtype=np.intp)
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
            if sample_weight.shape != (n,):
                raise ValueError(
                    f"{name}: sample_weight must have shape ({n},), got {sample_weight.shape}"
                )
            if not (np.all(np.isfinite(sample_weight)) and np.all(sample_weight >= 0)):
                raise ValueError(f"{name}: sample_weight must be finite and non-negative")
            sum_s = float(np.sum(sample_weight, dtype=np.float64))
            if not sum_s > 0:
                raise ValueError(f"{name}: sample_weight must have a positive sum")
        else:
            sum_s = float(n)
        if mean is None:
            mean = np.zeros(p)
        mean = np.ascontiguousarray(mean, dtype=np.float64)
        if mean.shape != (p,):
            raise ValueError(f"{name}: mean must have shape ({p},), got {mean.shape}")
        if not np.all(np.isfinite(mean)):
            raise ValueError(f"{name}: mean must be finite")
        if not (l2 >= 0 and l2 < INFINITY):
            raise ValueError(f"{name}: l2 must be finite and >= 0, got {l2}")
        if n_threads < 1:
            raise ValueError(f"{name}: n_threads must be >= 1, got {n_threads}")

        self.n, self.p, self.n_classes = n, p, K
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.sum_s = sum_s
        self.n_penalized = K * p
        self.n_coef = K * p + K if fit_intercept else K * p
        self.n_samples = n
        self.global_bound = True
        # each row costs K products and K axpys: K times the squared pass's work
        self.n_threads = n_threads if _use_threads(n, K * p, n_threads) else 1
        self._keep = (X, y, sample_weight, mean)
        yv = y
        self.y = &yv[0]
        self.f32 = X.dtype == np.float32
        if self.f32:
            X32v = X
            self.X32 = &X32v[0, 0]
            if sample_weight is not None:
                s32 = sample_weight
                self.sw32 = &s32[0]
        else:
            X64v = X
            self.X64 = &X64v[0, 0]
            if sample_weight is not None:
                s64 = sample_weight
                self.sw64 = &s64[0]
        self.n_sums = K * p + K + 1
        self.stride = ((self.n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES + K) * LINE_DOUBLES
        self.raw = <double*>calloc(self.n_threads * self.stride + p + K + LINE_DOUBLES,
                                   sizeof(double))
        if self.raw == NULL:
            raise MemoryError()
        self.acc = <double*>((<uintptr_t>self.raw + 63) & ~(<uintptr_t>63))
        self.mean = self.acc + self.n_threads * self.stride
        self.b = self.mean + p
        mv = mean
        for j in range(p):
            self.mean[j] = mv[j]

    def __dealloc__(self):
        free(self.raw)

    # -- the passes --------------------------------------------------------

    cdef void _raw_intercepts(self, const double* coef) noexcept nogil:
        """b_k = c_k - m . W_k (c_k = 0 without an intercept)."""
        cdef Py_ssize_t k, j, p = self.p, K = self.n_classes
        cdef double bk
        for k in range(K):
            bk = coef[K * p + k] if self.fit_intercept else 0.0
            for j in range(p):
                bk -= self.mean[j] * coef[k * p + j]
            self.b[k] = bk

    cdef void _run(self, const double* coef, int mode) noexcept nogil:
        """One pass over X at ``coef``; the sums are left in ``acc``."""
        self._raw_intercepts(coef)
        memset(self.acc, 0, self.n_threads * self.stride * sizeof(double))
        if self.f32:
            _mn_pass(self.X32, self.y, self.sw32, coef, self.b, self.n, self.p,
                     self.n_classes, self.n_threads, mode, self.acc, self.stride, self.n_sums)
        else:
            _mn_pass(self.X64, self.y, self.sw64, coef, self.b, self.n, self.p,
                     self.n_classes, self.n_threads, mode, self.acc, self.stride, self.n_sums)

    cdef double _penalty(self, const double* coef) noexcept nogil:
        cdef Py_ssize_t j
        cdef double w_sq = 0.0
        for j in range(self.n_penalized):
            w_sq += coef[j] * coef[j]
        return 0.5 * self.l2 * w_sq

    cdef void _finish_grad(self, const double* coef, double scale, double* grad) noexcept nogil:
        """grad from the sums in ``acc``: scale * (centred data term) + l2 W."""
        cdef Py_ssize_t k, j, p = self.p, K = self.n_classes
        cdef double rk
        for k in range(K):
            rk = self.acc[K * p + k]
            for j in range(p):
                grad[k * p + j] = (
                    scale * (self.acc[k * p + j] - self.mean[j] * rk)
                    + self.l2 * coef[k * p + j]
                )
            if self.fit_intercept:
                grad[K * p + k] = scale * rk

    # -- the Objective interface ------------------------------------------

    cdef double value_grad(self, const double* coef, double* grad) noexcept nogil:
        self._run(coef, MN_GRAD)
        self._finish_grad(coef, 1.0 / self.sum_s, grad)
        return self.acc[self.n_sums - 1] / self.sum_s + self._penalty(coef)

    cdef double value(self, const double* coef) noexcept nogil:
        self._run(coef, MN_VALUE)
        return self.acc[self.n_sums - 1] / self.sum_s + self._penalty(coef)

    cdef void hess_vec(self, const double* v, double* out) noexcept nogil:
        # same pass with the bound's linear pointwise map; v's intercept part
        # enters through the raw intercepts like c does
        self._run(v, MN_BOUND)
        self._finish_grad(v, 1.0 / self.sum_s, out)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        cdef Py_ssize_t scratch = (self.n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES
        cdef double scale
        if n_rows < 1:
            return NAN
        scale = <double>self.n / (<double>n_rows * self.sum_s)
        self._raw_intercepts(coef)
        memset(self.acc, 0, self.stride * sizeof(double))
        if self.f32:
            _mn_rows_indexed(self.X32, self.y, self.sw32, coef, self.b, self.p,
                             self.n_classes, rows, n_rows, self.acc, self.acc + scratch)
        else:
            _mn_rows_indexed(self.X64, self.y, self.sw64, coef, self.b, self.p,
                             self.n_classes, rows, n_rows, self.acc, self.acc + scratch)
        self._finish_grad(coef, scale, grad)
        return scale * self.acc[self.n_sums - 1] + self._penalty(coef)

    cdef bint hessian(self, const double* coef, double* out) noexcept nogil:
        cdef bint ok
        with gil:
            try:
                self._hessian(coef, out)
                ok = True
            except Exception:
                # the loop reports the failure (Newton: NO_HESSIAN); no crash
                ok = False
        return ok

    cdef _hessian(self, const double* coef, double* out):
        """The exact Hessian at ``coef`` into ``out`` (n_coef x n_coef, row-major).

        With z_i = (x_i - m, 1) and A_i = diag(p_i) - p_i p_i^T it is
        sum_i s_i A_i (x) z_i z_i^T / sum_s (+ l2 on the weights): for each
        class pair k <= l the Gram matrix of the centred rows under the
        weights h_i = s_i A_i[k, l] / sum_s (negative off the diagonal).
        Rows go in chunks, so the weights take O(chunk K^2) memory, not O(n K^2).
        """
        from fastgrad.linear_model._gram import curvature_gram

        cdef Py_ssize_t K = self.n_classes, p = self.p, n = self.n, nc = self.n_coef
        cdef Py_ssize_t q = K * (K + 1) // 2, k, l, t, kp = K * p
        cdef Py_ssize_t rows = min(n, HESSIAN_CHUNK_ROWS), start, stop
        cdef double inv_sum_s = 1.0 / self.sum_s
        X, _, _, mean = self._keep
        weights = np.empty((rows, q))
        cdef double[:, ::1] wv = weights
        cdef double[::1] prob = np.empty(K)
        G = np.zeros((q, p, p))
        a = np.zeros((q, p))
        s = np.zeros(q)
        self._raw_intercepts(coef)
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            with nogil:
                if self.f32:
                    _mn_curvature_weights(self.X32, self.y, self.sw32, coef, self.b, p, K,
                                          start, stop, inv_sum_s, &prob[0], &wv[0, 0])
                else:
                    _mn_curvature_weights(self.X64, self.y, self.sw64, coef, self.b, p, K,
                                          start, stop, inv_sum_s, &prob[0], &wv[0, 0])
            G_c, a_c, s_c = curvature_gram(X[start:stop], weights[:stop - start], mean)
            G += G_c
            a += a_c
            s += s_c

        H = np.asarray(<double[:nc, :nc]> out)
        H[...] = 0.0
        t = 0
        for k in range(K):
            for l in range(k, K):
                H[k * p:(k + 1) * p, l * p:(l + 1) * p] = G[t]
                H[l * p:(l + 1) * p, k * p:(k + 1) * p] = G[t].T
                if self.fit_intercept:
                    # d2f / dW_k dc_l = sum_i h_i (x_i - m); h is symmetric in (k, l)
                    H[k * p:(k + 1) * p, kp + l] = a[t]
                    H[l * p:(l + 1) * p, kp + k] = a[t]
                    H[kp + l, k * p:(k + 1) * p] = a[t]
                    H[kp + k, l * p:(l + 1) * p] = a[t]
                    H[kp + k, kp + l] = s[t]
                    H[kp + l, kp + k] = s[t]
                t += 1
        idx = np.arange(kp)
        H[idx, idx] += self.l2
        if not np.all(np.isfinite(H)):
            raise FloatingPointError("non-finite Hessian")

    # -- test hooks --------------------------------------------------------

    def _check_coef(self, coef, what="coef"):
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        if coef.shape != (self.n_coef,):
            raise ValueError(f"{what} must have shape ({self.n_coef},), got {coef.shape}")
        return coef

    def py_value_grad(self, coef):
        """Test hook: ``(f, grad)`` at ``coef``."""
        cdef const double[::1] c = self._check_coef(coef)
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f
        with nogil:
            f = self.value_grad(&c[0], &g[0])
        return f, grad

    def py_value(self, coef):
        """Test hook: ``f`` at ``coef`` (the loss-only pass)."""
        cdef const double[::1] c = self._check_coef(coef)
        cdef double f
        with nogil:
            f = self.value(&c[0])
        return f

    def py_hess_vec(self, v):
        """Test hook: the global curvature bound times ``v``."""
        cdef const double[::1] c = self._check_coef(v, "v")
        out = np.empty(self.n_coef)
        cdef double[::1] o = out
        with nogil:
            self.hess_vec(&c[0], &o[0])
        return out

    def py_hessian(self, coef):
        """Test hook: the exact Hessian at ``coef``, (n_coef, n_coef)."""
        cdef const double[::1] c = self._check_coef(coef)
        out = np.empty((self.n_coef, self.n_coef))
        cdef double[:, ::1] o = out
        cdef bint ok
        with nogil:
            ok = self.hessian(&c[0], &o[0, 0])
        if not ok:
            raise RuntimeError("MultinomialObjective: the Hessian could not be computed")
        return out

    def py_batch_value_grad(self, coef, rows):
        """Test hook: the mini-batch estimate ``(f, grad)`` over ``rows``."""
        cdef const double[::1] c = self._check_coef(coef)
        rows = np.ascontiguousarray(rows, dtype=np.intp)
        if rows.ndim != 1 or rows.shape[0] < 1:
            raise ValueError("rows must be a non-empty 1-D array of row indices")
        if rows.min() < 0 or rows.max() >= self.n:
            raise ValueError(f"row indices must lie in 0..{self.n - 1}")
        cdef const Py_ssize_t[::1] r = rows
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f
        with nogil:
            f = self.batch_value_grad(&c[0], &r[0], r.shape[0], &g[0])
        return f, grad
