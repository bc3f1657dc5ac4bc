# The Tweedie terms of the fused GLM pass (included by ``_glm_pass.pxi``
# after its enums and ``GlmArgs``, before the pass that calls them): the
# log-link Gamma and general-power kernels in C, eight samples per call like
# the logistic and Poisson kernels (same exponential, same care about
# -fassociative-math: see the comments at the top of ``_glm_pass.pxi``), the
# identity-link terms, and the per-power constants.

cdef extern from *:
    """
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize("no-associative-math")
    #endif

    /* Half Gamma deviance with the log link, without y-only constants:
       s (t + y e^-t) and s (1 - y e^-t); below t = -FG_GLM_POISSON_ETA_MAX
       (where e^-t would leave the range of fg_glm_exp) the loss is
       continued linearly, as Poisson's above it. */
    static inline void fg_glm_gamma(double t, double y, double s, double* loss, double* d) {
        FG_GLM_STRICT
        double tc = t < -FG_GLM_POISSON_ETA_MAX ? -FG_GLM_POISSON_ETA_MAX : t;
        double e = fg_glm_exp(-tc);
        double dc = 1.0 - y * e;
        *loss = s * (tc + y * e + dc * (t - tc));
        *d = s * dc;
    }

    /* Half Tweedie deviance with the log link for a power p outside {1, 2},
       without y-only constants: with mu = e^t, B = e^{(1-p) t},
           loss = mu^{2-p} / (2-p) - y mu^{1-p} / (1-p) = B (mu ia - y ib),
           d    = mu^{2-p} - y mu^{1-p}                 = B (mu - y),
       ia = 1/(2-p), ib = 1/(1-p). Writing e^{(2-p) t} as mu B keeps the
       difference mu - y exact (no cancellation between two exponentials)
       for the price of two exponentials. t is clamped to [lo, hi], where
       neither mu, B nor mu B leaves the range of fg_glm_exp, and the loss is
       continued linearly beyond (same value and slope at the joints). */
    static inline void fg_glm_tweedie(double t, double y, double s, double b, double ia,
                                      double ib, double lo, double hi,
                                      double* loss, double* d) {
        FG_GLM_STRICT
        double tc = t < lo ? lo : (t > hi ? hi : t);
        double mu = fg_glm_exp(tc);
        double B = fg_glm_exp(b * tc);
        double dc = B * (mu - y);
        *loss = s * (B * (mu * ia - y * ib) + dc * (t - tc));
        *d = s * dc;
    }

    FG_GLM_CLONES static void fg_glm_gamma8(
        const double* FG_GLM_RESTRICT t, const double* FG_GLM_RESTRICT y,
        const double* FG_GLM_RESTRICT s, double* FG_GLM_RESTRICT loss,
        double* FG_GLM_RESTRICT d) {
        int k;
        for (k = 0; k < 8; ++k) fg_glm_gamma(t[k], y[k], s[k], loss + k, d + k);
    }

    FG_GLM_CLONES static void fg_glm_tweedie8(
        const double* FG_GLM_RESTRICT t, const double* FG_GLM_RESTRICT y,
        const double* FG_GLM_RESTRICT s, double b, double ia, double ib, double lo,
        double hi, double* FG_GLM_RESTRICT loss, double* FG_GLM_RESTRICT d) {
        int k;
        for (k = 0; k < 8; ++k) fg_glm_tweedie(t[k], y[k], s[k], b, ia, ib, lo, hi, loss + k, d + k);
    }

    static FG_GLM_NOINLINE void fg_glm_gamma1(double t, double y, double s, double* loss, double* d) {
        fg_glm_gamma(t, y, s, loss, d);
    }
    static FG_GLM_NOINLINE void fg_glm_tweedie1(double t, double y, double s, double b, double ia,
                                                double ib, double lo, double hi,
                                                double* loss, double* d) {
        fg_glm_tweedie(t, y, s, b, ia, ib, lo, hi, loss, d);
    }
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    void fg_glm_gamma8(const double* t, const double* y, const double* s,
                       double* loss, double* d) noexcept nogil
    void fg_glm_tweedie8(const double* t, const double* y, const double* s, double b, double ia,
                         double ib, double lo, double hi, double* loss, double* d) noexcept nogil
    void fg_glm_gamma1(double t, double y, double s, double* loss, double* d) noexcept nogil
    void fg_glm_tweedie1(double t, double y, double s, double b, double ia, double ib,
                         double lo, double hi, double* loss, double* d) noexcept nogil


from libc.math cimport log, pow

# The clamp of Gamma's eta from below (FG_GLM_POISSON_ETA_MAX in the C block)
cdef double GLM_ETA_MAX = 500.0


cdef inline void _glm_tweedie_identity(
    const GlmArgs* a, double mu, double y, double s, double* loss, double* d, double* h,
) noexcept nogil:
    """Half Tweedie deviance with the identity link, times s: loss, dl/dmu, d2l/dmu2.

    Without y-only constants, except at p = 0 (0.5 (mu - y)^2 exactly, no
    cancellation); the domain is mu > 0 unless p = 0: outside it the loss
    is +inf (the loops' line searches halve back) with zero derivatives.
    A sample of weight 0 contributes nothing wherever its mu is.
    """
    cdef double p = a.power, r, q
    if p == 0.0:
        r = mu - y
        loss[0] = 0.5 * s * r * r
        d[0] = s * r
        h[0] = s
        return
    if s == 0.0 or not mu > 0.0:   # (NaN too)
        loss[0] = 0.0 if s == 0.0 else INFINITY
        d[0] = 0.0
        h[0] = 0.0
        return
    if p == 1.0:
        q = y / mu
        loss[0] = s * (mu - y * log(mu))
        d[0] = s * (1.0 - q)
        h[0] = s * q / mu
    elif p == 2.0:
        q = 1.0 / mu
        loss[0] = s * (log(mu) + y * q)
        d[0] = s * (mu - y) * q * q
        h[0] = s * (2.0 * y * q - 1.0) * q * q
    else:
        # mu^{2-p}/(2-p) - y mu^{1-p}/(1-p) = mu^-p mu (mu ia - y ib)
        q = pow(mu, -p)
        loss[0] = s * q * mu * (mu * a.tw_ia - y * a.tw_ib)
        d[0] = s * q * (mu - y)
        h[0] = s * q * (a.tw_b + p * y / mu)


cdef int _glm_tweedie_args(GlmArgs* a, double power) noexcept nogil:
    """The Tweedie constants of ``a`` for ``power``; returns the kind (log link).

    The clamp of eta for ``fg_glm_tweedie``: mu = e^eta, B = e^{b eta}
    (b = 1 - p) and mu B = e^{(2 - p) eta} must stay within fg_glm_exp's
    range (exponents <= 500), so eta <= 500 / max(1, 2 - p) and, for b < 0,
    eta >= 500 / b. (Where one of them underflows to 0 its true value is
    negligible beside the other term.)
    """
    a.power = power
    a.tw_a = 2.0 - power
    a.tw_b = 1.0 - power
    a.tw_ia = 1.0 / a.tw_a if power != 2.0 else 0.0
    a.tw_ib = 1.0 / a.tw_b if power != 1.0 else 0.0
    a.tw_hi = GLM_ETA_MAX / max(1.0, a.tw_a)
    a.tw_lo = GLM_ETA_MAX / a.tw_b if a.tw_b < 0.0 else -INFINITY
    if power == 1.0:
        return GLM_POISSON
    if power == 2.0:
        return GLM_GAMMA
    return GLM_TWEEDIE
