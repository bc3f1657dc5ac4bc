# GLM objectives on a CSR matrix (included by ``_solvers_fast.pyx`` after
# ``_sparse_squared.pxi``, ``_glm_objectives.pxi`` and ``_multinomial.pxi``,
# whose ``sparse_index`` type, pointwise terms and objective classes it
# reuses).
#
# Each class is the dense objective of the same loss with its pass replaced:
# the subclass overrides only ``_run`` (and the mini-batch / dense-Hessian
# hooks, which the CSR path does not offer or offers through a slower
# route), so the value, gradient, centring, penalty and curvature
# bookkeeping are the dense objective's -- one implementation of the maths.
#
# Mini-batches (SGD, partial_fit) read the listed rows the same way.
#
# The pass reads each stored entry once per evaluation: per group of up to
# eight rows the linear predictors come from the rows' entries (a gather
# from w), the pointwise terms from the same kernels as the dense pass (the
# vectorised eight-sample logistic / Poisson kernels when the group is
# full), then each row's derivative is scattered back into the gradient.
# The intercept (and the implicit centring b = c - m . w) enters as a
# constant added to every predictor, so X is never densified. Cost per pass:
# O(nnz + p).
#
# Second order on a large p: ``set_curvature_point`` records the per-sample
# curvature at a point (one pass) and ``py_hess_vec_stored`` applies the
# exact Hessian there, X^T D X v (+ the intercept and penalty terms), in one
# pass that reads every row twice while it is in cache (forward product,
# then scatter). The Newton-CG driver (``linear_model/_newton_cg.py``) is
# built on these two.


cdef struct CsrView:
    bint f32
    bint i64
    const void* data
    const void* indices
    const void* indptr
    const void* y
    const void* sw
    Py_ssize_t n
    Py_ssize_t p
    Py_ssize_t nnz


cdef inline bint _csr_threads_pay(Py_ssize_t nnz, Py_ssize_t width, int n_threads) noexcept nogil:
    # the entries to read must dwarf the per-thread reduction of ``width`` sums
    return n_threads > 1 and nnz >= SERIAL_MAX_WORK and nnz >= 4 * width * n_threads


cdef void _csr_glm_rows(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const floating* y,
    const floating* sw,      # NULL: unit weights
    const double* w,
    const GlmArgs* a,
    Py_ssize_t p,
    Py_ssize_t start,
    Py_ssize_t stop,
    bint with_grad,
    double* acc,             # p gradient slots, then GLM_EXTRA sums
) noexcept nogil:
    """Add the GLM sums of CSR rows [start, stop) into ``acc``."""
    cdef Py_ssize_t i, r, k, nr
    cdef double e8[8]
    cdef double d8[8]
    cdef double y8[8]
    cdef double s8[8]
    cdef double l8[8]
    cdef double u, loss, sg, dd
    cdef double sum_loss = 0.0, sum_d = 0.0, sum_sig = 0.0
    cdef double b = a.b
    cdef int vec = _glm_vec_kind(a)
    i = start
    while i < stop:
        nr = min(8, stop - i)
        for r in range(nr):
            u = 0.0
            for k in range(indptr[i + r], indptr[i + r + 1]):
                u += <double>data[k] * w[indices[k]]
            e8[r] = u + b
            y8[r] = <double>y[i + r]
            s8[r] = 1.0 if sw == NULL else <double>sw[i + r]
        if vec and nr == 8:
            _glm_vec8(vec, a, e8, y8, s8, l8, d8)
            for r in range(8):
                sum_loss += l8[r]
                sum_d += d8[r]
        else:
            for r in range(nr):
                _glm_point(a, e8[r], y8[r], s8[r], i + r, &loss, &d8[r], &sg)
                sum_loss += loss
                sum_d += d8[r]
                sum_sig += sg
        if with_grad:
            for r in range(nr):
                dd = d8[r]
                if dd != 0.0:
                    for k in range(indptr[i + r], indptr[i + r + 1]):
                        acc[indices[k]] += dd * <double>data[k]
        i += nr
    acc[p + GLM_LOSS] += sum_loss
    acc[p + GLM_D] += sum_d
    acc[p + GLM_SIG] += sum_sig

