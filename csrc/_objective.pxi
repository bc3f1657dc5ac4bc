# Objectives the solver loops minimise (included by ``_solvers_fast.pyx``).
#
# A loop sees an objective only through the ``Objective`` interface, so one
# loop serves every loss: a new loss is a new subclass, not a new loop.
# Coefficients are a float64 vector of ``n_coef`` entries: the ``n_penalized``
# feature weights, then (when there is one) the intercept, which is never
# penalised.


cdef class Objective:
    """A smooth objective ``f(coef)`` with its gradient (and optionally more).

    Subclasses override the ``cdef`` methods; all of them run without the GIL.
    """
    cdef readonly Py_ssize_t n_coef       # length of the coefficient vector
    cdef readonly Py_ssize_t n_penalized  # leading entries that an L1 prox may touch
    cdef readonly Py_ssize_t n_samples    # rows of the data (for the mini-batch methods)
    # True when ``hess_vec`` applies a bound of the Hessian valid everywhere
    # (so 1 / L from power iteration is a safe step at every point); False
    # when it is the Hessian at a reference point (``set_curvature_point``)
    # and first-order loops must backtrack.
    cdef readonly bint global_bound
    cdef double* hess                     # constant Hessian, or NULL (see has_hessian)

    cdef double value_grad(self, const double* coef, double* grad) noexcept nogil:
        """f(coef); writes the gradient into ``grad``."""
        return 0.0

    cdef double value(self, const double* coef) noexcept nogil:
        """f(coef) alone (a cheaper pass where the loss allows it)."""
        return 0.0

    cdef void hess_vec(self, const double* v, double* out) noexcept nogil:
        """Hessian times ``v`` (used to estimate the Lipschitz constant)."""
        pass

    cdef bint hessian(self, const double* coef, double* out) noexcept nogil:
        """Dense Hessian (n_coef x n_coef, row-major) into ``out``; False if unavailable."""
        return False

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        """Unbiased mini-batch estimate of f and its gradient from the given rows.

        The data term's weighted sum over ``rows`` is scaled by
        ``n_samples / (n_rows * sum_s)`` (so its expectation over a uniform
        batch is the full data term); the penalty is added in full. Returns
        NaN when the objective has no mini-batch form.
        """
        return NAN

    def __dealloc__(self):
        free(self.hess)


cdef void _batch_squared_sums(
    const floating* X, const floating* y, const floating* sw, const Py_ssize_t* rows,
    Py_ssize_t n_rows, const double* w, double b, Py_ssize_t p, double* acc,
) noexcept nogil:
    """Gradient sums of the squared loss over the listed rows (``acc`` as the fused pass)."""
    cdef Py_ssize_t t, i
    cdef double r, s, sum_r = 0.0, sum_r2 = 0.0
    for t in range(n_rows):
        i = rows[t]
        r = _sample_residual(X + i * p, <double>y[i], w, b, p)
        s = 1.0 if sw == NULL else <double>sw[i]
        sum_r += s * r
        sum_r2 += s * r * r
        _axpy(s * r, X + i * p, acc, p)
    acc[p + SUM_R] = sum_r
    acc[p + SUM_R2] = sum_r2


