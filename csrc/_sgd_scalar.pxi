# Scalar layer of ``_sgd_fast.pyx`` (included there): enums, the losses and
# their derivatives for one sample, the step-size schedules, the shuffle and
# the small vector helpers. Everything here is ``inline`` and ``nogil``.

from libc.math cimport exp, fabs, isfinite, log, log1p, pow, sqrt


cdef enum:
    # Solver status codes: the same numbers as fastgrad.linear_model._status
    # (a test checks that they agree).
    CONVERGED = 0
    MAX_ITER = 1
    NONFINITE = 2
    DIVERGED = 3
    STALLED = 4

cdef enum:
    # Losses, numbered as in fastgrad.linear_model._sgd_run.LOSSES. The
    # classification losses (4-7) take labels y in {-1, +1}, except LOG_LOSS,
    # which takes y in {0, 1} (as scikit-learn codes them); HINGE and
    # SQUARED_HINGE read their margin threshold from ``eps`` (perceptron is
    # HINGE with threshold 0).
    SQUARED_ERROR = 0
    HUBER = 1
    EPSILON_INSENSITIVE = 2
    SQUARED_EPSILON_INSENSITIVE = 3
    HINGE = 4
    SQUARED_HINGE = 5
    MODIFIED_HUBER = 6
    LOG_LOSS = 7

cdef enum:
    # Penalties, numbered as scikit-learn numbers them.
    NO_PENALTY = 0
    L1 = 1
    L2 = 2
    ELASTICNET = 3

cdef enum:
    # Step-size schedules, numbered as scikit-learn numbers them.
    CONSTANT = 1
    OPTIMAL = 2
    INVSCALING = 3
    ADAPTIVE = 4
    PA1 = 5
    PA2 = 6

cdef enum:
    # Slots of the ``state`` array that carries the scalars of the run from
    # one kernel call to the next (so epochs can be run in chunks).
    S_INTERCEPT = 0     # b
    S_AVG_INTERCEPT = 1 # averaged b
    S_WSCALE = 2        # true weights = wscale * w (lazy L2 shrinkage)
    S_AVG_A = 3         # averaged weights = (aw + A * w) / B (lazy averaging)
    S_AVG_B = 4
    S_U = 5             # total L1 penalty any weight may have received so far
    S_T = 6             # update counter of the schedules
    S_ETA = 7           # current step of "constant" / "adaptive"
    S_BEST = 8          # best objective (or validation score) so far
    S_NO_IMPROVE = 9    # epochs in a row without enough improvement
    S_VEL_B = 10        # momentum of the intercept
    N_STATE = 11

# |dloss| is clipped to this, as scikit-learn does, so one wild sample
# cannot throw the weights to inf in a single step.
cdef double MAX_DLOSS = 1e12
# Fold the L2 scale into the weights when it falls below this (as
# scikit-learn does for float64): far from underflow, rarely reached.
cdef double WSCALE_MIN = 1e-9
# The "adaptive" schedule stops dividing the step by 5 below this.
cdef double ADAPTIVE_ETA_MIN = 1e-6


cdef inline double _log1pexp(double x) noexcept nogil:
    """``log(1 + exp(x))`` without overflow or loss of precision for x << 0.

    The same cut points as scikit-learn's ``log1pexp`` (so the objective of
    the stopping rule has the same bits): below -37 ``exp(x)`` is already
    exact, above 33.3 the result is ``x`` to double precision.
    """
    if x <= -37.0:
        return exp(x)
    if x <= -2.0:
        return log1p(exp(x))
    if x <= 18.0:
        return log(1.0 + exp(x))
    if x <= 33.3:
        return x + exp(-x)
    return x


cdef inline double _class_loss(int kind, double y, double p, double eps) noexcept nogil:
    """Classification losses (kinds 4-7), margin ``z = y p``; see the loss enum."""
    cdef double z
    if kind == LOG_LOSS:
        return _log1pexp(p) - y * p
    z = p * y
    if kind == HINGE:
        return eps - z if z <= eps else 0.0
    if kind == SQUARED_HINGE:
        z = eps - z
        return z * z if z > 0.0 else 0.0
    # MODIFIED_HUBER: squared hinge inside |z| <= 1, linear (slope 4) below -1
    if z >= 1.0:
        return 0.0
    if z >= -1.0:
        return (1.0 - z) * (1.0 - z)
    return -4.0 * z


cdef inline double _class_dloss(int kind, double y, double p, double eps) noexcept nogil:
    """Derivative of ``_class_loss`` in the prediction ``p``."""
    cdef double z, e
    if kind == LOG_LOSS:
        # expit(p) - y, in a form that cannot overflow: exp(-p) is finite
        # for p > -37, and below that expit(p) is exp(p) to double precision
        if p > -37.0:
            e = exp(-p)
            # the labels are 0 or 1: one branch each, since the build's
            # -fassociative-math may turn (1 - y) - y e into 1 - y (1 + e),
            # which loses the small e to cancellation (4e-6 relative at p = 25)
            if y == 1.0:
                return -e / (1.0 + e)
            if y == 0.0:
                return 1.0 / (1.0 + e)
            return ((1.0 - y) - y * e) / (1.0 + e)
        return exp(p) - y
    z = p * y
    if kind == HINGE:
        return -y if z <= eps else 0.0
    if kind == SQUARED_HINGE:
        z = eps - z
        return -2.0 * y * z if z > 0.0 else 0.0
    if z >= 1.0:
        return 0.0
    if z >= -1.0:
        return 2.0 * (1.0 - z) * -y
    return -4.0 * y


