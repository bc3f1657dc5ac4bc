# The squared objective on a CSR matrix (included by ``_solvers_fast.pyx``
# after ``_squared_pass.pxi`` and ``_objective.pxi``, whose accumulator layout
# -- p gradient slots, then SUM_R, SUM_R2, SUM_S -- it reuses).
#
# Same objective and implicit centring as ``SquaredObjective``: the pass
# reads the raw rows (never a centred, densified copy) with the intercept
# ``c - m . w``, and the gradient gets ``-m * sum_i s_i r_i / sum_s``
# afterwards. Each pass costs O(nnz + p).

ctypedef fused sparse_index:
    int
    long long


cdef void _csr_rows(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const floating* y,
    const floating* sw,      # NULL: unit weights
    const double* w,
    double b,
    Py_ssize_t p,
    Py_ssize_t start,
    Py_ssize_t stop,
    bint with_grad,
    double* acc,             # p gradient slots, then N_EXTRA sums
) noexcept nogil:
    """Add the weighted squared-loss sums of CSR rows [start, stop) into ``acc``."""
    cdef Py_ssize_t i, k, k0, k1
    cdef double d, r, s, sr
    cdef double sum_r = 0.0, sum_r2 = 0.0, sum_s = 0.0
    for i in range(start, stop):
        k0 = indptr[i]
        k1 = indptr[i + 1]
        d = 0.0
        for k in range(k0, k1):
            d += <double>data[k] * w[indices[k]]
        r = d + b - <double>y[i]
        s = 1.0 if sw == NULL else <double>sw[i]
        sr = s * r
        sum_r += sr
        sum_r2 += sr * r
        sum_s += s
        if with_grad and sr != 0.0:
            for k in range(k0, k1):
                acc[indices[k]] += sr * <double>data[k]
    acc[p + SUM_R] += sum_r
    acc[p + SUM_R2] += sum_r2
    acc[p + SUM_S] += sum_s


cdef void _csr_pass(
    const floating* data,
    const sparse_index* indices,
    const sparse_index* indptr,
    const floating* y,
    const floating* sw,
    const double* w,
    double b,
    Py_ssize_t n,
    Py_ssize_t p,
    Py_ssize_t nnz,
    int n_threads,
    bint with_grad,
    double* acc,             # n_threads rows of _acc_stride(p), zeroed
) noexcept nogil:
    """Sums over all rows, serial or on threads; the total ends in acc's first row."""
    cdef Py_ssize_t stride = _acc_stride(p)
    cdef Py_ssize_t chunk, start, stop, j
    cdef int t
    # Threads pay when the entries to read dwarf the p-long reduction below.
    if n_threads <= 1 or nnz < SERIAL_MAX_WORK or nnz < 4 * p * n_threads:
        _csr_rows(data, indices, indptr, y, sw, w, b, p, 0, n, with_grad, acc)
        return
    # One contiguous run of rows per thread (fixed split: same bits per n_threads).
    chunk = (n + n_threads - 1) // n_threads
    with parallel(num_threads=n_threads):
        for t in prange(n_threads, schedule="static"):
            start = t * chunk
            stop = min(start + chunk, n)
            if start < stop:
                _csr_rows(data, indices, indptr, y, sw, w, b, p, start, stop, with_grad,
                          acc + t * stride)
    for t in range(1, n_threads):
        for j in range(p + N_EXTRA):
            acc[j] += acc[t * stride + j]


