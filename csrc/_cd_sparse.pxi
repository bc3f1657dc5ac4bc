# Coordinate descent over the columns of a CSC matrix (included by
# ``_cd_fast.pyx``, after its scalar helpers and ``_duality_gap``).
#
# Same mean-scale objective as the dense residual loop, on the centred,
# weighted problem, but X is never centred or densified. With column means
# ``m`` (zero without an intercept) the centred column is ``u_j = x_j - m_j``
# and the residual of the centred problem is stored as
#
#     r_i = rt_i + c          (rt dense, length n; c one scalar)
#
# so a step ``w_j += delta`` costs O(nnz_j): ``rt -= delta * x_j`` on the
# stored entries and ``c += delta * m_j`` for the constant part.
# (scikit-learn's sparse CD instead touches all n residuals whenever a
# coefficient moves and there is an intercept.) With ``R = sum_i s_i r_i``
# and ``sx_j = sum_i s_i x_ij`` (stored entries only):
#
#     sum_i s_i u_ij r_i = sum_nz s_i x_ij rt_i + c sx_j - m_j R
#     sum_i s_i u_ij^2   = sum_nz s_i x_ij^2 - 2 m_j sx_j + m_j^2 sum(s)
#
# and a step changes ``R`` by ``-delta (sx_j - m_j sum(s))`` (zero when
# ``m`` is the weighted mean, kept for exactness without centring).

# Index type of the CSC arrays. ``_sparse_squared.pxi`` defines the same
# fused type as ``sparse_index``, but inside ``_solvers_fast``: this is a
# separate extension module, so it needs its own declaration.
ctypedef fused cd_index:
    int
    long long


cdef inline double _csc_dot(
    const floating* data, const cd_index* indices, Py_ssize_t k0, Py_ssize_t k1,
    const double* s, const double* v,
) noexcept nogil:
    """sum_k s[i_k] * data[k] * v[i_k] over stored entries [k0, k1)."""
    cdef double total = 0.0
    cdef Py_ssize_t k
    if s == NULL:
        for k in range(k0, k1):
            total += <double>data[k] * v[indices[k]]
    else:
        for k in range(k0, k1):
            total += s[indices[k]] * <double>data[k] * v[indices[k]]
    return total


cdef void _fold_offset(
    double* rt, double* c, const double* s, const double* y, Py_ssize_t n,
    double* R, double* r2, double* ry,
) noexcept nogil:
    """Fold ``c`` into ``rt`` (so ``rt`` is the residual) and return its moments.

    ``R = sum s r``, ``r2 = sum s r^2``, ``ry = sum s r y`` (not divided by n).
    Also clears the drift the O(1) updates of ``R`` accumulate.
    """
    cdef Py_ssize_t i
    cdef double si, ri, sr = 0.0, srr = 0.0, sry = 0.0
    for i in range(n):
        ri = rt[i] + c[0]
        rt[i] = ri
        si = 1.0 if s == NULL else s[i]
        sr += si * ri
        srr += si * ri * ri
        sry += si * ri * y[i]
    c[0] = 0.0
    R[0] = sr
    r2[0] = srr
    ry[0] = sry


cdef double _sparse_gap(
    const floating* data, const cd_index* indices, const cd_index* indptr,
    const double* y, const double* s, const double* m, const double* w,
    double* rt, double* c, double* R, double* xtr,
    Py_ssize_t n, Py_ssize_t p, double l1, double l2, bint positive,
    int n_threads, Py_ssize_t nnz,
) noexcept nogil:
    """Duality gap at ``w``: one O(n) fold, then X_c^T S r / n column by column."""
    cdef double r2, ry, inv_n = 1.0 / n
    cdef Py_ssize_t j
    _fold_offset(rt, c, s, y, n, R, &r2, &ry)
    if n_threads > 1 and nnz + p >= SERIAL_MAX_WORK:
        for j in prange(p, nogil=True, schedule="guided", num_threads=n_threads):
            xtr[j] = (_csc_dot(data, indices, indptr[j], indptr[j + 1], s, rt)
                      - m[j] * R[0]) * inv_n
    else:
        for j in range(p):
            xtr[j] = (_csc_dot(data, indices, indptr[j], indptr[j + 1], s, rt)
                      - m[j] * R[0]) * inv_n
    return _duality_gap(w, xtr, p, r2 * inv_n, ry * inv_n, l1, l2, <double>n, positive)