cdef inline double _loss(int kind, double y, double p, double eps) noexcept nogil:
    """Loss of one sample with target ``y`` and prediction ``p``."""
    cdef double r, a
    if kind >= HINGE:
        return _class_loss(kind, y, p, eps)
    r = y - p
    a = fabs(r)
    if kind == SQUARED_ERROR:
        return 0.5 * r * r
    if kind == HUBER:
        if a <= eps:
            return 0.5 * r * r
        return eps * (a - 0.5 * eps)
    a = a - eps
    if a <= 0.0:
        return 0.0
    if kind == EPSILON_INSENSITIVE:
        return a
    return a * a


cdef inline double _dloss(int kind, double y, double p, double eps) noexcept nogil:
    """Derivative of the loss with respect to the prediction ``p``."""
    cdef double r
    if kind >= HINGE:
        return _class_dloss(kind, y, p, eps)
    r = p - y
    if kind == SQUARED_ERROR:
        return r
    if kind == HUBER:
        if fabs(r) <= eps:
            return r
        return eps if r >= 0.0 else -eps
    if kind == EPSILON_INSENSITIVE:
        if r < -eps:
            return -1.0
        if r > eps:
            return 1.0
        return 0.0
    if r < -eps:
        return 2.0 * (r + eps)
    if r > eps:
        return 2.0 * (r - eps)
    return 0.0


cdef inline double _clip(double g) noexcept nogil:
    if g < -MAX_DLOSS:
        return -MAX_DLOSS
    if g > MAX_DLOSS:
        return MAX_DLOSS
    return g


cdef inline double _pa_signed(int loss, double upd, double y, double p) noexcept nogil:
    """The passive-aggressive step ``upd`` (>= 0) with its direction.

    Classification (hinge, the only loss PA runs with there): along ``y``.
    Regression: towards the target.
    """
    if loss == HINGE:
        return upd * y
    return -upd if y - p < 0.0 else upd


cdef inline double _inv_power(double t, double power_t) noexcept nogil:
    """``t ** -power_t``; the common exponents avoid a call to ``pow``."""
    # sqrt is a single instruction, pow a ~20 ns library call per sample.
    if power_t == 0.25:
        return 1.0 / sqrt(sqrt(t))
    if power_t == 0.5:
        return 1.0 / sqrt(t)
    if power_t == 1.0:
        return 1.0 / t
    return 1.0 / pow(t, power_t)


cdef inline double _schedule_eta(
    int schedule, double eta, double eta0, double alpha, double t,
    double power_t, double optimal_init
) noexcept nogil:
    """Step size of the update number ``t`` (``eta`` for the fixed schedules)."""
    if schedule == OPTIMAL:
        return 1.0 / (alpha * (optimal_init + t - 1.0))
    if schedule == INVSCALING:
        return eta0 * _inv_power(t, power_t)
    return eta


cdef inline unsigned int _xorshift(unsigned int* seed) noexcept nogil:
    """Next number of the xorshift32 generator scikit-learn's SGD shuffles with."""
    if seed[0] == 0:
        seed[0] = 1
    seed[0] ^= <unsigned int>(seed[0] << 13)
    seed[0] ^= <unsigned int>(seed[0] >> 17)
    seed[0] ^= <unsigned int>(seed[0] << 5)
    # keep 31 bits, as scikit-learn's our_rand_r does
    return seed[0] % (<unsigned int>2147483647 + 1)


cdef inline void _shuffle(long long* order, Py_ssize_t n, unsigned int seed) noexcept nogil:
    """Fisher-Yates pass over ``order``, the same swaps for the same seed.

    Like scikit-learn, every epoch re-applies the swaps of the same seed to
    the previous epoch's order, so the orders of a run match its orders.
    """
    cdef Py_ssize_t i
    cdef unsigned int j
    cdef long long tmp
    for i in range(n - 1):
        j = <unsigned int>i + _xorshift(&seed) % <unsigned int>(n - i)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


