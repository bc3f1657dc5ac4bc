# The multinomial objective on a CSR matrix (included by ``_sparse_glm.pxi``).
#
# Same objective, centring and bookkeeping as ``MultinomialObjective``; only
# the pass differs: per group of up to eight rows the K scores of each row
# come from one walk over its stored entries, the softmax step is the dense
# pass's ``_mn_block``, and the K pointwise gradients are scattered back in a
# second walk over the same entries (still in cache).
#
# Newton-CG needs the exact Hessian at a point: ``set_curvature_point``
# stores the n x K class probabilities (one pass) and ``py_hess_vec_stored``
# applies sum_i s_i (diag(p_i) - p_i p_i^T) (x) z_i z_i^T / sum_s (+ l2) to a
# vector in one pass (MN_STORED).


cdef enum:
    MN_STORED = 3   # the exact curvature at the stored probabilities times a vector
    MN_PROB = 4     # record the class probabilities (no sums)


cdef void _csr_mn_rows(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,        # K * p, class-major
    const double* b,        # K raw intercepts
    Py_ssize_t p,
    Py_ssize_t K,
    Py_ssize_t start,
    Py_ssize_t stop,
    int mode,
    double* acc,            # K * p gradient sums, K intercept sums, the loss
    double* e,              # 8 * K scratch
    double* prob,           # n * K stored probabilities (MN_STORED reads, MN_PROB writes)
) noexcept nogil:
    cdef Py_ssize_t i, r, k, kk, j, nr
    cdef double s[8]
    cdef double x, u, mx, tot, pbar
    cdef double loss = 0.0
    cdef double* rsum = acc + K * p
    cdef const double* pr
    i = start
    while i < stop:
        nr = min(8, stop - i)
        for r in range(nr):
            for k in range(K):
                e[8 * k + r] = 0.0
            for kk in range(indptr[i + r], indptr[i + r + 1]):
                x = <double>data[kk]
                j = indices[kk]
                for k in range(K):
                    e[8 * k + r] += x * W[k * p + j]
        _mn_weights(sw, i, nr, s)
        if mode == MN_PROB:
            for r in range(nr):
                mx = -INFINITY
                for k in range(K):
                    u = e[8 * k + r] + b[k]
                    e[8 * k + r] = u
                    mx = u if u > mx else mx
                tot = 0.0
                for k in range(K):
                    u = exp(e[8 * k + r] - mx)
                    prob[(i + r) * K + k] = u
                    tot += u
                for k in range(K):
                    prob[(i + r) * K + k] /= tot
            i += nr
            continue
        if mode == MN_STORED:
            for r in range(nr):
                pr = prob + (i + r) * K
                pbar = 0.0
                for k in range(K):
                    e[8 * k + r] += b[k]
                    pbar += pr[k] * e[8 * k + r]
                for k in range(K):
                    u = s[r] * pr[k] * (e[8 * k + r] - pbar)
                    e[8 * k + r] = u
                    rsum[k] += u
        else:
            loss += _mn_block(e, nr, K, b, y + i, s, mode, rsum)
        if mode != MN_VALUE:
            for r in range(nr):
                for kk in range(indptr[i + r], indptr[i + r + 1]):
                    x = <double>data[kk]
                    j = indices[kk]
                    for k in range(K):
                        acc[k * p + j] += e[8 * k + r] * x
        i += nr
    acc[K * p + K] += loss

cdef void _csr_mn_rows_indexed(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,
    const double* b,
    Py_ssize_t p,
    Py_ssize_t K,
    const Py_ssize_t* rows,
    Py_ssize_t n_rows,
    double* acc,
    double* e,              # 8 * K scratch (column 0 used)
) noexcept nogil:
    """Gradient sums over the listed rows (a mini-batch), one row at a time."""
    cdef Py_ssize_t t, i, k, kk, j
    cdef double s[1]
    cdef double x
    cdef double loss = 0.0
    for t in range(n_rows):
        i = rows[t]
        for k in range(K):
            e[8 * k] = 0.0
        for kk in range(indptr[i], indptr[i + 1]):
            x = <double>data[kk]
            j = indices[kk]
            for k in range(K):
                e[8 * k] += x * W[k * p + j]
        s[0] = 1.0 if sw == NULL else <double>sw[i]
        loss += _mn_block(e, 1, K, b, y + i, s, MN_GRAD, acc + K * p)
        for kk in range(indptr[i], indptr[i + 1]):
            x = <double>data[kk]
            j = indices[kk]
            for k in range(K):
                acc[k * p + j] += e[8 * k] * x
    acc[K * p + K] += loss


