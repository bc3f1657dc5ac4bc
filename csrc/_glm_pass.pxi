# The fused pass of the scalar-link GLM objectives (included by
# ``_solvers_fast.pyx`` after ``_squared_pass.pxi``, whose ``_dot8``,
# ``_axpy8``, prefetch and thread policy it reuses).
#
# One pass reads each row of X once. Per eight rows it computes the linear
# predictors eta = x . w + b (``_dot8``, raw rows and the raw intercept
# ``b = c - m . w``), then the pointwise loss and its derivative d = dl/deta
# (``_glm_point``), then adds sum_k s_k d_k x_k to the gradient accumulator
# (one ``_axpy8``). The centred gradient follows afterwards from
# ``sum s d x - m sum s d``, as in the least-squares objective.
#
# The same pass, with another ``kind``, applies a Hessian to a vector
# (eta is then the directional change u = x . v + b_v and d the curvature
# times u) or records the per-sample curvature weights for ``hessian``.
#
# Names are prefixed ``_glm`` / ``GLM_``: all the ``.pxi`` files share one
# module namespace.

cdef extern from *:
    """
    /* Pointwise logistic and Poisson terms, eight samples per call.

       glibc's exp and log1p are scalar calls (~60 cycles per sample for
       both, measured: about as long as the sample's dot product and axpy at
       p = 50). Written as straight-line arithmetic, gcc vectorises the
       8-sample loop (AVX2 clone picked at load time on x86-64 glibc, SSE2
       otherwise), ~4x less time for these terms.

       e^x: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, two-part ln2, k
       rounded with the 1.5 * 2^52 shifter), e^r from its degree-13 Taylor
       polynomial (truncation < 5e-18), 2^k put into the exponent bits.
       log(1 + e), 0 <= e <= 1: 1 + e = 2^k (1 + f) with k in {0, 1} and
       f in [sqrt(1/2) - 1, sqrt(2) - 1], then fdlibm's log1p polynomial in
       s = f / (2 + f). Both are within 1 ulp of glibc (tested).

       The build's -fassociative-math would fold (z + shifter) - shifter
       into z and k ln2_hi + k ln2_lo into k ln2, which ruins both; the
       kernels are therefore compiled without it (GCC push_options; clang's
       fp pragma). A test checks their accuracy on every build. */
    #include <math.h>
    #include <stdint.h>
    #include <string.h>

    #define FG_GLM_POISSON_ETA_MAX 500.0

    #if defined(__x86_64__) && defined(__GLIBC__) && (defined(__GNUC__) || defined(__clang__))
    #define FG_GLM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
    #else
    #define FG_GLM_CLONES
    #endif
    #if defined(__GNUC__) || defined(__clang__)
    #define FG_GLM_NOINLINE __attribute__((noinline))
    #define FG_GLM_RESTRICT __restrict__
    #elif defined(_MSC_VER)
    #define FG_GLM_NOINLINE __declspec(noinline)
    #define FG_GLM_RESTRICT __restrict
    #else
    #define FG_GLM_NOINLINE
    #define FG_GLM_RESTRICT
    #endif
    #if defined(__clang__)
    #define FG_GLM_STRICT _Pragma("clang fp reassociate(off)")
    #else
    #define FG_GLM_STRICT
    #endif
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize("no-associative-math")
    #endif

    /* e^x, x <= 500 (larger x is treated as 500); 0 below -708. */
    static inline double fg_glm_exp(double x) {
        FG_GLM_STRICT
        const double inv_ln2 = 1.4426950408889634;
        const double ln2_hi = 6.93147180369123816490e-01;  /* ln2 to 32 bits: k ln2_hi is exact */
        const double ln2_lo = 1.90821492927058770002e-10;
        const double shifter = 6755399441055744.0;          /* 1.5 * 2^52 */
        double xc = x < -708.0 ? -708.0 : (x > 500.0 ? 500.0 : x);
        double kd = xc * inv_ln2 + shifter;   /* round(x / ln2) in the low mantissa bits */
        uint64_t kb, sb;
        double r, p, scale;
        memcpy(&kb, &kd, sizeof kb);
        kd -= shifter;
        r = (xc - kd * ln2_hi) - kd * ln2_lo;
        p = 1.0 / 6227020800.0;
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        sb = (kb + 1023) << 52;               /* 2^k: k + bias in the exponent field */
        memcpy(&scale, &sb, sizeof scale);
        return x < -708.0 ? 0.0 : p * scale;
    }

    /* log(1 + e) for 0 <= e <= 1. */
    static inline double fg_glm_log1p01(double e) {
        FG_GLM_STRICT
        const double ln2_hi = 6.93147180369123816490e-01;
        const double ln2_lo = 1.90821492927058770002e-10;
        const double c1 = 6.666666666666735130e-01, c2 = 3.999999999940941908e-01,
                     c3 = 2.857142874366239149e-01, c4 = 2.222219843214978396e-01,
                     c5 = 1.818357216161805012e-01, c6 = 1.531383769920937332e-01,
                     c7 = 1.479819860511658591e-01;
        int big = e > 0.41421356237309503;    /* 1 + e > sqrt(2): halve it */
        double f = big ? 0.5 * (e - 1.0) : e;
        double k = big ? 1.0 : 0.0;
        double hfsq = 0.5 * f * f;
        double s = f / (2.0 + f);
        double z = s * s;
        double R = z * (c1 + z * (c2 + z * (c3 + z * (c4 + z * (c5 + z * (c6 + z * c7))))));
        return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
    }

    /* s (log(1 + e^t) - y t) and s (p - y), p = 1 / (1 + e^-t), without
       overflow or cancellation: e = e^-|t|, log(1 + e^t) = log1p(e) + max(t, 0),
       and p, 1 - p each from e without a subtraction. */
    static inline void fg_glm_logistic(double t, double y, double s, double* loss, double* d) {
        FG_GLM_STRICT
        double e = fg_glm_exp(-fabs(t));
        double q = 1.0 / (1.0 + e);
        double eq = e * q;
        double lin = t > 0.0 ? (1.0 - y) * t : -y * t;
        *loss = s * (fg_glm_log1p01(e) + lin);
        *d = s * (t >= 0.0 ? (1.0 - y) * q - y * eq : (1.0 - y) * eq - y * q);
    }

    /* s (e^t - y t) and s (e^t - y); beyond FG_GLM_POISSON_ETA_MAX e^t is
       continued linearly (same value and slope at the joint). */
    static inline void fg_glm_poisson(double t, double y, double s, double* loss, double* d) {
        FG_GLM_STRICT
        double mu = fg_glm_exp(t);
        double lin = t > FG_GLM_POISSON_ETA_MAX ? mu * (1.0 + (t - FG_GLM_POISSON_ETA_MAX)) : mu;
        *loss = s * (lin - y * t);
        *d = s * (mu - y);
    }

    FG_GLM_CLONES static void fg_glm_logistic8(
        const double* FG_GLM_RESTRICT t, const double* FG_GLM_RESTRICT y,
        const double* FG_GLM_RESTRICT s, double* FG_GLM_RESTRICT loss,
        double* FG_GLM_RESTRICT d) {
        int k;
        for (k = 0; k < 8; ++k) fg_glm_logistic(t[k], y[k], s[k], loss + k, d + k);
    }

    FG_GLM_CLONES static void fg_glm_poisson8(
        const double* FG_GLM_RESTRICT t, const double* FG_GLM_RESTRICT y,
        const double* FG_GLM_RESTRICT s, double* FG_GLM_RESTRICT loss,
        double* FG_GLM_RESTRICT d) {
        int k;
        for (k = 0; k < 8; ++k) fg_glm_poisson(t[k], y[k], s[k], loss + k, d + k);
    }

    /* One sample at a time (remainders, mini-batches, curvature passes):
       the same arithmetic as the eight-sample kernels. */
    static FG_GLM_NOINLINE void fg_glm_logistic1(double t, double y, double s, double* loss, double* d) {
        fg_glm_logistic(t, y, s, loss, d);
    }
    static FG_GLM_NOINLINE void fg_glm_poisson1(double t, double y, double s, double* loss, double* d) {
        fg_glm_poisson(t, y, s, loss, d);
    }
    static FG_GLM_NOINLINE double fg_glm_exp1(double x) { return fg_glm_exp(x); }
    static FG_GLM_NOINLINE double fg_glm_log1p1(double e) { return fg_glm_log1p01(e); }

    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    void fg_glm_logistic8(const double* t, const double* y, const double* s,
                          double* loss, double* d) noexcept nogil
    void fg_glm_poisson8(const double* t, const double* y, const double* s,
                         double* loss, double* d) noexcept nogil
    void fg_glm_logistic1(double t, double y, double s, double* loss, double* d) noexcept nogil
    void fg_glm_poisson1(double t, double y, double s, double* loss, double* d) noexcept nogil
    double fg_glm_exp1(double x) noexcept nogil
    double fg_glm_log1p1(double e) noexcept nogil


cdef enum:
    # what ``_glm_point`` computes per sample
    GLM_LOGISTIC = 0     # log(1 + e^eta) - y eta
    GLM_POISSON = 1      # e^eta - y eta
    GLM_HUBER = 2        # Huber loss of r = y - eta with scale sigma (sklearn's form)
    GLM_BOUND = 3        # d = s u / 4: the logistic curvature bound applied to u
    GLM_STORED = 4       # d = h_i u + v_sigma h2_i: stored curvature applied to u
    GLM_GAMMA = 5        # eta + y e^-eta (Tweedie power 2, log link)
    GLM_TWEEDIE = 6      # Tweedie power p (not 1, 2), log link (fg_glm_tweedie)
    GLM_TWEEDIE_ID = 7   # Tweedie power p, identity link (mu = eta > 0 unless p = 0)
    # slots after the p gradient entries of an accumulator row
    GLM_LOSS = 0         # sum s * loss      (curvature pass: sum s * h)
    GLM_D = 1            # sum s * d         (curvature pass: sum s * h2)
    GLM_SIG = 2          # Huber: sum s * dl/dsigma; stored: sum h2 u; curvature pass: sum s * h3
    GLM_EXTRA = 3


cdef struct GlmArgs:
    int kind
    double b              # raw intercept added to every x . w
    bint curvature        # record curvature weights instead of loss and gradient
    double sigma          # Huber scale (> 0)
    double inv_sigma
    double epsilon        # Huber threshold
    double v_sigma        # GLM_STORED: the sigma entry of the vector
    const double* h       # GLM_STORED: s_i * d2l/deta2 at the stored point
    const double* h2      # GLM_STORED: s_i * d2l/(deta dsigma), or NULL
    double* h_out         # curvature pass: s_i * d2l/deta2 written here
    double* h2_out        # curvature pass (Huber): s_i * d2l/(deta dsigma)
    double power          # Tweedie power p
    double tw_a, tw_b     # 2 - p, 1 - p
    double tw_ia, tw_ib   # 1 / (2 - p), 1 / (1 - p) (0 where p is 2 or 1)
    double tw_lo, tw_hi   # GLM_TWEEDIE: the clamp of eta (fg_glm_tweedie)


include "_glm_tweedie.pxi"


cdef inline int _glm_vec_kind(const GlmArgs* a) noexcept nogil:
    """The eight-sample kernel of a loss-and-gradient pass (0: per sample)."""
    if a.curvature:
        return 0
    if a.kind == GLM_LOGISTIC:
        return 1
    if a.kind == GLM_POISSON:
        return 2
    if a.kind == GLM_GAMMA:
        return 3
    if a.kind == GLM_TWEEDIE:
        return 4
    return 0


cdef inline void _glm_vec8(int vec, const GlmArgs* a, const double* e8, const double* y8,
                           const double* s8, double* l8, double* d8) noexcept nogil:
    """Eight samples' weighted loss and derivative by the kernel ``vec``."""
    if vec == 1:
        fg_glm_logistic8(e8, y8, s8, l8, d8)
    elif vec == 2:
        fg_glm_poisson8(e8, y8, s8, l8, d8)
    elif vec == 3:
        fg_glm_gamma8(e8, y8, s8, l8, d8)
    else:
        fg_glm_tweedie8(e8, y8, s8, a.tw_b, a.tw_ia, a.tw_ib, a.tw_lo, a.tw_hi, l8, d8)