cdef extern from *:
    """
    /* x . w and w += a x, compiled twice on x86-64 glibc (gcc/clang
       target_clones use ifuncs): an AVX2+FMA version picked at load time
       on CPUs that have it, and the baseline SSE2 one, so wheels stay
       portable. Measured 10-25% off an epoch at 200000 x 50. FMA rounds
       once per multiply-add: results differ from scikit-learn's in the
       last bits (the tests compare at rtol 1e-8). */
    #if defined(__x86_64__) && defined(__GLIBC__) && (defined(__GNUC__) || defined(__clang__))
    #define FG_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
    #else
    #define FG_CLONES
    #endif
    /* Four running sums: with one, every add waits on the previous one. */
    #define FG_DOT(NAME, T)                                                    \
    FG_CLONES static double NAME(const T* x, const double* w, Py_ssize_t p) {  \
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;                         \
        Py_ssize_t j = 0;                                                      \
        for (; j + 4 <= p; j += 4) {                                           \
            a0 += (double)x[j] * w[j];                                         \
            a1 += (double)x[j + 1] * w[j + 1];                                 \
            a2 += (double)x[j + 2] * w[j + 2];                                 \
            a3 += (double)x[j + 3] * w[j + 3];                                 \
        }                                                                      \
        for (; j < p; ++j) a0 += (double)x[j] * w[j];                          \
        return (a0 + a2) + (a1 + a3);                                          \
    }
    #define FG_AXPY(NAME, T)                                                   \
    FG_CLONES static void NAME(double a, const T* x, double* w, Py_ssize_t p) { \
        for (Py_ssize_t j = 0; j < p; ++j) w[j] += a * (double)x[j];           \
    }
    /* w += a x and aw += b x in one pass over x (averaged SGD). */
    #define FG_AXPY2(NAME, T)                                                  \
    FG_CLONES static void NAME(double a, double b, const T* x, double* w,      \
                               double* aw, Py_ssize_t p) {                     \
        for (Py_ssize_t j = 0; j < p; ++j) {                                   \
            w[j] += a * (double)x[j];                                          \
            aw[j] += b * (double)x[j];                                         \
        }                                                                      \
    }
    /* Cumulative L1 penalty over all weights; see _truncate_l1 in the .pyx.
       Both candidates are computed and then selected (no branches): the
       signs are unpredictable, and selects let the loop vectorise. */
    FG_CLONES static void fg_truncate_l1(double* w, double* q, Py_ssize_t p,
                                         double wscale, double u,
                                         double* sqn, double* l1n) {
        double inv = 1.0 / wscale, sq = 0.0, l1 = 0.0;
        for (Py_ssize_t j = 0; j < p; ++j) {
            double z = w[j], qj = q[j];
            double zp = z - (u + qj) * inv, zm = z + (u - qj) * inv, zn;
            zp = zp > 0.0 ? zp : 0.0;
            zm = zm < 0.0 ? zm : 0.0;
            zn = z > 0.0 ? zp : (z < 0.0 ? zm : z);
            w[j] = zn;
            q[j] = qj + wscale * (zn - z);
            sq += zn * zn;
            l1 += fabs(zn);
        }
        *sqn = sq * wscale * wscale;
        *l1n = l1 * wscale;
    }
    FG_DOT(fg_dot_f64, double)
    FG_DOT(fg_dot_f32, float)
    FG_AXPY(fg_axpy_f64, double)
    FG_AXPY(fg_axpy_f32, float)
    FG_AXPY2(fg_axpy2_f64, double)
    FG_AXPY2(fg_axpy2_f32, float)
    """
    double fg_dot_f64(const double* x, const double* w, Py_ssize_t p) noexcept nogil
    double fg_dot_f32(const float* x, const double* w, Py_ssize_t p) noexcept nogil
    void fg_truncate_l1(double* w, double* q, Py_ssize_t p, double wscale, double u,
                        double* sqn, double* l1n) noexcept nogil
    void fg_axpy_f64(double a, const double* x, double* w, Py_ssize_t p) noexcept nogil
    void fg_axpy_f32(double a, const float* x, double* w, Py_ssize_t p) noexcept nogil
    void fg_axpy2_f64(double a, double b, const double* x, double* w, double* aw, Py_ssize_t p) noexcept nogil
    void fg_axpy2_f32(double a, double b, const float* x, double* w, double* aw, Py_ssize_t p) noexcept nogil


cdef inline double _dot(const floating* x, const double* w, Py_ssize_t p) noexcept nogil:
    """x . w in float64."""
    if floating is double:
        return fg_dot_f64(x, w, p)
    else:
        return fg_dot_f32(x, w, p)


cdef inline void _axpy(double a, const floating* x, double* w, Py_ssize_t p) noexcept nogil:
    """w += a * x."""
    if floating is double:
        fg_axpy_f64(a, x, w, p)
    else:
        fg_axpy_f32(a, x, w, p)


cdef inline void _axpy2(double a, double b, const floating* x, double* w, double* aw,
                        Py_ssize_t p) noexcept nogil:
    """w += a * x and aw += b * x."""
    if floating is double:
        fg_axpy2_f64(a, b, x, w, aw, p)
    else:
        fg_axpy2_f32(a, b, x, w, aw, p)


cdef inline void _prefetch_row(const floating* x, Py_ssize_t p) noexcept nogil:
    """Ask for the first cache lines of a row that will be needed soon."""
    cdef Py_ssize_t nbytes = p * sizeof(floating)
    cdef Py_ssize_t k
    # Beyond ~1 KiB the hardware prefetcher follows the row by itself.
    if nbytes > PREFETCH_MAX_BYTES:
        nbytes = PREFETCH_MAX_BYTES
    k = 0
    while k < nbytes:
        fastgrad_prefetch((<const char*>x) + k)
        k += 64
