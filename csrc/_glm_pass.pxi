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

from libc.math cimport exp, log1p


cdef enum:
    # what ``_glm_point`` computes per sample
    GLM_LOGISTIC = 0     # log(1 + e^eta) - y eta
    GLM_POISSON = 1      # e^eta - y eta
    GLM_HUBER = 2        # Huber loss of r = y - eta with scale sigma (sklearn's form)
    GLM_BOUND = 3        # d = s u / 4: the logistic curvature bound applied to u
    GLM_STORED = 4       # d = h_i u + v_sigma h2_i: stored curvature applied to u
    # slots after the p gradient entries of an accumulator row
    GLM_LOSS = 0         # sum s * loss      (curvature pass: sum s * h)
    GLM_D = 1            # sum s * d         (curvature pass: sum s * h2)
    GLM_SIG = 2          # Huber: sum s * dl/dsigma; stored: sum h2 u; curvature pass: sum s * h3
    GLM_EXTRA = 3


# Beyond this linear predictor the Poisson mean e^eta is continued linearly
# (value and slope match at the joint, the loss stays convex): e^500 ~ 1e217,
# so sums over any realistic data stay finite and a too-long line-search
# step gives a huge but finite objective (the search halves) -- never inf - inf.
cdef double GLM_POISSON_ETA_MAX = 500.0


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


cdef inline void _glm_point(
    const GlmArgs* a, double eta, double y, double s, Py_ssize_t i,
    double* loss, double* d, double* sig,
) noexcept nogil:
    """Weighted pointwise terms of sample ``i``: s * loss, s * dl/deta, s * dl/dsigma.

    In the curvature pass the three outputs are s * h, s * h2 and s * h3
    instead (h = d2l/deta2, h2 = d2l/(deta dsigma), h3 = d2l/dsigma2), and
    h, h2 are also written to ``h_out[i]`` / ``h2_out[i]``.
    """
    cdef double e, q, mu, r, ar, t
    sig[0] = 0.0
    if a.kind == GLM_LOGISTIC:
        # one exp serves the loss, the probability and the curvature:
        # with e = e^-|eta|, p = 1/(1+e) or e/(1+e), p (1 - p) = e/(1+e)^2
        e = exp(-fabs(eta))
        q = 1.0 / (1.0 + e)
        if a.curvature:
            t = s * e * q * q
            a.h_out[i] = t
            loss[0] = t
            d[0] = 0.0
            return
        # log(1 + e^eta) - y eta = log1p(e) + (1 - y) eta (eta > 0) or - y eta:
        # no cancellation between max(eta, 0) and y eta for y = 1, eta >> 0
        loss[0] = s * (log1p(e) + ((1.0 - y) * eta if eta > 0.0 else -y * eta))
        # p - y = (1 - y) p - y (1 - p) with p and 1 - p each from e without
        # a subtraction (q or e q): for y in {0, 1} one term is exactly zero,
        # so p - 1 at large eta does not cancel. (Written as 1 - y - y e,
        # -fassociative-math may fold it into 1 - y (1 + e), which does.)
        if eta >= 0.0:
            d[0] = s * ((1.0 - y) * q - y * (e * q))
        else:
            d[0] = s * ((1.0 - y) * (e * q) - y * q)
    elif a.kind == GLM_POISSON:
        if eta <= GLM_POISSON_ETA_MAX:
            mu = exp(eta)
            t = mu
        else:
            mu = exp(GLM_POISSON_ETA_MAX)
            t = mu * (1.0 + (eta - GLM_POISSON_ETA_MAX))
        if a.curvature:
            a.h_out[i] = s * mu
            loss[0] = s * mu
            d[0] = 0.0
            return
        loss[0] = s * (t - y * eta)
        d[0] = s * (mu - y)
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
    cdef double loss, sg, dd, s
    # register-resident sums (see _accumulate_rows)
    cdef double sum_loss = 0.0, sum_d = 0.0, sum_sig = 0.0
    cdef const char* ahead
    cdef Py_ssize_t off, step_bytes = 8 * p * <Py_ssize_t>sizeof(floating)
    cdef double b = a.b

    for i in range(start, stop8, 8):
        ahead = <const char*>(X + i * p) + PREFETCH_BYTES
        for off in range(0, step_bytes, 64):
            fastgrad_prefetch(ahead + off)
        _dot8(X + i * p, p, w, e8)
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