cdef inline void _glm_point(
    const GlmArgs* a, double eta, double y, double s, Py_ssize_t i,
    double* loss, double* d, double* sig,
) noexcept nogil:
    """Weighted pointwise terms of sample ``i``: s * loss, s * dl/deta, s * dl/dsigma.

    In the curvature pass the three outputs are s * h, s * h2 and s * h3
    instead (h = d2l/deta2, h2 = d2l/(deta dsigma), h3 = d2l/dsigma2), and
    h, h2 are also written to ``h_out[i]`` / ``h2_out[i]``.
    """
    cdef double e, q, r, ar, t
    sig[0] = 0.0
    if a.kind == GLM_LOGISTIC:
        if a.curvature:
            # p (1 - p) = e / (1 + e)^2 with e = e^-|eta|
            e = fg_glm_exp1(-fabs(eta))
            q = 1.0 / (1.0 + e)
            t = s * e * q * q
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
            return
        fg_glm_logistic1(eta, y, s, loss, d)
    elif a.kind == GLM_POISSON:
        if a.curvature:
            # beyond the joint at eta = 500 the loss is linear, but its
            # curvature is taken as e^500 rather than 0 there: Newton's
            # system stays definite (never reached by sensible data)
            t = s * fg_glm_exp1(eta)
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
            return
        fg_glm_poisson1(eta, y, s, loss, d)
    elif a.kind == GLM_GAMMA:
        if a.curvature:
            # y e^-eta, held at its value at the joint below eta = -500
            t = s * y * fg_glm_exp1(-(eta if eta > -GLM_ETA_MAX else -GLM_ETA_MAX))
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
            return
        fg_glm_gamma1(eta, y, s, loss, d)
    elif a.kind == GLM_TWEEDIE:
        if a.curvature:
            # B (a mu - b y) at the clamped eta; its absolute value, as
            # scikit-learn's Newton takes: for p < 1 or p > 2 it is negative
            # for some samples, and |h| keeps Newton's system definite
            r = eta if eta > a.tw_lo else a.tw_lo
            r = r if r < a.tw_hi else a.tw_hi
            e = fg_glm_exp1(r)
            q = fg_glm_exp1(a.tw_b * r)
            t = s * fabs(q * (a.tw_a * e - a.tw_b * y))
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
            return
        fg_glm_tweedie1(eta, y, s, a.tw_b, a.tw_ia, a.tw_ib, a.tw_lo, a.tw_hi, loss, d)
    elif a.kind == GLM_TWEEDIE_ID:
        _glm_tweedie_identity(a, eta, y, s, loss, d, &t)
        if a.curvature:
            t = fabs(t)     # as for GLM_TWEEDIE: negative for p > 1 and large mu
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
    elif a.kind == GLM_HUBER:
        r = y - eta
        ar = fabs(r)
        if ar <= a.epsilon * a.sigma:
            q = r * a.inv_sigma
            if a.curvature:
                t = 2.0 * s * a.inv_sigma
                a.h_out[i] = t
                a.h2_out[i] = t * q
                loss[0] = t
                d[0] = t * q
                sig[0] = t * q * q
                return
            loss[0] = s * (a.sigma + r * q)
            d[0] = -2.0 * s * q
            sig[0] = s * (1.0 - q * q)
        else:
            if a.curvature:
                a.h_out[i] = 0.0
                a.h2_out[i] = 0.0
                loss[0] = 0.0
                d[0] = 0.0
                return
            loss[0] = s * (a.sigma * (1.0 - a.epsilon * a.epsilon) + 2.0 * a.epsilon * ar)
            d[0] = (-2.0 * s * a.epsilon) if r > 0.0 else (2.0 * s * a.epsilon)
            sig[0] = s * (1.0 - a.epsilon * a.epsilon)
    elif a.kind == GLM_BOUND:
        loss[0] = 0.0
        d[0] = 0.25 * s * eta
    else:  # GLM_STORED: eta is the directional change u
        loss[0] = 0.0
        if a.h2 == NULL:
            d[0] = a.h[i] * eta
        else:
            d[0] = a.h[i] * eta + a.v_sigma * a.h2[i]
            sig[0] = a.h2[i] * eta