cdef void _csr_glm_rows_indexed(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const floating* y,
    const floating* sw,
    const double* w,
    const GlmArgs* a,
    Py_ssize_t p,
    const Py_ssize_t* rows,
    Py_ssize_t n_rows,
    double* acc,             # zeroed: p gradient slots, then GLM_EXTRA sums
) noexcept nogil:
    """Loss and gradient sums over the listed rows (serial; for mini-batches)."""
    cdef Py_ssize_t t, i, k
    cdef double u, loss, dd, sg, s
    for t in range(n_rows):
        i = rows[t]
        u = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            u += <double>data[k] * w[indices[k]]
        s = 1.0 if sw == NULL else <double>sw[i]
        _glm_point(a, u + a.b, <double>y[i], s, i, &loss, &dd, &sg)
        acc[p + GLM_LOSS] += loss
        acc[p + GLM_D] += dd
        acc[p + GLM_SIG] += sg
        if dd != 0.0:
            for k in range(indptr[i], indptr[i + 1]):
                acc[indices[k]] += dd * <double>data[k]


cdef void _csr_glm_batch(const CsrView* c, const double* w, const GlmArgs* a,
                         const Py_ssize_t* rows, Py_ssize_t n_rows, double* acc) noexcept nogil:
    """``_csr_glm_rows_indexed`` on the view's dtypes."""
    if c.f32 and c.i64:
        _csr_glm_rows_indexed(<const float*>c.data, <const long long*>c.indices,
                              <const long long*>c.indptr, <const float*>c.y, <const float*>c.sw,
                              w, a, c.p, rows, n_rows, acc)
    elif c.f32:
        _csr_glm_rows_indexed(<const float*>c.data, <const int*>c.indices,
                              <const int*>c.indptr, <const float*>c.y, <const float*>c.sw,
                              w, a, c.p, rows, n_rows, acc)
    elif c.i64:
        _csr_glm_rows_indexed(<const double*>c.data, <const long long*>c.indices,
                              <const long long*>c.indptr, <const double*>c.y, <const double*>c.sw,
                              w, a, c.p, rows, n_rows, acc)
    else:
        _csr_glm_rows_indexed(<const double*>c.data, <const int*>c.indices,
                              <const int*>c.indptr, <const double*>c.y, <const double*>c.sw,
                              w, a, c.p, rows, n_rows, acc)


cdef double _sparse_batch_value_grad(
    _GlmObjective self, const CsrView* c, const double* coef, const Py_ssize_t* rows,
    Py_ssize_t n_rows, double* grad,
) noexcept nogil:
    """The dense objectives' mini-batch estimate (same scaling), from CSR rows."""
    cdef GlmArgs a
    cdef double scale, loss
    if n_rows < 1:
        return NAN
    if not self._setup(coef, &a):
        self._infeasible(grad)
        return INFINITY
    memset(self.acc, 0, _glm_stride(self.p) * sizeof(double))
    _csr_glm_batch(c, coef, &a, rows, n_rows, self.acc)
    scale = <double>self.n / (<double>n_rows * self.sum_s)
    loss = self.acc[self.p + GLM_LOSS]
    if self.has_y_const:
        loss += self._rows_const(rows, n_rows)
    self._centred_grad(coef, scale, grad)
    return scale * loss + self._penalty(coef)


cdef void _csr_glm_pass(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const floating* y,
    const floating* sw,
    const double* w,
    const GlmArgs* a,
    Py_ssize_t n,
    Py_ssize_t p,
    Py_ssize_t nnz,
    int n_threads,
    bint with_grad,
    double* acc,             # n_threads rows of _glm_stride(p), zeroed
) noexcept nogil:
    """Sums over all rows, serial or on threads; the total ends in acc's first row."""
    cdef Py_ssize_t stride = _glm_stride(p)
    cdef Py_ssize_t chunk, start, stop, j
    cdef int t
    if not _csr_threads_pay(nnz, p, n_threads):
        _csr_glm_rows(data, indices, indptr, y, sw, w, a, p, 0, n, with_grad, acc)
        return
    # one contiguous run of rows per thread: a fixed split, so fixed rounding
    chunk = (n + n_threads - 1) // n_threads
    with parallel(num_threads=n_threads):
        for t in prange(n_threads, schedule="static"):
            start = t * chunk
            stop = min(start + chunk, n)
            if start < stop:
                _csr_glm_rows(data, indices, indptr, y, sw, w, a, p, start, stop, with_grad,
                              acc + t * stride)
    for t in range(1, n_threads):
        for j in range(p + GLM_EXTRA):
            acc[j] += acc[t * stride + j]