cdef class SparseSquaredObjective(SquaredObjective):
    """``SquaredObjective`` for a canonical CSR ``X`` (data, indices, indptr).

    ``X`` must be a ``scipy.sparse`` CSR matrix or array with float32/float64
    data and int32/int64 indices and index pointer of one dtype; ``y`` and
    ``sample_weight`` in the data's dtype (validated by the caller).
    """
    cdef bint i64
    cdef const void* data
    cdef const void* indices
    cdef const void* indptr
    cdef const void* yp
    cdef const void* zp
    cdef const void* swp
    cdef Py_ssize_t nnz

    def __init__(self, X, y, sample_weight, mean, double alpha, bint fit_intercept, int n_threads):
        n, p = X.shape
        if X.format != "csr" or X.indices.dtype != X.indptr.dtype:
            raise ValueError("SparseSquaredObjective: X must be CSR with one index dtype")
        if X.data.dtype != y.dtype or (sample_weight is not None and sample_weight.dtype != y.dtype):
            raise ValueError("SparseSquaredObjective: X, y and sample_weight need one dtype")
        zero = np.zeros(n, dtype=X.dtype)  # y = 0 turns the pass into X^T S X v
        data = np.ascontiguousarray(X.data)
        indices = np.ascontiguousarray(X.indices)
        indptr = np.ascontiguousarray(X.indptr)
        y = np.ascontiguousarray(y)
        self._setup(n, p, sample_weight, mean, alpha, fit_intercept, n_threads)
        self._keep = (data, indices, indptr, y, sample_weight, zero)
        self.nnz = data.shape[0]
        self.f32 = X.dtype == np.float32
        self.i64 = indices.dtype == np.int64
        self.data = _address(data)
        self.indices = _address(indices)
        self.indptr = _address(indptr)
        self.yp = _address(y)
        self.zp = _address(zero)
        self.swp = NULL if sample_weight is None else _address(sample_weight)

    cdef void _setup(self, Py_ssize_t n, Py_ssize_t p, sample_weight, mean, double alpha,
                     bint fit_intercept, int n_threads) except *:
        # What SquaredObjective.__init__ sets, minus its dense pointers.
        cdef const double[::1] mv = mean
        cdef Py_ssize_t j, stride
        if n < 1 or p < 1 or mv.shape[0] != p:
            raise ValueError("SparseSquaredObjective: inconsistent shapes")
        if sample_weight is not None and sample_weight.shape[0] != n:
            raise ValueError("SparseSquaredObjective: sample_weight has the wrong length")
        if n_threads < 1:
            raise ValueError("SparseSquaredObjective: n_threads must be >= 1")
        self.n, self.p = n, p
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.n_penalized = p
        self.n_coef = p + 1 if fit_intercept else p
        self.n_samples = n
        self.global_bound = True
        self.sum_s = n if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
        self.n_threads = n_threads
        stride = _acc_stride(p)
        self.raw = <double*>calloc(self.n_threads * stride + p + LINE_DOUBLES, sizeof(double))
        if self.raw == NULL:
            raise MemoryError()
        self.acc = <double*>((<uintptr_t>self.raw + 63) & ~(<uintptr_t>63))
        self.mean = self.acc + self.n_threads * stride
        for j in range(p):
            self.mean[j] = mv[j]

    cdef double batch_value_grad(
        self, const double* coef, const Py_ssize_t* rows, Py_ssize_t n_rows, double* grad
    ) noexcept nogil:
        return NAN  # no mini-batch form: the solvers here are full-batch

    cdef double _pass(self, const double* w, double b, bint with_grad, bint zero_y) noexcept nogil:
        memset(self.acc, 0, self.n_threads * _acc_stride(self.p) * sizeof(double))
        cdef const void* yv = self.zp if zero_y else self.yp
        if self.f32 and self.i64:
            _csr_pass(<const float*>self.data, <const long long*>self.indices,
                      <const long long*>self.indptr, <const float*>yv, <const float*>self.swp,
                      w, b, self.n, self.p, self.nnz, self.n_threads, with_grad, self.acc)
        elif self.f32:
            _csr_pass(<const float*>self.data, <const int*>self.indices,
                      <const int*>self.indptr, <const float*>yv, <const float*>self.swp,
                      w, b, self.n, self.p, self.nnz, self.n_threads, with_grad, self.acc)
        elif self.i64:
            _csr_pass(<const double*>self.data, <const long long*>self.indices,
                      <const long long*>self.indptr, <const double*>yv, <const double*>self.swp,
                      w, b, self.n, self.p, self.nnz, self.n_threads, with_grad, self.acc)
        else:
            _csr_pass(<const double*>self.data, <const int*>self.indices,
                      <const int*>self.indptr, <const double*>yv, <const double*>self.swp,
                      w, b, self.n, self.p, self.nnz, self.n_threads, with_grad, self.acc)
        return self.acc[self.p + SUM_S]


cdef const void* _address(arr):
    """Address of a contiguous numpy array's first element (kept alive by the caller)."""
    return <const void*><uintptr_t>arr.ctypes.data