cdef void _glm_rows(
    const floating* X,
    const floating* y,
    const floating* sw,     # NULL: unit weights
    const double* w,
    const GlmArgs* a,
    Py_ssize_t p,
    Py_ssize_t start,
    Py_ssize_t stop,
    bint with_grad,         # axpy the derivatives into acc (else the sums only)
    double* acc,            # p gradient slots, then GLM_EXTRA sums
) noexcept nogil:
    """Add the sums of rows [start, stop) into ``acc``."""
    cdef Py_ssize_t i, k
    cdef Py_ssize_t stop8 = start + (stop - start) // 8 * 8
    cdef double e8[8]
    cdef double d8[8]
    cdef double y8[8]
    cdef double s8[8]
    cdef double l8[8]
    cdef double loss, sg, dd, s
    # register-resident sums (see _accumulate_rows)
    cdef double sum_loss = 0.0, sum_d = 0.0, sum_sig = 0.0
    cdef const char* ahead
    cdef Py_ssize_t off, step_bytes = 8 * p * <Py_ssize_t>sizeof(floating)
    cdef double b = a.b
    # logistic / Poisson loss and gradient: the vectorised 8-sample kernels
    cdef int vec = _glm_vec_kind(a)

    for i in range(start, stop8, 8):
        ahead = <const char*>(X + i * p) + PREFETCH_BYTES
        for off in range(0, step_bytes, 64):
            fastgrad_prefetch(ahead + off)
        _dot8(X + i * p, p, w, e8)
        if vec:
            for k in range(8):
                e8[k] += b
                y8[k] = <double>y[i + k]
                s8[k] = 1.0 if sw == NULL else <double>sw[i + k]
            _glm_vec8(vec, a, e8, y8, s8, l8, d8)
            for k in range(8):
                sum_loss += l8[k]
                sum_d += d8[k]
        else:
            for k in range(8):
                s = 1.0 if sw == NULL else <double>sw[i + k]
                _glm_point(a, e8[k] + b, <double>y[i + k], s, i + k, &loss, &d8[k], &sg)
                sum_loss += loss
                sum_d += d8[k]
                sum_sig += sg
        if with_grad:
            _axpy8(d8, X + i * p, p, acc)

    for i in range(stop8, stop):
        s = 1.0 if sw == NULL else <double>sw[i]
        _glm_point(a, _dot(X + i * p, w, p) + b, <double>y[i], s, i, &loss, &dd, &sg)
        sum_loss += loss
        sum_d += dd
        sum_sig += sg
        if with_grad:
            _axpy(dd, X + i * p, acc, p)

    acc[p + GLM_LOSS] += sum_loss
    acc[p + GLM_D] += sum_d
    acc[p + GLM_SIG] += sum_sig