cdef void _csr_glm_run(const CsrView* c, const double* w, const GlmArgs* a, int n_threads,
                       bint with_grad, double* acc) noexcept nogil:
    """``_csr_glm_pass`` on the view's dtypes."""
    if c.f32 and c.i64:
        _csr_glm_pass(<const float*>c.data, <const long long*>c.indices,
                      <const long long*>c.indptr, <const float*>c.y, <const float*>c.sw,
                      w, a, c.n, c.p, c.nnz, n_threads, with_grad, acc)
    elif c.f32:
        _csr_glm_pass(<const float*>c.data, <const int*>c.indices,
                      <const int*>c.indptr, <const float*>c.y, <const float*>c.sw,
                      w, a, c.n, c.p, c.nnz, n_threads, with_grad, acc)
    elif c.i64:
        _csr_glm_pass(<const double*>c.data, <const long long*>c.indices,
                      <const long long*>c.indptr, <const double*>c.y, <const double*>c.sw,
                      w, a, c.n, c.p, c.nnz, n_threads, with_grad, acc)
    else:
        _csr_glm_pass(<const double*>c.data, <const int*>c.indices,
                      <const int*>c.indptr, <const double*>c.y, <const double*>c.sw,
                      w, a, c.n, c.p, c.nnz, n_threads, with_grad, acc)


class _DenseRowBlocks:
    """Row slices of a CSR matrix as dense blocks: what ``curvature_gram`` reads.

    Only the dense-Hessian Newton path uses it (an explicit p x p Hessian is
    only sensible for a small p); the first-order and Newton-CG paths never
    densify X.
    """

    def __init__(self, X):
        self.X = X
        self.shape = X.shape

    def __getitem__(self, rows):
        return self.X[rows].toarray()


def _csr_check(name, X, y, sample_weight, n_threads):
    """Validated CSR parts; ValueError on bad input (the kernels trust them)."""
    import scipy.sparse as sp

    if not sp.issparse(X) or X.format != "csr":
        raise ValueError(f"{name}: X must be a scipy.sparse CSR matrix or array")
    if X.data.dtype != np.float32 and X.data.dtype != np.float64:
        raise ValueError(f"{name}: X must hold float32 or float64 values, got {X.data.dtype}")
    if X.indices.dtype != X.indptr.dtype or X.indices.dtype not in (np.int32, np.int64):
        raise ValueError(f"{name}: X's indices and indptr must share one dtype, int32 or int64")
    n, p = X.shape
    if n < 1 or p < 1:
        raise ValueError(f"{name}: X must have at least one row and one column, got {X.shape}")
    if not X.has_canonical_format:
        raise ValueError(f"{name}: X must be canonical (sorted indices, no duplicates)")
    if not np.all(np.isfinite(X.data)):
        raise ValueError(f"{name}: X must hold finite values")
    y = _glm_array(name, "y", y, n, X.dtype)
    if sample_weight is not None:
        sample_weight = _glm_array(name, "sample_weight", sample_weight, n, X.dtype)
        if not np.all(sample_weight >= 0):
            raise ValueError(f"{name}: sample_weight must be non-negative")
        sum_s = float(np.sum(sample_weight, dtype=np.float64))
        if not (sum_s > 0 and np.isfinite(sum_s)):
            raise ValueError(f"{name}: sample_weight must have a positive, finite sum")
    if n_threads < 1:
        raise ValueError(f"{name}: n_threads must be >= 1")
    data = np.ascontiguousarray(X.data)
    indices = np.ascontiguousarray(X.indices)
    indptr = np.ascontiguousarray(X.indptr)
    return data, indices, indptr, y, sample_weight


