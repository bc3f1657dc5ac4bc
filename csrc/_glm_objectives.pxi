# Scalar-link GLM objectives for the solver loops (included by
# ``_solvers_fast.pyx`` after ``_objective.pxi`` and ``_glm_pass.pxi``).
#
# All three share ``_GlmObjective``: the data pointers, the centring vector,
# the per-thread accumulators and the methods of the ``Objective``
# interface. They differ in the pointwise loss (``kind``), the penalty
# scaling and, for Huber, a trailing scale coefficient sigma.
#
# Coordinates. As in ``SquaredObjective`` the linear predictor is
# eta_i = (x_i - m) . w + c with a caller-chosen centring vector m (zeros: no
# centring); the pass runs on the raw rows with the raw intercept
# b = c - m . w, and the gradient is centred afterwards. The raw model's
# intercept is b.
#
# Curvature. ``hessian(coef)`` records the per-sample curvature weights in a
# nogil pass, then (with the GIL) hands them to ``curvature_gram`` for the
# centred Gram blocks. ``hess_vec`` applies either a global bound (logistic)
# or the Hessian at a stored point (``set_curvature_point``; Poisson, Huber).

from libc.math cimport INFINITY, log


def _glm_array(name, what, a, n, dtype):
    """``a`` as given, or a ValueError saying what is wrong with it."""
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{name}: {what} must be a numpy array, got {type(a).__name__}")
    if a.ndim != 1 or a.shape[0] != n:
        raise ValueError(f"{name}: {what} must have shape ({n},), got {a.shape}")
    if a.dtype != dtype:
        raise ValueError(f"{name}: {what} must have the dtype of X ({dtype}), got {a.dtype}")
    if not a.flags.c_contiguous:
        raise ValueError(f"{name}: {what} must be contiguous")
    return a