cdef void _glm_rows_indexed(
    const floating* X,
    const floating* y,
    const floating* sw,
    const double* w,
    const GlmArgs* a,
    Py_ssize_t p,
    const Py_ssize_t* rows,
    Py_ssize_t n_rows,
    double* acc,            # zeroed: p gradient slots, then GLM_EXTRA sums
) noexcept nogil:
    """Loss and gradient sums over the listed rows (serial; for mini-batches)."""
    cdef Py_ssize_t t, i
    cdef double loss, dd, sg, s
    for t in range(n_rows):
        i = rows[t]
        s = 1.0 if sw == NULL else <double>sw[i]
        _glm_point(a, _dot(X + i * p, w, p) + a.b, <double>y[i], s, i, &loss, &dd, &sg)
        acc[p + GLM_LOSS] += loss
        acc[p + GLM_D] += dd
        acc[p + GLM_SIG] += sg
        _axpy(dd, X + i * p, acc, p)


cdef inline Py_ssize_t _glm_stride(Py_ssize_t p) noexcept nogil:
    """One thread's accumulator row, rounded up to whole cache lines."""
    return (p + GLM_EXTRA + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES


cdef void _glm_pass(
    const floating* X,
    const floating* y,
    const floating* sw,
    const double* w,
    const GlmArgs* a,
    Py_ssize_t n,
    Py_ssize_t p,
    int n_threads,
    bint with_grad,
    double* acc,            # n_threads rows of _glm_stride(p), zeroed, 64-byte aligned
) noexcept nogil:
    """Sums over all rows; the total ends up in the first row of ``acc``."""
    cdef Py_ssize_t stride = _glm_stride(p)
    cdef Py_ssize_t block_rows, n_blocks, blk, start, stop, j
    cdef int t

    if n_threads <= 1:
        _glm_rows(X, y, sw, w, a, p, 0, n, with_grad, acc)
        return

    block_rows = max(BLOCK_BYTES // (p * <Py_ssize_t>sizeof(floating)) // 8 * 8, 8)
    n_blocks = (n + block_rows - 1) // block_rows
    with parallel(num_threads=n_threads):
        # static: a fixed split, so the same n_threads gives the same bits
        for blk in prange(n_blocks, schedule="static"):
            start = blk * block_rows
            stop = min(start + block_rows, n)
            _glm_rows(X, y, sw, w, a, p, start, stop, with_grad, acc + threadid() * stride)

    for t in range(1, n_threads):
        for j in range(p + GLM_EXTRA):
            acc[j] += acc[t * stride + j]


_POINTWISE_KINDS = ("logistic", "poisson", "gamma", "tweedie")


def _glm_pointwise(str kind, const double[::1] t, const double[::1] y, const double[::1] s,
                   double power=1.5):
    """Test hook: the pointwise kernels over arrays of length a multiple of 8.

    Returns ``(loss8, d8, loss1, d1)``: the weighted loss and derivative from
    the eight-sample (vectorised) kernel and from the one-sample version.
    ``power`` is the Tweedie power of kind "tweedie" (log link; not 1 or 2).
    """
    cdef Py_ssize_t n = t.shape[0], i
    cdef GlmArgs a
    if kind not in _POINTWISE_KINDS:
        raise ValueError(f"kind must be one of {_POINTWISE_KINDS}, got {kind!r}")
    if n % 8 or y.shape[0] != n or s.shape[0] != n:
        raise ValueError("t, y, s must have one length, a multiple of 8")
    memset(&a, 0, sizeof(GlmArgs))
    if kind == "tweedie" and _glm_tweedie_args(&a, power) != GLM_TWEEDIE:
        raise ValueError("kind 'tweedie' takes a power other than 1 and 2 (those are poisson, gamma)")
    cdef int vec = _POINTWISE_KINDS.index(kind) + 1
    out = np.empty((4, n))
    cdef double[:, ::1] o = out
    with nogil:
        for i in range(0, n, 8):
            _glm_vec8(vec, &a, &t[i], &y[i], &s[i], &o[0, i], &o[1, i])
        for i in range(n):
            if vec == 1:
                fg_glm_logistic1(t[i], y[i], s[i], &o[2, i], &o[3, i])
            elif vec == 2:
                fg_glm_poisson1(t[i], y[i], s[i], &o[2, i], &o[3, i])
            elif vec == 3:
                fg_glm_gamma1(t[i], y[i], s[i], &o[2, i], &o[3, i])
            else:
                fg_glm_tweedie1(t[i], y[i], s[i], a.tw_b, a.tw_ia, a.tw_ib, a.tw_lo, a.tw_hi,
                                &o[2, i], &o[3, i])
    return out[0], out[1], out[2], out[3]


def _glm_log1p_unit(const double[::1] e):
    """Test hook: the kernels' log(1 + e) for 0 <= e <= 1 (one sample at a time)."""
    out = np.empty(e.shape[0])
    cdef double[::1] o = out
    cdef Py_ssize_t i
    for i in range(e.shape[0]):
        o[i] = fg_glm_log1p1(e[i])
    return out