cdef void _csr_mn_pass(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const Py_ssize_t* y,
    const floating* sw,
    const double* W,
    const double* b,
    Py_ssize_t n,
    Py_ssize_t p,
    Py_ssize_t K,
    int n_threads,
    int mode,
    double* acc,
    Py_ssize_t stride,
    Py_ssize_t n_sums,
    double* prob,
) noexcept nogil:
    """Sums over all rows; the total ends up in the first row of ``acc``."""
    cdef Py_ssize_t scratch = (n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES
    cdef Py_ssize_t chunk, start, stop, j
    cdef double* row
    cdef int t
    if n_threads <= 1:
        _csr_mn_rows(data, indices, indptr, y, sw, W, b, p, K, 0, n, mode, acc, acc + scratch, prob)
        return
    chunk = (n + n_threads - 1) // n_threads
    with parallel(num_threads=n_threads):
        for t in prange(n_threads, schedule="static"):
            start = t * chunk
            stop = min(start + chunk, n)
            row = acc + t * stride
            if start < stop:
                _csr_mn_rows(data, indices, indptr, y, sw, W, b, p, K, start, stop, mode,
                             row, row + scratch, prob)
    if mode == MN_PROB:
        return
    for t in range(1, n_threads):
        for j in range(n_sums):
            acc[j] += acc[t * stride + j]


cdef class SparseMultinomialObjective(MultinomialObjective):
    """``MultinomialObjective`` on a canonical CSR ``X`` (float32/64, int32/64 indices).

    The dense Hessian (``solver="newton"``, small p) is assembled from dense
    row blocks; Newton-CG uses ``set_curvature_point`` and
    ``py_hess_vec_stored`` instead and never forms it.
    """
    cdef CsrView csr
    cdef object _prob_arr
    cdef double* prob
    cdef bint prob_set

    def __init__(self, X, y, Py_ssize_t n_classes, sample_weight, mean,
                 double l2, bint fit_intercept, int n_threads):
        cdef Py_ssize_t j, n, p, K = n_classes
        cdef const Py_ssize_t[::1] yv
        cdef const double[::1] mv
        cdef double[::1] pv
        name = "SparseMultinomialObjective"
        if K < 2:
            raise ValueError(f"{name}: n_classes must be >= 2, got {K}")
        n, p = X.shape if hasattr(X, "shape") else (0, 0)
        y = np.asarray(y)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{name}: y must hold {n} integer class indices")
        if n and (y.min() < 0 or y.max() >= K):
            raise ValueError(f"{name}: class indices must lie in 0..{K - 1}")
        y = np.ascontiguousarray(y, dtype=np.intp)
        # _csr_check wants y in X's dtype; the class indices are kept apart
        dummy = np.zeros(n, dtype=getattr(X, "dtype", np.float64))
        data, indices, indptr, _, sample_weight = _csr_check(name, X, dummy, sample_weight, n_threads)
        if mean is None:
            mean = np.zeros(p)
        mean = np.ascontiguousarray(mean, dtype=np.float64)
        if mean.shape != (p,) or not np.all(np.isfinite(mean)):
            raise ValueError(f"{name}: mean must be a finite vector of shape ({p},)")
        if not (l2 >= 0 and l2 < INFINITY):
            raise ValueError(f"{name}: l2 must be finite and >= 0, got {l2}")
        _csr_view(&self.csr, X, data, indices, indptr, dummy, sample_weight)
        self.n, self.p, self.n_classes = n, p, K
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.sum_s = float(n) if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
        self.n_penalized = K * p
        self.n_coef = K * p + K if fit_intercept else K * p
        self.n_samples = n
        self.global_bound = True
        self.n_threads = n_threads if _csr_threads_pay(self.csr.nnz, K * p, n_threads) else 1
        self._keep = (None, y, sample_weight, mean, data, indices, indptr, dummy, X)
        yv = y
        self.y = &yv[0]
        self.f32 = self.csr.f32
        self.X32 = self.sw32 = NULL
        self.X64 = self.sw64 = NULL
        self.n_sums = K * p + K + 1
        self.stride = ((self.n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES + K) * LINE_DOUBLES
        free(self.raw)
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
        self._prob_arr = np.zeros(n * K)
        pv = self._prob_arr
        self.prob = &pv[0]
        self.prob_set = False

    cdef void _run(self, const double* coef, int mode) noexcept nogil:
        cdef CsrView* c = &self.csr
        self._raw_intercepts(coef)
        memset(self.acc, 0, self.n_threads * self.stride * sizeof(double))
        if c.f32 and c.i64:
            _csr_mn_pass(<const float*>c.data, <const long long*>c.indices,
                         <const long long*>c.indptr, self.y, <const float*>c.sw, coef, self.b,
                         self.n, self.p, self.n_classes, self.n_threads, mode, self.acc,
                         self.stride, self.n_sums, self.prob)
        elif c.f32:
            _csr_mn_pass(<const float*>c.data, <const int*>c.indices,
                         <const int*>c.indptr, self.y, <const float*>c.sw, coef, self.b,
                         self.n, self.p, self.n_classes, self.n_threads, mode, self.acc,
                         self.stride, self.n_sums, self.prob)
        elif c.i64:
            _csr_mn_pass(<const double*>c.data, <const long long*>c.indices,
                         <const long long*>c.indptr, self.y, <const double*>c.sw, coef, self.b,
                         self.n, self.p, self.n_classes, self.n_threads, mode, self.acc,
                         self.stride, self.n_sums, self.prob)
        else:
            _csr_mn_pass(<const double*>c.data, <const int*>c.indices,
                         <const int*>c.indptr, self.y, <const double*>c.sw, coef, self.b,
                         self.n, self.p, self.n_classes, self.n_threads, mode, self.acc,
                         self.stride, self.n_sums, self.prob)

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        cdef Py_ssize_t scratch = (self.n_sums + LINE_DOUBLES - 1) // LINE_DOUBLES * LINE_DOUBLES
        cdef CsrView* c = &self.csr
        cdef double scale
        if n_rows < 1:
            return NAN
        scale = <double>self.n / (<double>n_rows * self.sum_s)
        self._raw_intercepts(coef)
        memset(self.acc, 0, self.stride * sizeof(double))
        if c.f32 and c.i64:
            _csr_mn_rows_indexed(<const float*>c.data, <const long long*>c.indices,
                                 <const long long*>c.indptr, self.y, <const float*>c.sw, coef,
                                 self.b, self.p, self.n_classes, rows, n_rows, self.acc,
                                 self.acc + scratch)
        elif c.f32:
            _csr_mn_rows_indexed(<const float*>c.data, <const int*>c.indices,
                                 <const int*>c.indptr, self.y, <const float*>c.sw, coef,
                                 self.b, self.p, self.n_classes, rows, n_rows, self.acc,
                                 self.acc + scratch)
        elif c.i64:
            _csr_mn_rows_indexed(<const double*>c.data, <const long long*>c.indices,
                                 <const long long*>c.indptr, self.y, <const double*>c.sw, coef,
                                 self.b, self.p, self.n_classes, rows, n_rows, self.acc,
                                 self.acc + scratch)
        else:
            _csr_mn_rows_indexed(<const double*>c.data, <const int*>c.indices,
                                 <const int*>c.indptr, self.y, <const double*>c.sw, coef,
                                 self.b, self.p, self.n_classes, rows, n_rows, self.acc,
                                 self.acc + scratch)
        self._finish_grad(coef, scale, grad)
        return scale * self.acc[self.n_sums - 1] + self._penalty(coef)

    cdef bint hessian(self, const double* coef, double* out) noexcept nogil:
        cdef bint ok
        with gil:
            try:
                self._sparse_hessian(coef, out)
                ok = True
            except Exception:
                ok = False   # Newton reports NO_HESSIAN; no crash
        return ok

    cdef _sparse_hessian(self, const double* coef, double* out):
        """The exact dense Hessian (small p only: solver="newton" asks for it).

        Same blocks as ``MultinomialObjective._hessian``, with the class
        probabilities from the CSR pass and the Gram products on dense row
        blocks of X (``_DenseRowBlocks``).
        """
        from fastgrad.linear_model._gram import curvature_gram

        cdef Py_ssize_t K = self.n_classes, p = self.p, nc = self.n_coef, kp = K * p, k, l, t
        X = self._keep[8]
        sw = self._keep[2]
        with nogil:
            self._run(coef, MN_PROB)
        self.prob_set = True
        P = self._prob_arr.reshape(self.n, K)
        s = (np.ones(self.n) if sw is None else sw.astype(np.float64)) / self.sum_s
        cols = []
        for k in range(K):
            for l in range(k, K):
                cols.append(s * P[:, k] * ((1.0 if k == l else 0.0) - P[:, l]))
        G, a, ssum = curvature_gram(_DenseRowBlocks(X), np.column_stack(cols), self._keep[3])
        H = np.asarray(<double[:nc, :nc]> out)
        H[...] = 0.0
        t = 0
        for k in range(K):
            for l in range(k, K):
                H[k * p:(k + 1) * p, l * p:(l + 1) * p] = G[t]
                H[l * p:(l + 1) * p, k * p:(k + 1) * p] = G[t].T
                if self.fit_intercept:
                    H[k * p:(k + 1) * p, kp + l] = a[t]
                    H[l * p:(l + 1) * p, kp + k] = a[t]
                    H[kp + l, k * p:(k + 1) * p] = a[t]
                    H[kp + k, l * p:(l + 1) * p] = a[t]
                    H[kp + k, kp + l] = ssum[t]
                    H[kp + l, kp + k] = ssum[t]
                t += 1
        idx = np.arange(kp)
        H[idx, idx] += self.l2
        if not np.all(np.isfinite(H)):
            raise FloatingPointError("non-finite Hessian")

    def set_curvature_point(self, coef):
        """Record the class probabilities at ``coef`` for ``py_hess_vec_stored``."""
        cdef const double[::1] c = self._check_coef(coef)
        with nogil:
            self._run(&c[0], MN_PROB)
        self.prob_set = True

    def py_hess_vec_stored(self, v):
        """The exact Hessian at the stored point times ``v``."""
        cdef const double[::1] c = self._check_coef(v, "v")
        out = np.empty(self.n_coef)
        cdef double[::1] o = out
        if not self.prob_set:
            self.set_curvature_point(np.zeros(self.n_coef))
        with nogil:
            self._run(&c[0], MN_STORED)
            self._finish_grad(&c[0], 1.0 / self.sum_s, &o[0])
        return out