def _glm_check(name, X, y, sample_weight, mean, n_threads):
    """Validated ``(X, y, sample_weight, mean, sum_s)``; ValueError on bad input."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise ValueError(f"{name}: X must be a 2-D numpy array")
    if X.dtype != np.float32 and X.dtype != np.float64:
        raise ValueError(f"{name}: X must be float32 or float64, got {X.dtype}")
    if not X.flags.c_contiguous:
        raise ValueError(f"{name}: X must be C-contiguous")
    n, p = X.shape
    if n < 1 or p < 1:
        raise ValueError(f"{name}: X must have at least one row and one column, got {X.shape}")
    y = _glm_array(name, "y", y, n, X.dtype)
    if sample_weight is not None:
        sample_weight = _glm_array(name, "sample_weight", sample_weight, n, X.dtype)
        if not np.all(sample_weight >= 0):
            raise ValueError(f"{name}: sample_weight must be non-negative")
        sum_s = float(np.sum(sample_weight, dtype=np.float64))
        if not (sum_s > 0 and np.isfinite(sum_s)):
            raise ValueError(f"{name}: sample_weight must have a positive, finite sum")
    else:
        sum_s = float(n)
    mean = np.array(mean, dtype=np.float64, copy=True)
    if mean.shape != (p,):
        raise ValueError(f"{name}: mean must have shape ({p},), got {mean.shape}")
    if not np.all(np.isfinite(mean)):
        raise ValueError(f"{name}: mean must be finite")
    if n_threads < 1:
        raise ValueError(f"{name}: n_threads must be >= 1")
    return X, y, sample_weight, mean, sum_s


def _glm_penalty(name, what, value):
    if not (value >= 0 and np.isfinite(value)):
        raise ValueError(f"{name}: {what} must be finite and >= 0, got {value}")


cdef class _GlmObjective(Objective):
    """Shared machinery of the GLM objectives (not used on its own).

    f(coef) = sum_i s_i l(eta_i[, sigma]) / sum_s + const + 0.5 * l2 * ||w||^2
    """
    cdef object _keep              # arrays the data pointers point into
    cdef object _mean_arr
    cdef object _point_arr         # curvature weights at the stored point
    cdef object _scratch_arr       # curvature weights for hessian()
    cdef object _default_arr       # the point hess_vec uses before set_curvature_point
    cdef bint f32
    cdef const float* X32
    cdef const float* y32
    cdef const float* sw32
    cdef const double* X64
    cdef const double* y64
    cdef const double* sw64
    cdef Py_ssize_t n, p
    cdef int n_threads
    cdef int kind
    cdef bint has_sigma
    cdef double epsilon
    cdef readonly bint fit_intercept
    cdef readonly double l2        # the penalty is 0.5 * l2 * ||w||^2
    cdef readonly double sum_s
    cdef double const_term         # constant added to f (Poisson's y log y - y)
    cdef bint has_y_const          # the mini-batch estimate adds _rows_const
    cdef GlmArgs tw_args           # Tweedie constants (_glm_tweedie_args), copied by _setup
    cdef double* mean
    cdef double* raw               # allocation behind acc
    cdef double* acc               # n_threads aligned accumulator rows
    cdef double* point             # stored curvature: h (n), then h2 (n, Huber)
    cdef double point_h3           # stored sum_i s_i d2l/dsigma2
    cdef bint point_set
    cdef double* scratch           # same layout, for hessian()
    cdef const double* default_point

    cdef _glm_init(self, name, X, y, sample_weight, mean, double l2, bint fit_intercept,
                   int n_threads, int kind, bint has_sigma):
        cdef const float[:, ::1] X32v
        cdef const float[::1] v32
        cdef const double[:, ::1] X64v
        cdef const double[::1] v64
        cdef double[::1] buf
        X, y, sample_weight, mean, sum_s = _glm_check(name, X, y, sample_weight, mean, n_threads)
        n, p = X.shape
        self.n, self.p = n, p
        self.kind = kind
        self.has_sigma = has_sigma
        self.has_y_const = kind != GLM_LOGISTIC and kind != GLM_HUBER
        self.l2 = l2
        self.sum_s = sum_s
        self.fit_intercept = fit_intercept
        self.n_penalized = p
        self.n_coef = p + (1 if fit_intercept else 0) + (1 if has_sigma else 0)
        self.n_samples = n
        self.n_threads = n_threads if _use_threads(n, p, n_threads) else 1
        self._keep = (X, y, sample_weight)
        self.X32 = self.y32 = self.sw32 = NULL   # nothing left from an earlier __init__
        self.X64 = self.y64 = self.sw64 = NULL
        self.point_set = False
        self._mean_arr = mean
        buf = mean
        self.mean = &buf[0]
        self.f32 = X.dtype == np.float32
        if self.f32:
            X32v = X
            self.X32 = &X32v[0, 0]
            v32 = y
            self.y32 = &v32[0]
            if sample_weight is not None:
                v32 = sample_weight
                self.sw32 = &v32[0]
        else:
            X64v = X
            self.X64 = &X64v[0, 0]
            v64 = y
            self.y64 = &v64[0]
            if sample_weight is not None:
                v64 = sample_weight
                self.sw64 = &v64[0]
        width = 2 * n if has_sigma else n
        if kind != GLM_LOGISTIC:
            self._point_arr = np.zeros(width)
            buf = self._point_arr
            self.point = &buf[0]
        self._scratch_arr = np.zeros(width)
        buf = self._scratch_arr
        self.scratch = &buf[0]
        self._default_arr = np.zeros(self.n_coef)
        if has_sigma:
            self._default_arr[self.n_coef - 1] = 1.0
        buf = self._default_arr
        self.default_point = &buf[0]
        free(self.raw)  # __init__ called again
        self.raw = <double*>calloc(
            self.n_threads * _glm_stride(p) + LINE_DOUBLES, sizeof(double))
        if self.raw == NULL:
            raise MemoryError()
        self.acc = <double*>((<uintptr_t>self.raw + 63) & ~(<uintptr_t>63))

    def __dealloc__(self):
        free(self.raw)

    # -- the pass and its bookkeeping ---------------------------------------

    cdef double _raw_intercept(self, const double* coef) noexcept nogil:
        """b = c - m . w (c = 0 without an intercept)."""
        cdef double b = coef[self.p] if self.fit_intercept else 0.0
        cdef Py_ssize_t j
        for j in range(self.p):
            b -= self.mean[j] * coef[j]
        return b

    cdef bint _setup(self, const double* coef, GlmArgs* a) noexcept nogil:
        """Fill the pass arguments for ``coef``; False outside the domain (sigma <= 0)."""
        cdef double sigma
        memcpy(a, &self.tw_args, sizeof(GlmArgs))   # zeros but for the Tweedie constants
        a.kind = self.kind
        a.b = self._raw_intercept(coef)
        if self.has_sigma:
            sigma = coef[self.n_coef - 1]
            if not (sigma > 0.0 and isfinite(sigma)):
                return False
            a.sigma = sigma
            a.inv_sigma = 1.0 / sigma
            a.epsilon = self.epsilon
        return True

    cdef void _run(self, const double* w, const GlmArgs* a, bint with_grad) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _glm_stride(self.p) * sizeof(double))
        if self.f32:
            _glm_pass(self.X32, self.y32, self.sw32, w, a, self.n, self.p,
                      self.n_threads, with_grad, self.acc)
        else:
            _glm_pass(self.X64, self.y64, self.sw64, w, a, self.n, self.p,
                      self.n_threads, with_grad, self.acc)

    cdef double _penalty(self, const double* coef) noexcept nogil:
        cdef double w_sq = 0.0
        cdef Py_ssize_t j
        if self.l2 == 0.0:
            return 0.0          # not 0 * inf = NaN for huge coefficients
        for j in range(self.p):
            w_sq += coef[j] * coef[j]
        return 0.5 * self.l2 * w_sq

    cdef void _centred_grad(self, const double* coef, double scale, double* out) noexcept nogil:
        """The gradient from the sums in ``acc``: data part times ``scale``, penalty in full."""
        cdef Py_ssize_t j, p = self.p
        cdef double sum_d = self.acc[p + GLM_D]
        for j in range(p):
            out[j] = scale * (self.acc[j] - self.mean[j] * sum_d) + self.l2 * coef[j]
        if self.fit_intercept:
            out[p] = scale * sum_d
        if self.has_sigma:
            out[self.n_coef - 1] = scale * self.acc[p + GLM_SIG]

    cdef void _infeasible(self, double* grad) noexcept nogil:
        # f = +inf there; a zero gradient keeps everything finite (the loops
        # look at f first and halve the step)
        memset(grad, 0, self.n_coef * sizeof(double))

    cdef bint _curvature(self, const double* coef, double* h) noexcept nogil:
        """Curvature weights at ``coef`` into ``h``; False outside the domain.

        Leaves in ``acc``: sum s h, sum s h2, sum s h3 and (Huber) sum s h2 x.
        """
        cdef GlmArgs a
        if not self._setup(coef, &a):
            return False
        a.curvature = True
        a.h_out = h
        a.h2_out = h + self.n
        self._run(coef, &a, self.has_sigma)
        return True

    cdef bint _store_point(self, const double* coef) noexcept nogil:
        if not self._curvature(coef, self.point):
            return False
        self.point_h3 = self.acc[self.p + GLM_SIG]
        self.point_set = True
        return True

    # -- the Objective interface --------------------------------------------

    cdef double value_grad(self, const double* coef, double* grad) noexcept nogil:
        cdef GlmArgs a
        if not self._setup(coef, &a):
            self._infeasible(grad)
            return INFINITY
        self._run(coef, &a, True)
        self._centred_grad(coef, 1.0 / self.sum_s, grad)
        return self.acc[self.p + GLM_LOSS] / self.sum_s + self.const_term + self._penalty(coef)

    cdef double value(self, const double* coef) noexcept nogil:
        cdef GlmArgs a
        if not self._setup(coef, &a):
            return INFINITY
        self._run(coef, &a, False)
        return self.acc[self.p + GLM_LOSS] / self.sum_s + self.const_term + self._penalty(coef)

    cdef void hess_vec(self, const double* v, double* out) noexcept nogil:
        cdef GlmArgs a
        memset(&a, 0, sizeof(GlmArgs))
        a.b = self._raw_intercept(v)     # the change of eta along v is x . v_w + b_v
        if self.kind == GLM_LOGISTIC:
            a.kind = GLM_BOUND
        else:
            if not self.point_set:
                self._store_point(self.default_point)
            a.kind = GLM_STORED
            a.h = self.point
            if self.has_sigma:
                a.h2 = self.point + self.n
                a.v_sigma = v[self.n_coef - 1]
        self._run(v, &a, True)
        self._centred_grad(v, 1.0 / self.sum_s, out)
        if self.has_sigma:
            out[self.n_coef - 1] += a.v_sigma * self.point_h3 / self.sum_s

    cdef bint hessian(self, const double* coef, double* out) noexcept nogil:
        cdef Py_ssize_t j, p = self.p
        cdef double sum_h2, sum_h3
        if not self._curvature(coef, self.scratch):
            return False
        # the sigma row (Huber): sum s h2 (x - m), sum s h2, sum s h3
        sum_h2 = self.acc[p + GLM_D]
        sum_h3 = self.acc[p + GLM_SIG]
        for j in range(p):
            self.acc[j] -= self.mean[j] * sum_h2
        with gil:
            try:
                self._assemble(out, sum_h2, sum_h3)
            except Exception:
                return False
        return True

    cdef _assemble(self, double* out, double sum_h2, double sum_h3):
        """Dense Hessian from the curvature weights in ``scratch`` (needs the GIL)."""
        from fastgrad.linear_model._gram import curvature_gram

        cdef Py_ssize_t p = self.p, k = self.n_coef, i, j
        cdef double inv_s = 1.0 / self.sum_s
        cdef double[:, ::1] M
        X = self._keep[0]
        G, a, s = curvature_gram(X, self._scratch_arr[:self.n, None] * inv_s, self._mean_arr)
        H = np.zeros((k, k))
        H[:p, :p] = G[0]
        H[np.arange(p), np.arange(p)] += self.l2
        if self.fit_intercept:
            H[:p, p] = a[0]
            H[p, :p] = a[0]
            H[p, p] = s[0]
        if self.has_sigma:
            cross = np.array([self.acc[j] * inv_s for j in range(p)])
            H[:p, k - 1] = cross
            H[k - 1, :p] = cross
            if self.fit_intercept:
                H[p, k - 1] = H[k - 1, p] = sum_h2 * inv_s
            H[k - 1, k - 1] = sum_h3 * inv_s
        if not np.all(np.isfinite(H)):
            raise FloatingPointError("non-finite Hessian")
        M = H
        for i in range(k):
            for j in range(k):
                out[i * k + j] = M[i, j]

    cdef double _y_const(self, double y) noexcept nogil:
        """The y-only term that makes a sample's loss its half deviance (0 at mu = y).

        Poisson (and Tweedie p = 1): y log y - y; Gamma (p = 2): -log y - 1;
        other powers max(y, 0)^{2-p} / ((1-p)(2-p)), except y^2 / 2 at p = 0
        with the log link (the identity link's p = 0 kernel has it built in).
        """
        cdef double p = self.tw_args.power
        if self.kind == GLM_POISSON or (self.kind == GLM_TWEEDIE_ID and p == 1.0):
            return y * log(y) - y if y > 0.0 else 0.0
        if self.kind == GLM_GAMMA or (self.kind == GLM_TWEEDIE_ID and p == 2.0):
            return -log(y) - 1.0
        if self.kind == GLM_TWEEDIE or self.kind == GLM_TWEEDIE_ID:
            if p == 0.0:
                return 0.5 * y * y if self.kind == GLM_TWEEDIE else 0.0
            return pow(y, 2.0 - p) * self.tw_args.tw_ia * self.tw_args.tw_ib if y > 0.0 else 0.0
        return 0.0

    cdef double _rows_const(self, const Py_ssize_t* rows, Py_ssize_t n_rows) noexcept nogil:
        """sum over ``rows`` (all rows if NULL) of s_i times the y-only constant of the loss."""
        cdef Py_ssize_t t, i
        cdef double total = 0.0, yi, s
        for t in range(n_rows):
            i = t if rows == NULL else rows[t]
            if self.f32:
                yi = self.y32[i]
                s = 1.0 if self.sw32 == NULL else self.sw32[i]
            else:
                yi = self.y64[i]
                s = 1.0 if self.sw64 == NULL else self.sw64[i]
            if s != 0.0:
                total += s * self._y_const(yi)
        return total

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        cdef GlmArgs a
        cdef double scale, loss
        if n_rows < 1:
            return NAN
        if not self._setup(coef, &a):
            self._infeasible(grad)
            return INFINITY
        memset(self.acc, 0, _glm_stride(self.p) * sizeof(double))
        if self.f32:
            _glm_rows_indexed(self.X32, self.y32, self.sw32, coef, &a, self.p, rows, n_rows, self.acc)
        else:
            _glm_rows_indexed(self.X64, self.y64, self.sw64, coef, &a, self.p, rows, n_rows, self.acc)
        scale = <double>self.n / (<double>n_rows * self.sum_s)
        loss = self.acc[self.p + GLM_LOSS]
        if self.has_y_const:
            loss += self._rows_const(rows, n_rows)
        self._centred_grad(coef, scale, grad)
        return scale * loss + self._penalty(coef)

    # -- Python hooks (tests, estimators) -----------------------------------

    cdef _check_len(self, const double[::1] v, what):
        if self.raw == NULL:
            raise ValueError("the objective is not initialised")
        if v.shape[0] != self.n_coef:
            raise ValueError(f"{what} has {v.shape[0]} entries, the objective {self.n_coef}")

    def _set_point(self, const double[::1] coef):
        self._check_len(coef, "coef")
        if not self._store_point(&coef[0]):
            raise ValueError("set_curvature_point: sigma must be > 0")

    def py_value_grad(self, const double[::1] coef):
        """Test hook: ``(f, grad)`` at ``coef``."""
        self._check_len(coef, "coef")
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f
        with nogil:
            f = self.value_grad(&coef[0], &g[0])
        return f, grad

    def py_value(self, const double[::1] coef):
        """Test hook: ``f`` at ``coef``."""
        self._check_len(coef, "coef")
        cdef double f
        with nogil:
            f = self.value(&coef[0])
        return f

    def py_hess_vec(self, const double[::1] v):
        """Test hook: the curvature operator (bound or stored Hessian) times ``v``."""
        self._check_len(v, "v")
        out = np.empty(self.n_coef)
        cdef double[::1] o = out
        with nogil:
            self.hess_vec(&v[0], &o[0])
        return out

    def py_hessian(self, const double[::1] coef):
        """Test hook: the dense Hessian at ``coef`` (ValueError where there is none)."""
        self._check_len(coef, "coef")
        out = np.empty((self.n_coef, self.n_coef))
        cdef double[:, ::1] o = out
        cdef bint ok
        with nogil:
            ok = self.hessian(&coef[0], &o[0, 0])
        if not ok:
            raise ValueError("no Hessian at this point (outside the domain or not finite)")
        return out

    def py_batch_value_grad(self, const double[::1] coef, rows):
        """Test hook: the mini-batch estimate ``(f, grad)`` over ``rows``."""
        self._check_len(coef, "coef")
        rows = np.ascontiguousarray(rows, dtype=np.intp)
        if rows.ndim != 1 or rows.shape[0] < 1:
            raise ValueError("rows must be a non-empty 1-D array of row indices")
        if rows.min() < 0 or rows.max() >= self.n:
            raise ValueError(f"rows must be in [0, {self.n})")
        cdef const Py_ssize_t[::1] r = rows
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f
        with nogil:
            f = self.batch_value_grad(&coef[0], &r[0], r.shape[0], &g[0])
        return f, grad


cdef class LogisticObjective(_GlmObjective):
    """Binary logistic regression (y in {0, 1}) with an L2 penalty::

        f(w, c) = sum_i s_i (log(1 + exp(eta_i)) - y_i eta_i) / sum_s
                  + 0.5 * l2 * ||w||^2,      eta_i = (x_i - m) . w + c

    scikit-learn's ``LogisticRegression`` objective for ``l2 = 1 / (C sum_s)``.
    ``hess_vec`` applies the bound ``X_c^T S X_c / (4 sum_s)`` (+ l2 on w),
    valid everywhere (p (1 - p) <= 1/4), so 1 / L is a safe step;
    ``hessian`` is exact.
    """

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads):
        _glm_penalty("LogisticObjective", "l2", l2)
        self._glm_init("LogisticObjective", X, y, sample_weight, mean, l2, fit_intercept,
                       n_threads, GLM_LOGISTIC, False)
        y = self._keep[1]
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("LogisticObjective: y must contain only 0 and 1")
        self.global_bound = True


cdef class PoissonObjective(_GlmObjective):
    """Poisson regression with the log link and an L2 penalty::

        f(w, c) = sum_i s_i (exp(eta_i) - y_i eta_i + y_i log y_i - y_i) / sum_s
                  + 0.5 * l2 * ||w||^2

    i.e. the mean half Poisson deviance plus the penalty: scikit-learn's
    ``PoissonRegressor`` objective for ``l2 = alpha`` (sklearn leaves out the
    constant y log y - y, which does not move the minimiser). Above
    eta = 500 the mean exp(eta) is continued linearly, so the objective
    stays finite and convex for any coefficients.

    ``hess_vec`` applies the Hessian at the point last given to
    ``set_curvature_point`` (coef = 0 until then): not a global bound.
    """

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads):
        _glm_penalty("PoissonObjective", "l2", l2)
        self._glm_init("PoissonObjective", X, y, sample_weight, mean, l2, fit_intercept,
                       n_threads, GLM_POISSON, False)
        y, sw = self._keep[1], self._keep[2]
        if not np.all(y >= 0):
            raise ValueError("PoissonObjective: y must be non-negative")
        yd = y.astype(np.float64)
        c = np.zeros_like(yd)
        pos = yd > 0
        c[pos] = yd[pos] * np.log(yd[pos]) - yd[pos]
        total = np.sum(c) if sw is None else np.dot(sw.astype(np.float64), c)
        self.const_term = float(total) / self.sum_s
        self.global_bound = False

    def set_curvature_point(self, coef):
        """Make ``hess_vec`` apply the Hessian at ``coef``."""
        self._set_point(np.ascontiguousarray(coef, dtype=np.float64))


def _tweedie_kind(name, double power, link):
    """The pass kind for a Tweedie power and link; ValueError on a bad one."""
    if not np.isfinite(power):
        raise ValueError(f"{name}: power must be a finite number, got {power}")
    if link == "identity":
        return GLM_TWEEDIE_ID
    if link != "log":
        raise ValueError(f"{name}: link must be 'log' or 'identity', got {link!r}")
    if power == 1.0:
        return GLM_POISSON
    return GLM_GAMMA if power == 2.0 else GLM_TWEEDIE


def tweedie_y_range(double power):
    """``(low, closed)``: y must be > low (>= if closed); None: any real y.

    scikit-learn's ranges: any y for p <= 0, y >= 0 for 0 < p < 2, y > 0 for p >= 2.
    """
    if power <= 0.0:
        return None
    return (0.0, power < 2.0)


cdef class TweedieObjective(_GlmObjective):
    """Tweedie regression (power p, log or identity link) with an L2 penalty::

        f(w, c) = sum_i s_i half_deviance_p(y_i, mu_i) / sum_s + 0.5 * l2 * ||w||^2
        mu_i = exp(eta_i) (log link) or eta_i (identity link)

    scikit-learn's ``TweedieRegressor`` / ``GammaRegressor`` objective for
    ``l2 = alpha`` (scikit-learn leaves out y-only constants, which do not
    move the minimiser; here f is the half deviance itself, 0 at mu = y).
    p = 1 is Poisson, p = 2 Gamma, p = 0 least squares. With the log link the
    loss is continued linearly where the exponentials would overflow; with
    the identity link and p != 0, mu <= 0 is outside the domain and f = +inf.

    ``hessian`` and ``hess_vec`` use the absolute pointwise curvature
    |d2l/deta2| (the exact Hessian wherever every sample's curvature is
    >= 0, e.g. the log link with 1 <= p <= 2; otherwise a positive
    semi-definite stand-in, as in scikit-learn's Newton solver). ``hess_vec``
    applies it at the point last given to ``set_curvature_point``.
    """
    cdef readonly double power
    cdef readonly str link

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads,
                 double power, str link="log"):
        _glm_penalty("TweedieObjective", "l2", l2)
        kind = _tweedie_kind("TweedieObjective", power, link)
        self._glm_init("TweedieObjective", X, y, sample_weight, mean, l2, fit_intercept,
                       n_threads, kind, False)
        self._tweedie_setup("TweedieObjective", power, link)

    cdef _tweedie_setup(self, name, double power, str link):
        """Tweedie constants, the y check and the constant term (after the data init)."""
        cdef GlmArgs* a = &self.tw_args
        cdef double total
        memset(a, 0, sizeof(GlmArgs))
        _glm_tweedie_args(a, power)
        self.power = power
        self.link = link
        self.kind = _tweedie_kind(name, power, link)
        y = self._keep[1]
        bound = tweedie_y_range(power)
        if bound is not None and not (np.all(y >= bound[0]) if bound[1] else np.all(y > bound[0])):
            raise ValueError(f"{name}: y must be {'>=' if bound[1] else '>'} 0 for power {power}")
        with nogil:
            total = self._rows_const(NULL, self.n)
        self.const_term = total / self.sum_s
        self.global_bound = False

    def set_curvature_point(self, coef):
        """Make ``hess_vec`` apply the (absolute-curvature) Hessian at ``coef``."""
        self._set_point(np.ascontiguousarray(coef, dtype=np.float64))


cdef class HuberObjective(_GlmObjective):
    """scikit-learn's ``HuberRegressor`` objective, divided by sum_s::

        f(w, c, sigma) = [ sum_i s_i (sigma + H_eps(r_i, sigma)) + alpha ||w||^2 ] / sum_s
        H_eps(r, sigma) = r^2 / sigma                            if |r| <= eps sigma
                          2 eps |r| - eps^2 sigma                otherwise
        r_i = y_i - (x_i - m) . w - c

    Coefficients ``[w, c (if fit_intercept), sigma]``. Dividing by sum_s
    keeps the objective of order one whatever the number and weights of the
    samples (the same minimiser as sklearn's); the penalty is therefore
    0.5 * l2 * ||w||^2 with ``l2 = 2 alpha / sum_s``. Outside sigma > 0
    ``f = +inf``, so the loops' line searches halve back into the domain.

    The loss is C1 with a piecewise-smooth Hessian (exact wherever no
    residual sits on |r| = eps sigma); per inlier sample, in (eta, sigma)::

        d2/deta2 = 2 / sigma,  d2/deta dsigma = 2 r / sigma^2,  d2/dsigma2 = 2 r^2 / sigma^3

    and zero for outliers. ``hess_vec`` applies the Hessian at the point last
    given to ``set_curvature_point`` (w = 0, c = 0, sigma = 1 until then).
    """
    cdef readonly double alpha

    def __init__(self, X, y, sample_weight, mean, double alpha, double epsilon,
                 bint fit_intercept, int n_threads):
        _glm_penalty("HuberObjective", "alpha", alpha)
        if not (epsilon >= 1.0 and np.isfinite(epsilon)):
            raise ValueError(f"HuberObjective: epsilon must be finite and >= 1, got {epsilon}")
        self._glm_init("HuberObjective", X, y, sample_weight, mean, 0.0, fit_intercept,
                       n_threads, GLM_HUBER, True)
        self.alpha = alpha
        self.epsilon = epsilon
        self.l2 = 2.0 * alpha / self.sum_s
        self.global_bound = False

    def set_curvature_point(self, coef):
        """Make ``hess_vec`` apply the Hessian at ``coef`` (sigma must be > 0)."""
        self._set_point(np.ascontiguousarray(coef, dtype=np.float64))