cdef _csr_view(CsrView* c, X, data, indices, indptr, y, sample_weight):
    c.f32 = data.dtype == np.float32
    c.i64 = indices.dtype == np.int64
    c.data = _address(data)
    c.indices = _address(indices)
    c.indptr = _address(indptr)
    c.y = _address(y)
    c.sw = NULL if sample_weight is None else _address(sample_weight)
    c.n, c.p = X.shape
    c.nnz = data.shape[0]


cdef _sparse_glm_init(_GlmObjective self, CsrView* c, name, X, y, sample_weight, mean,
                      double l2, bint fit_intercept, int n_threads, int kind, bint has_sigma):
    """What ``_glm_init`` sets, for a CSR ``X`` (same fields, CSR pointers in ``c``)."""
    cdef double[::1] buf
    data, indices, indptr, y, sample_weight = _csr_check(name, X, y, sample_weight, n_threads)
    n, p = X.shape
    mean = np.array(mean, dtype=np.float64, copy=True)
    if mean.shape != (p,) or not np.all(np.isfinite(mean)):
        raise ValueError(f"{name}: mean must be a finite vector of shape ({p},)")
    _csr_view(c, X, data, indices, indptr, y, sample_weight)
    self.n, self.p = n, p
    self.kind = kind
    self.has_sigma = has_sigma
    self.has_y_const = kind != GLM_LOGISTIC and kind != GLM_HUBER
    self.l2 = l2
    self.sum_s = float(n) if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
    self.fit_intercept = fit_intercept
    self.n_penalized = p
    self.n_coef = p + (1 if fit_intercept else 0) + (1 if has_sigma else 0)
    self.n_samples = n
    self.n_threads = n_threads if _csr_threads_pay(c.nnz, p, n_threads) else 1
    # _keep[0] feeds the dense-Hessian route (curvature_gram), [1], [2] as dense
    self._keep = (_DenseRowBlocks(X), y, sample_weight, data, indices, indptr)
    self.X32 = self.sw32 = NULL
    self.X64 = self.sw64 = NULL
    self.f32 = c.f32
    if c.f32:
        self.y32 = <const float*>c.y
        self.sw32 = <const float*>c.sw
    else:
        self.y64 = <const double*>c.y
        self.sw64 = <const double*>c.sw
    self.point_set = False
    self._mean_arr = mean
    buf = mean
    self.mean = &buf[0]
    width = 2 * n if has_sigma else n
    # logistic too: Newton-CG applies the exact Hessian at a stored point
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
    free(self.raw)
    self.raw = <double*>calloc(self.n_threads * _glm_stride(p) + LINE_DOUBLES, sizeof(double))
    if self.raw == NULL:
        raise MemoryError()
    self.acc = <double*>((<uintptr_t>self.raw + 63) & ~(<uintptr_t>63))


cdef void _glm_stored_hess_vec(_GlmObjective self, const double* v, double* out) noexcept nogil:
    """The exact Hessian at the stored point times ``v`` (any scalar-link kind)."""
    cdef GlmArgs a
    memset(&a, 0, sizeof(GlmArgs))
    a.b = self._raw_intercept(v)
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


def _hvp_stored(_GlmObjective self, v):
    """``py_hess_vec_stored`` of the sparse scalar-link objectives."""
    cdef const double[::1] vv = np.ascontiguousarray(v, dtype=np.float64)
    self._check_len(vv, "v")
    out = np.empty(self.n_coef)
    cdef double[::1] o = out
    with nogil:
        _glm_stored_hess_vec(self, &vv[0], &o[0])
    return out


cdef void _csr_diag_rows(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const double* h,
    Py_ssize_t n,
    double* sq,              # p: sum_i h_i x_ij^2
    double* lin,             # p: sum_i h_i x_ij
) noexcept nogil:
    """Column sums of the curvature-weighted squares and values (one serial pass)."""
    cdef Py_ssize_t i, k, j
    cdef double hi, x
    for i in range(n):
        hi = h[i]
        if hi != 0.0:
            for k in range(indptr[i], indptr[i + 1]):
                x = <double>data[k]
                j = indices[k]
                sq[j] += hi * x * x
                lin[j] += hi * x