cdef int _sparse_cd(
    const floating* data,   # CSC: column j is data[indptr[j]:indptr[j+1]]
    const cd_index* indices,
    const cd_index* indptr,
    const double* y,        # (n,) centred target
    const double* s,        # (n,) weights summing to n, or NULL for ones
    const double* m,        # (p,) column means to centre with (zeros: none)
    double* w,              # (p,) start point in, solution out
    double* rt,             # (n,) scratch: residual without its offset
    double* norms,          # (p,) scratch: sum s u_j^2 / n
    double* sx,             # (p,) scratch: sum s x_j
    double* xtr,            # (p,) scratch: X_c^T S r / n
    Py_ssize_t n,
    Py_ssize_t p,
    double l1,
    double l2,
    int max_iter,
    double tol,
    bint positive,
    bint random,
    uint64_t seed,
    int n_threads,
    int verbose,
    double* loss_curve,
    int* n_iter,
    double* gap_out,
) noexcept nogil:
    cdef Py_ssize_t epoch, f, j, i, k, k0, k1
    cdef Py_ssize_t nnz = indptr[p] - indptr[0]
    cdef double inv_n = 1.0 / n
    cdef double w_j, new, z, delta, d_w_max, w_max, objective, mj, sj, sq, sum_s
    cdef double c = 0.0, R = 0.0, r2, ry, yy = 0.0
    cdef double gap = 0.0, nan = NAN
    cdef uint64_t state = seed | 1

    sum_s = 0.0
    for i in range(n):
        sj = 1.0 if s == NULL else s[i]
        sum_s += sj
        yy += sj * y[i] * y[i]
        rt[i] = y[i]
    yy *= inv_n
    cdef double gap_tol = tol * yy

    for j in range(p):
        k0 = indptr[j]
        k1 = indptr[j + 1]
        sj = 0.0
        sq = 0.0
        for k in range(k0, k1):
            i = indices[k]
            if s == NULL:
                sj += <double>data[k]
                sq += <double>data[k] * <double>data[k]
            else:
                sj += s[i] * <double>data[k]
                sq += s[i] * <double>data[k] * <double>data[k]
        mj = m[j]
        sx[j] = sj
        # rounding can push a constant column's variance a hair below 0
        norms[j] = max(sq - 2.0 * mj * sj + mj * mj * sum_s, 0.0) * inv_n
        if w[j] != 0.0:
            for k in range(k0, k1):
                rt[indices[k]] -= w[j] * <double>data[k]
            c += w[j] * mj

    gap = _sparse_gap(data, indices, indptr, y, s, m, w, rt, &c, &R, xtr, n, p,
                      l1, l2, positive, n_threads, nnz)
    if gap <= gap_tol:
        n_iter[0] = 0
        gap_out[0] = gap
        return CONVERGED

    for epoch in range(max_iter):
        d_w_max = 0.0
        w_max = 0.0
        for f in range(p):
            j = _pick(f, p, random, &state)
            if norms[j] == 0.0:
                continue
            k0 = indptr[j]
            k1 = indptr[j + 1]
            mj = m[j]
            w_j = w[j]
            z = ((_csc_dot(data, indices, k0, k1, s, rt) + c * sx[j] - mj * R) * inv_n
                 + norms[j] * w_j)
            new = _coordinate_min(z, l1, norms[j] + l2, positive)
            if new != w_j:
                delta = new - w_j
                w[j] = new
                for k in range(k0, k1):
                    rt[indices[k]] -= delta * <double>data[k]
                c += delta * mj
                R -= delta * (sx[j] - mj * sum_s)
            d_w_max = max(d_w_max, fabs(new - w_j))
            w_max = max(w_max, fabs(new))

        r2 = 0.0
        for i in range(n):
            sj = 1.0 if s == NULL else s[i]
            r2 += sj * (rt[i] + c) * (rt[i] + c)
        objective = 0.5 * r2 * inv_n + l1 * _l1_norm(w, p) + 0.5 * l2 * _dot(w, w, p)
        loss_curve[epoch] = objective
        if not isfinite(objective):
            n_iter[0] = epoch + 1
            gap_out[0] = nan
            return NONFINITE
        gap = nan
        if w_max == 0.0 or d_w_max <= tol * w_max or epoch == max_iter - 1:
            gap = _sparse_gap(data, indices, indptr, y, s, m, w, rt, &c, &R, xtr, n, p,
                              l1, l2, positive, n_threads, nnz)
        _report(verbose, epoch, objective, d_w_max, gap)
        if gap <= gap_tol:
            n_iter[0] = epoch + 1
            gap_out[0] = gap
            return CONVERGED

    n_iter[0] = max_iter
    gap_out[0] = gap
    return MAX_ITER