cdef class SquaredObjective(Objective):
    """Weighted least squares with an L2 penalty, optionally centred::

        f(w, c) = 0.5 * sum_i s_i ((x_i - m) . w + c - y_i)**2 / sum_s
                  + 0.5 * alpha * ||w||**2

    With ``m`` the weighted column means, the intercept ``c`` decouples from
    ``w`` (the Hessian is block diagonal), which keeps gradient methods as
    well conditioned as on centred data -- without a centred copy of ``X``:
    the pass runs on the raw rows with the intercept ``c - m . w``, and the
    gradient is corrected by ``-m * sum_i s_i r_i / sum_s`` afterwards.
    The fitted intercept of the raw model is ``b = c - m . w``.
    """
    cdef object _keep              # the arrays the pointers below point into
    cdef bint f32
    cdef const float* X32
    cdef const float* y32
    cdef const float* sw32
    cdef const float* zero32
    cdef const double* X64
    cdef const double* y64
    cdef const double* sw64
    cdef const double* zero64
    cdef Py_ssize_t n, p
    cdef int n_threads
    cdef readonly double alpha
    cdef readonly bint fit_intercept
    cdef double sum_s              # total sample weight (n when unweighted)
    cdef double* mean              # p column means (zeros when not centring)
    cdef double* raw               # allocation behind acc
    cdef double* acc               # n_threads aligned accumulator rows

    def __init__(self, X, y, sample_weight, mean, double alpha, bint fit_intercept, int n_threads):
        cdef Py_ssize_t j, stride
        cdef const float[:, ::1] X32v
        cdef const float[::1] v32
        cdef const double[:, ::1] X64v
        cdef const double[::1] v64
        cdef const double[::1] mv = mean
        n, p = X.shape
        if n < 1 or p < 1 or y.shape[0] != n or mv.shape[0] != p:
            raise ValueError("SquaredObjective: inconsistent shapes")
        if sample_weight is not None and sample_weight.shape[0] != n:
            raise ValueError("SquaredObjective: sample_weight has the wrong length")
        if n_threads < 1:
            raise ValueError("SquaredObjective: n_threads must be >= 1")
        self.n, self.p = n, p
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.n_penalized = p
        self.n_coef = p + 1 if fit_intercept else p
        self.n_samples = n
        self.global_bound = True  # quadratic: hess_vec is the exact, constant Hessian
        self.sum_s = n if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
        self.n_threads = n_threads if _use_threads(n, p, n_threads) else 1
        zero = np.zeros(n, dtype=X.dtype)  # y = 0 turns the pass into X^T S X v
        self._keep = (X, y, sample_weight, zero)
        self.f32 = X.dtype == np.float32
        if self.f32:
            X32v = X
            self.X32 = &X32v[0, 0]
            v32 = y
            self.y32 = &v32[0]
            v32 = zero
            self.zero32 = &v32[0]
            if sample_weight is not None:
                v32 = sample_weight
                self.sw32 = &v32[0]
        else:
            X64v = X
            self.X64 = &X64v[0, 0]
            v64 = y
            self.y64 = &v64[0]
            v64 = zero
            self.zero64 = &v64[0]
            if sample_weight is not None:
                v64 = sample_weight
                self.sw64 = &v64[0]
        stride = _acc_stride(p)
        self.raw = <double*>calloc(self.n_threads * stride + p + LINE_DOUBLES, sizeof(double))
        if self.raw == NULL:
            raise MemoryError()
        self.acc = <double*>((<uintptr_t>self.raw + 63) & ~(<uintptr_t>63))
        self.mean = self.acc + self.n_threads * stride
        for j in range(p):
            self.mean[j] = mv[j]

    def __dealloc__(self):
        free(self.raw)

    def set_hessian(self, const double[:, ::1] H):
        """Store the (constant) Hessian for Newton's method."""
        cdef Py_ssize_t k = self.n_coef, i, j
        if H.shape[0] != k or H.shape[1] != k:
            raise ValueError("set_hessian: H must be (n_coef, n_coef)")
        if self.hess == NULL:
            self.hess = <double*>malloc(k * k * sizeof(double))
            if self.hess == NULL:
                raise MemoryError()
        for i in range(k):
            for j in range(k):
                self.hess[i * k + j] = H[i, j]

    cdef double _pass(self, const double* w, double b, bint with_grad, bint zero_y) noexcept nogil:
        """Run the fused pass; returns sum_s. Sums are left in ``acc``."""
        memset(self.acc, 0, self.n_threads * _acc_stride(self.p) * sizeof(double))
        if self.f32:
            _fused_pass(self.X32, self.zero32 if zero_y else self.y32, self.sw32, w, b,
                        self.n, self.p, self.n_threads, with_grad, self.acc)
        else:
            _fused_pass(self.X64, self.zero64 if zero_y else self.y64, self.sw64, w, b,
                        self.n, self.p, self.n_threads, with_grad, self.acc)
        return self.acc[self.p + SUM_S]

    cdef double _raw_intercept(self, const double* coef) noexcept nogil:
        cdef double b = 0.0
        cdef Py_ssize_t j
        if self.fit_intercept:
            b = coef[self.p]
            for j in range(self.p):
                b -= self.mean[j] * coef[j]
        return b

    cdef double _grad(self, const double* coef, double* grad, bint zero_y) noexcept nogil:
        """The gradient at ``coef`` (of the objective with y = 0 if ``zero_y``); returns f."""
        cdef Py_ssize_t j, p = self.p
        cdef double sum_s = self._pass(coef, self._raw_intercept(coef), True, zero_y)
        cdef double mean_r = self.acc[p + SUM_R] / sum_s
        cdef double w_sq = 0.0
        for j in range(p):
            grad[j] = self.acc[j] / sum_s - self.mean[j] * mean_r + self.alpha * coef[j]
            w_sq += coef[j] * coef[j]
        if self.fit_intercept:
            grad[p] = mean_r
        return 0.5 * self.acc[p + SUM_R2] / sum_s + 0.5 * self.alpha * w_sq

    cdef double value_grad(self, const double* coef, double* grad) noexcept nogil:
        return self._grad(coef, grad, False)

    cdef double value(self, const double* coef) noexcept nogil:
        cdef Py_ssize_t j
        cdef double sum_s = self._pass(coef, self._raw_intercept(coef), False, False)
        cdef double w_sq = 0.0
        for j in range(self.p):
            w_sq += coef[j] * coef[j]
        return 0.5 * self.acc[self.p + SUM_R2] / sum_s + 0.5 * self.alpha * w_sq

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        cdef Py_ssize_t j, p = self.p
        cdef double scale = <double>self.n / (<double>n_rows * self.sum_s)
        cdef double w_sq = 0.0, sum_r
        memset(self.acc, 0, _acc_stride(p) * sizeof(double))
        if self.f32:
            _batch_squared_sums(self.X32, self.y32, self.sw32, rows, n_rows, coef,
                                self._raw_intercept(coef), p, self.acc)
        else:
            _batch_squared_sums(self.X64, self.y64, self.sw64, rows, n_rows, coef,
                                self._raw_intercept(coef), p, self.acc)
        sum_r = self.acc[p + SUM_R]
        for j in range(p):
            grad[j] = scale * (self.acc[j] - self.mean[j] * sum_r) + self.alpha * coef[j]
            w_sq += coef[j] * coef[j]
        if self.fit_intercept:
            grad[p] = scale * sum_r
        return 0.5 * scale * self.acc[p + SUM_R2] + 0.5 * self.alpha * w_sq

    def py_batch_value_grad(self, const double[::1] coef, const Py_ssize_t[::1] rows):
        """Test hook: ``(f, grad)`` estimated from the given rows."""
        if coef.shape[0] != self.n_coef:
            raise ValueError("coef has the wrong length")
        if rows.shape[0] < 1 or np.min(rows) < 0 or np.max(rows) >= self.n:
            raise ValueError("rows must be a non-empty array of row indices")
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f = self.batch_value_grad(&coef[0], &rows[0], rows.shape[0], &g[0])
        return f, grad

    cdef void hess_vec(self, const double* v, double* out) noexcept nogil:
        # The objective is quadratic, so H v is its gradient at v with y = 0
        # (for any centring vector m, intercept coupling included).
        self._grad(v, out, True)

    cdef bint hessian(self, const double* coef, double* out) noexcept nogil:
        if self.hess == NULL:
            return False
        memcpy(out, self.hess, self.n_coef * self.n_coef * sizeof(double))
        return True

    def py_value_grad(self, const double[::1] coef):
        """Test hook: ``(f, grad)`` at ``coef``."""
        if coef.shape[0] != self.n_coef:
            raise ValueError("coef has the wrong length")
        grad = np.empty(self.n_coef)
        cdef double[::1] g = grad
        cdef double f = self.value_grad(&coef[0], &g[0])
        return f, grad

    def py_hess_vec(self, const double[::1] v):
        """Test hook: Hessian times ``v``."""
        if v.shape[0] != self.n_coef:
            raise ValueError("v has the wrong length")
        out = np.empty(self.n_coef)
        cdef double[::1] o = out
        self.hess_vec(&v[0], &o[0])
        return out