cdef void _csr_diag(const CsrView* c, const double* h, double* sq, double* lin) noexcept nogil:
    if c.f32 and c.i64:
        _csr_diag_rows(<const float*>c.data, <const long long*>c.indices,
                       <const long long*>c.indptr, h, c.n, sq, lin)
    elif c.f32:
        _csr_diag_rows(<const float*>c.data, <const int*>c.indices, <const int*>c.indptr,
                       h, c.n, sq, lin)
    elif c.i64:
        _csr_diag_rows(<const double*>c.data, <const long long*>c.indices,
                       <const long long*>c.indptr, h, c.n, sq, lin)
    else:
        _csr_diag_rows(<const double*>c.data, <const int*>c.indices, <const int*>c.indptr,
                       h, c.n, sq, lin)


def _hess_diag_stored(_GlmObjective self, csr_address):
    """Diagonal of the exact Hessian at the stored point (Newton-CG's Jacobi preconditioner).

    In the centred coordinates: (sum h x_j^2 - 2 m_j sum h x_j + m_j^2 sum h) / sum_s + l2.
    """
    cdef const CsrView* c = <const CsrView*><uintptr_t>csr_address
    cdef Py_ssize_t p = self.p, n = self.n
    if not self.point_set:
        self._store_point(self.default_point)
    sq = np.zeros(p)
    lin = np.zeros(p)
    cdef double[::1] sqv = sq
    cdef double[::1] linv = lin
    with nogil:
        _csr_diag(c, self.point, &sqv[0], &linv[0])
    h = self._point_arr[:n]
    sum_h = float(np.sum(h))
    m = self._mean_arr
    out = np.empty(self.n_coef)
    out[:p] = (sq - 2.0 * m * lin + m * m * sum_h) / self.sum_s + self.l2
    if self.fit_intercept:
        out[p] = sum_h / self.sum_s
    if self.has_sigma:
        out[self.n_coef - 1] = self.point_h3 / self.sum_s
    return out


cdef class SparseLogisticObjective(LogisticObjective):
    """``LogisticObjective`` on a canonical CSR ``X`` (float32/64, int32/64 indices).

    ``hess_vec`` is the global bound (for first-order steps), as the dense
    objective's; ``set_curvature_point`` + ``py_hess_vec_stored`` give the
    exact Hessian at a point (Newton-CG).
    """
    cdef CsrView csr

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads):
        _glm_penalty("SparseLogisticObjective", "l2", l2)
        _sparse_glm_init(self, &self.csr, "SparseLogisticObjective", X, y, sample_weight, mean,
                         l2, fit_intercept, n_threads, GLM_LOGISTIC, False)
        y = self._keep[1]
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("SparseLogisticObjective: y must contain only 0 and 1")
        self.global_bound = True

    cdef void _run(self, const double* w, const GlmArgs* a, bint with_grad) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _glm_stride(self.p) * sizeof(double))
        _csr_glm_run(&self.csr, w, a, self.n_threads, with_grad, self.acc)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        return _sparse_batch_value_grad(self, &self.csr, coef, rows, n_rows, grad)

    def set_curvature_point(self, coef):
        """Record the exact curvature at ``coef`` for ``py_hess_vec_stored``."""
        self._set_point(np.ascontiguousarray(coef, dtype=np.float64))

    def py_hess_vec_stored(self, v):
        """The exact Hessian at the stored point times ``v``."""
        return _hvp_stored(self, v)

    def py_hess_diag_stored(self):
        """The diagonal of the exact Hessian at the stored point."""
        return _hess_diag_stored(self, <uintptr_t>&self.csr)