def py_sparse_cd(
    const floating[::1] data,
    const cd_index[::1] indices,
    const cd_index[::1] indptr,
    Py_ssize_t n_samples,
    const double[::1] y,
    sample_weight,
    const double[::1] x_mean,
    double[::1] w,
    double l1,
    double l2,
    int max_iter,
    double tol,
    bint positive=False,
    bint random=False,
    unsigned long long seed=0,
    int n_threads=1,
    int verbose=0,
):
    """Sparse CD on a canonical CSC ``X`` (``data, indices, indptr``), centred implicitly.

    ``y`` (float64, length n) must already be centred; ``x_mean`` (float64,
    length p) holds the column means to centre ``X`` with (zeros for no
    intercept); ``sample_weight`` is None or float64 of length n summing to
    n. ``w`` (float64) is the start point and is overwritten with the
    solution. Returns ``(status, n_iter, gap, loss_curve)`` like
    ``py_residual_cd``. Test hook: only shapes are checked.
    """
    cdef Py_ssize_t n = n_samples, p = x_mean.shape[0]
    cdef int status, n_iter = 0
    cdef double gap = 0.0
    cdef const double[::1] s_v
    cdef const double* s_ptr = NULL
    if n < 1 or p < 1 or y.shape[0] != n or w.shape[0] != p or indptr.shape[0] != p + 1:
        raise ValueError(f"need n, p >= 1, y of length n, w and x_mean of length p and "
                         f"indptr of length p + 1, got n={n}, p={p}, y ({y.shape[0]},), "
                         f"w ({w.shape[0]},), indptr ({indptr.shape[0]},)")
    if indptr[0] != 0 or indptr[p] > data.shape[0] or indptr[p] > indices.shape[0]:
        raise ValueError("indptr does not fit data / indices")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    if sample_weight is not None:
        s_v = sample_weight
        if s_v.shape[0] != n:
            raise ValueError(f"sample_weight must have length {n}, got {s_v.shape[0]}")
        s_ptr = &s_v[0]
    curve = np.empty(max_iter, dtype=np.float64)
    rt = np.empty(n, dtype=np.float64)
    scratch = np.empty(3 * p, dtype=np.float64)
    cdef double[::1] curve_v = curve, rt_v = rt, sc = scratch
    # an all-zero matrix has empty data / indices: never index them
    cdef const floating* d_ptr = NULL
    cdef const cd_index* i_ptr = NULL
    if data.shape[0] > 0:
        d_ptr = &data[0]
    if indices.shape[0] > 0:
        i_ptr = &indices[0]
    with nogil:
        status = _sparse_cd(d_ptr, i_ptr, &indptr[0], &y[0], s_ptr, &x_mean[0], &w[0],
                            &rt_v[0], &sc[0], &sc[p], &sc[2 * p], n, p, l1, l2, max_iter,
                            tol, positive, random, seed, n_threads, verbose,
                            &curve_v[0], &n_iter, &gap)
    return status, n_iter, gap, curve[:n_iter].copy()