cdef class SparsePoissonObjective(PoissonObjective):
    """``PoissonObjective`` on a canonical CSR ``X`` (float32/64, int32/64 indices)."""
    cdef CsrView csr

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads):
        _glm_penalty("SparsePoissonObjective", "l2", l2)
        _sparse_glm_init(self, &self.csr, "SparsePoissonObjective", X, y, sample_weight, mean,
                         l2, fit_intercept, n_threads, GLM_POISSON, False)
        y, sw = self._keep[1], self._keep[2]
        if not np.all(y >= 0):
            raise ValueError("SparsePoissonObjective: y must be non-negative")
        yd = y.astype(np.float64)
        c = np.zeros_like(yd)
        pos = yd > 0
        c[pos] = yd[pos] * np.log(yd[pos]) - yd[pos]
        total = np.sum(c) if sw is None else np.dot(sw.astype(np.float64), c)
        self.const_term = float(total) / self.sum_s
        self.global_bound = False

    cdef void _run(self, const double* w, const GlmArgs* a, bint with_grad) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _glm_stride(self.p) * sizeof(double))
        _csr_glm_run(&self.csr, w, a, self.n_threads, with_grad, self.acc)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        return _sparse_batch_value_grad(self, &self.csr, coef, rows, n_rows, grad)

    def py_hess_vec_stored(self, v):
        """The exact Hessian at the stored point times ``v``."""
        return _hvp_stored(self, v)

    def py_hess_diag_stored(self):
        """The diagonal of the exact Hessian at the stored point."""
        return _hess_diag_stored(self, <uintptr_t>&self.csr)


cdef class SparseTweedieObjective(TweedieObjective):
    """``TweedieObjective`` on a canonical CSR ``X`` (float32/64, int32/64 indices)."""
    cdef CsrView csr

    def __init__(self, X, y, sample_weight, mean, double l2, bint fit_intercept, int n_threads,
                 double power, str link="log"):
        _glm_penalty("SparseTweedieObjective", "l2", l2)
        kind = _tweedie_kind("SparseTweedieObjective", power, link)
        _sparse_glm_init(self, &self.csr, "SparseTweedieObjective", X, y, sample_weight, mean,
                         l2, fit_intercept, n_threads, kind, False)
        self._tweedie_setup("SparseTweedieObjective", power, link)

    cdef void _run(self, const double* w, const GlmArgs* a, bint with_grad) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _glm_stride(self.p) * sizeof(double))
        _csr_glm_run(&self.csr, w, a, self.n_threads, with_grad, self.acc)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        return _sparse_batch_value_grad(self, &self.csr, coef, rows, n_rows, grad)

    def py_hess_vec_stored(self, v):
        """The (absolute-curvature) Hessian at the stored point times ``v``."""
        return _hvp_stored(self, v)

    def py_hess_diag_stored(self):
        """The diagonal of the (absolute-curvature) Hessian at the stored point."""
        return _hess_diag_stored(self, <uintptr_t>&self.csr)


cdef class SparseHuberObjective(HuberObjective):
    """``HuberObjective`` on a canonical CSR ``X`` (float32/64, int32/64 indices)."""
    cdef CsrView csr

    def __init__(self, X, y, sample_weight, mean, double alpha, double epsilon,
                 bint fit_intercept, int n_threads):
        _glm_penalty("SparseHuberObjective", "alpha", alpha)
        if not (epsilon >= 1.0 and np.isfinite(epsilon)):
            raise ValueError(f"SparseHuberObjective: epsilon must be finite and >= 1, got {epsilon}")
        _sparse_glm_init(self, &self.csr, "SparseHuberObjective", X, y, sample_weight, mean,
                         0.0, fit_intercept, n_threads, GLM_HUBER, True)
        self.alpha = alpha
        self.epsilon = epsilon
        self.l2 = 2.0 * alpha / self.sum_s
        self.global_bound = False

    cdef void _run(self, const double* w, const GlmArgs* a, bint with_grad) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _glm_stride(self.p) * sizeof(double))
        _csr_glm_run(&self.csr, w, a, self.n_threads, with_grad, self.acc)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        return _sparse_batch_value_grad(self, &self.csr, coef, rows, n_rows, grad)

    def py_hess_vec_stored(self, v):
        """The exact Hessian at the stored point times ``v``."""
        return _hvp_stored(self, v)

    def py_hess_diag_stored(self):
        """The diagonal of the exact Hessian at the stored point."""
        return _hess_diag_stored(self, <uintptr_t>&self.csr)


include "_sparse_multinomial.pxi"
