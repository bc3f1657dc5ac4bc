# Working-set coordinate descent for wide L1 problems (included by
# ``_cd_fast.pyx`` after ``_cd_path.pxi``, whose Anderson weights it reuses).
#
# The Python driver (``fastgrad.linear_model._cd_ws``) owns the outer loop:
# full gradient and duality gap, feature scores, the working set. This file
# has the three compiled pieces it calls:
#
# * ``py_ws_prepare``: weighted column sums ``sx_j = sum_i s_i x_ij`` and the
#   centred, weighted column norms ``||u_j||_s^2 / n`` (``u_j = x_j - m_j``),
#   once per fit;
# * ``py_ws_gradient``: ``X_c^T S r / n`` over all features (OpenMP threads);
# * ``py_ws_inner``: cyclic CD epochs over the working set only, with an
#   Anderson extrapolation attempt every ANDERSON_K epochs, until the duality
#   gap *of the working-set problem* is below a target the driver sets.
#
# X is either a Fortran-ordered dense array (column j at ``X + j * n``) or
# the data / indices / indptr of a CSC matrix. It is never centred or copied:
# as in ``_cd_sparse.pxi`` the centred residual is kept as ``r = rt + c``
# (``rt`` dense, ``c`` one scalar), so a step costs one pass over the
# column's stored entries. ``R = sum_i s_i r_i`` is carried along, and the
# squared residual norm is updated in O(1) per step (it is re-summed at
# every gap check, which also clears its rounding drift).


cdef inline double _ws_dot(
    bint is_sparse, const floating* X, const cd_index* indices, const cd_index* indptr,
    Py_ssize_t j, Py_ssize_t n, const double* s, const double* v,
) noexcept nogil:
    """sum_i s_i x_ij v_i over column j (stored entries only for CSC)."""
    cdef const floating* Xj
    cdef double total = 0.0
    cdef Py_ssize_t i
    if is_sparse:
        return _csc_dot(X, indices, indptr[j], indptr[j + 1], s, v)
    Xj = X + j * n
    if s == NULL:
        return _col_dot(Xj, v, n)
    for i in range(n):
        total += s[i] * <double>Xj[i] * v[i]
    return total


cdef inline void _ws_axpy(
    bint is_sparse, const floating* X, const cd_index* indices, const cd_index* indptr,
    Py_ssize_t j, Py_ssize_t n, double a, double* v,
) noexcept nogil:
    """v += a * x_j (stored entries only for CSC)."""
    cdef Py_ssize_t k
    if is_sparse:
        for k in range(indptr[j], indptr[j + 1]):
            v[indices[k]] += a * <double>X[k]
    else:
        _col_axpy(a, X + j * n, v, n)


cdef double _ws_gap(
    bint is_sparse, const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* s, const double* m, const double* y, const int* ws, Py_ssize_t n_ws,
    const double* w, double* rt, double* c, double* R, double* r2,
    double* w_ws, double* g_ws, Py_ssize_t n, double l1, double l2, bint positive,
) noexcept nogil:
    """Duality gap of the problem restricted to the working set."""
    cdef double ry, inv_n = 1.0 / n
    cdef Py_ssize_t f, j
    _fold_offset(rt, c, s, y, n, R, r2, &ry)  # r2 = sum s r^2, not / n
    for f in range(n_ws):
        j = ws[f]
        w_ws[f] = w[j]
        g_ws[f] = (_ws_dot(is_sparse, X, indices, indptr, j, n, s, rt) - m[j] * R[0]) * inv_n
    return _duality_gap(w_ws, g_ws, n_ws, r2[0] * inv_n, ry * inv_n, l1, l2, <double>n,
                        positive)


cdef bint _ws_anderson(
    bint is_sparse, const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* s, const double* m, const int* ws, Py_ssize_t n_ws,
    double* w, double* rt, const double* hist, double* w_acc, double* r_acc,
    Py_ssize_t n, Py_ssize_t p, double l1, double l2, bint positive,
) noexcept nogil:
    """Try the extrapolated point; adopt it (``w``, ``rt``) if the objective drops.

    ``rt`` must hold the whole residual (offset folded in).
    """
    cdef double coefs[ANDERSON_K]
    cdef double v, d, si, ri, c_acc = 0.0, before = 0.0, after = 0.0
    cdef Py_ssize_t f, i, j, a
    if not _anderson_weights(hist, ws, n_ws, p, coefs):
        return False
    for i in range(n):
        r_acc[i] = rt[i]
    for f in range(n_ws):
        j = ws[f]
        v = 0.0
        for a in range(ANDERSON_K):
            v += coefs[a] * hist[(a + 1) * p + j]
        if positive and v < 0.0:
            v = 0.0
        w_acc[j] = v
        d = v - w[j]
        if d != 0.0:
            _ws_axpy(is_sparse, X, indices, indptr, j, n, -d, r_acc)
            c_acc += d * m[j]
        before += l1 * fabs(w[j]) + 0.5 * l2 * w[j] * w[j]
        after += l1 * fabs(v) + 0.5 * l2 * v * v
    for i in range(n):
        si = 1.0 if s == NULL else s[i]
        ri = r_acc[i] + c_acc
        r_acc[i] = ri
        after += 0.5 * si * ri * ri / n
        before += 0.5 * si * rt[i] * rt[i] / n
    if not after < before:
        return False
    for f in range(n_ws):
        w[ws[f]] = w_acc[ws[f]]
    for i in range(n):
        rt[i] = r_acc[i]
    return True


cdef int _ws_inner(
    bint is_sparse,
    const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* y,        # (n,) centred target
    const double* s,        # (n,) weights summing to n, or NULL
    const double* m,        # (p,) column means (zeros: no centring)
    const double* sx,       # (p,) sum_i s_i x_ij
    const double* norms,    # (p,) ||u_j||_s^2 / n
    double sum_s,
    const int* ws, Py_ssize_t n_ws,
    double* w,              # (p,) in / out; zero outside the working set
    double* rt,             # (n,) centred residual in / out
    double* hist,           # ((ANDERSON_K + 1) * p,) scratch
    double* w_acc,          # (p,) scratch
    double* r_acc,          # (n,) scratch
    double* w_ws,           # (n_ws,) scratch
    double* g_ws,           # (n_ws,) scratch
    Py_ssize_t n, Py_ssize_t p, double l1, double l2, bint positive,
    int max_epochs, double gap_target, bint accelerate,
    double* loss_curve,     # (max_epochs,) objective after each epoch
    int* n_epochs, double* gap_out,
) noexcept nogil:
    cdef Py_ssize_t epoch, f, j, a, n_hist = 0
    cdef double inv_n = 1.0 / n
    cdef double c = 0.0, R = 0.0, r2 = 0.0, pen, w_j, new, z, dot, delta, nj, gap = NAN
    cdef double objective
    cdef bint check

    gap = _ws_gap(is_sparse, X, indices, indptr, s, m, y, ws, n_ws, w, rt, &c, &R, &r2,
                  w_ws, g_ws, n, l1, l2, positive)
    for epoch in range(max_epochs):
        if accelerate:
            if n_hist == 0:
                for f in range(n_ws):
                    hist[ws[f]] = w[ws[f]]
                n_hist = 1
        for f in range(n_ws):
            j = ws[f]
            nj = norms[j]
            if nj == 0.0:
                continue  # constant column: no effect on the fit
            w_j = w[j]
            dot = (_ws_dot(is_sparse, X, indices, indptr, j, n, s, rt) + c * sx[j]
                   - m[j] * R) * inv_n
            z = dot + nj * w_j
            new = _coordinate_min(z, l1, nj + l2, positive)
            if new != w_j:
                delta = new - w_j
                w[j] = new
                _ws_axpy(is_sparse, X, indices, indptr, j, n, -delta, rt)
                c += delta * m[j]
                R -= delta * (sx[j] - m[j] * sum_s)
                # ||r - delta u_j||_s^2 in O(1): dot is u_j^T S r / n
                r2 += n * delta * (delta * nj - 2.0 * dot)
        check = epoch == max_epochs - 1
        if accelerate:
            for f in range(n_ws):
                hist[n_hist * p + ws[f]] = w[ws[f]]
            n_hist += 1
            if n_hist == ANDERSON_K + 1:
                _fold_offset(rt, &c, s, y, n, &R, &r2, &z)
                _ws_anderson(is_sparse, X, indices, indptr, s, m, ws, n_ws, w, rt, hist,
                             w_acc, r_acc, n, p, l1, l2, positive)
                n_hist = 0
                check = True
        elif (epoch + 1) % ANDERSON_K == 0:
            check = True
        if check:
            gap = _ws_gap(is_sparse, X, indices, indptr, s, m, y, ws, n_ws, w, rt, &c, &R,
                          &r2, w_ws, g_ws, n, l1, l2, positive)
        pen = 0.0
        for f in range(n_ws):
            w_j = w[ws[f]]
            pen += l1 * fabs(w_j) + 0.5 * l2 * w_j * w_j
        objective = 0.5 * r2 * inv_n + pen
        loss_curve[epoch] = objective
        if not isfinite(objective):
            n_epochs[0] = epoch + 1
            gap_out[0] = NAN
            return NONFINITE
        if check and gap <= gap_target:
            n_epochs[0] = epoch + 1
            gap_out[0] = gap
            return CONVERGED
    _fold_offset(rt, &c, s, y, n, &R, &r2, &z)
    n_epochs[0] = max_epochs
    gap_out[0] = gap
    return MAX_ITER


cdef void _ws_gradient(
    bint is_sparse, const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* s, const double* m, const double* r, double R, Py_ssize_t n, Py_ssize_t p,
    double* out, int n_threads, Py_ssize_t work,
) noexcept nogil:
    cdef Py_ssize_t j
    cdef double inv_n = 1.0 / n
    if n_threads > 1 and work >= SERIAL_MAX_WORK:
        for j in prange(p, nogil=True, schedule="guided", num_threads=n_threads):
            out[j] = (_ws_dot(is_sparse, X, indices, indptr, j, n, s, r) - m[j] * R) * inv_n
    else:
        for j in range(p):
            out[j] = (_ws_dot(is_sparse, X, indices, indptr, j, n, s, r) - m[j] * R) * inv_n


# --- Python hooks ----------------------------------------------------------
# ``X`` is passed as (data, indices, indptr) for CSC, or as (F-ordered 2-D
# array, None, None) for dense; the driver checks the layout.

def _ws_args(X, indices, indptr, Py_ssize_t n):
    if indices is None:
        if X.ndim != 2 or not X.flags.f_contiguous or X.shape[0] != n:
            raise ValueError("dense X must be a Fortran-ordered (n, p) array")
        return X.ravel(order="F"), np.zeros(1, np.int32), np.zeros(2, np.int32), False, X.shape[1]
    if indices.shape[0] == 0:  # all-zero matrix: give the kernels a valid pointer
        X, indices = np.zeros(1, X.dtype), np.zeros(1, indices.dtype)
    return X, indices, indptr, True, indptr.shape[0] - 1


def py_ws_prepare(X, indices, indptr, Py_ssize_t n, sample_weight, const double[::1] m):
    """``(sx, norms)``: weighted column sums and centred squared norms / n, float64."""
    data, idx, ptr, is_sparse, p = _ws_args(X, indices, indptr, n)
    if m.shape[0] != p:
        raise ValueError(f"x_mean must have length {p}, got {m.shape[0]}")
    return _ws_prepare(data, idx, ptr, n, p, is_sparse, sample_weight, m)


def _ws_prepare(const floating[::1] data, const cd_index[::1] idx, const cd_index[::1] ptr,
                Py_ssize_t n, Py_ssize_t p, bint is_sparse, sample_weight,
                const double[::1] m):
    sx = np.zeros(p)
    norms = np.zeros(p)
    cdef double[::1] sx_v = sx, nv = norms
    cdef const double[::1] s_v
    cdef const double* s = NULL
    cdef Py_ssize_t i, j, k
    cdef double si, xi, a, b, sum_s = n
    if sample_weight is not None:
        s_v = sample_weight
        s = &s_v[0]
        sum_s = 0.0
        for i in range(n):
            sum_s += s[i]
    with nogil:
        for j in range(p):
            a = 0.0
            b = 0.0
            if is_sparse:
                for k in range(ptr[j], ptr[j + 1]):
                    si = 1.0 if s == NULL else s[idx[k]]
                    xi = <double>data[k]
                    a += si * xi
                    b += si * xi * xi
                sx_v[j] = a
                # rounding can push a constant column's variance a hair below 0
                nv[j] = max(b - 2.0 * m[j] * a + m[j] * m[j] * sum_s, 0.0) / n
            else:
                for i in range(n):
                    si = 1.0 if s == NULL else s[i]
                    xi = <double>data[j * n + i]
                    a += si * xi
                    b += si * (xi - m[j]) * (xi - m[j])
                sx_v[j] = a
                nv[j] = b / n
    return sx, norms


def py_ws_gradient(X, indices, indptr, Py_ssize_t n, sample_weight,
                   const double[::1] m, const double[::1] r, int n_threads=1):
    """``X_c^T S r / n`` (float64, length p) for the centred residual ``r``."""
    data, idx, ptr, is_sparse, p = _ws_args(X, indices, indptr, n)
    if m.shape[0] != p or r.shape[0] != n:
        raise ValueError("x_mean must have length p and r length n")
    out = np.empty(p)
    _ws_gradient_hook(data, idx, ptr, n, p, is_sparse, sample_weight, m, r, out,
                      max(n_threads, 1))
    return out


def _ws_gradient_hook(const floating[::1] data, const cd_index[::1] idx,
                      const cd_index[::1] ptr, Py_ssize_t n, Py_ssize_t p, bint is_sparse,
                      sample_weight, const double[::1] m, const double[::1] r,
                      double[::1] out, int n_threads):
    cdef const double[::1] s_v
    cdef const double* s = NULL
    cdef double R = 0.0
    cdef Py_ssize_t i
    cdef Py_ssize_t work = (ptr[p] if is_sparse else n * p) + p
    cdef const floating* d_ptr = NULL
    if data.shape[0] > 0:
        d_ptr = &data[0]
    if sample_weight is not None:
        s_v = sample_weight
        s = &s_v[0]
    for i in range(n):
        R += (1.0 if s == NULL else s[i]) * r[i]
    with nogil:
        _ws_gradient(is_sparse, d_ptr, &idx[0], &ptr[0], s, &m[0], &r[0], R, n, p,
                     &out[0], n_threads, work)


def py_ws_inner(X, indices, indptr, Py_ssize_t n, const double[::1] y, sample_weight,
                const double[::1] m, const double[::1] sx, const double[::1] norms,
                const int[::1] ws, double[::1] w, double[::1] r, double l1, double l2,
                bint positive, int max_epochs, double gap_target, bint accelerate=True):
    """CD epochs on the working set ``ws`` (int32 feature indices).

    ``w`` (zero outside ``ws``) and the centred residual ``r`` are updated in
    place. Returns ``(status, n_epochs, gap, loss_curve)`` with ``gap`` the
    duality gap of the working-set problem at the last check.
    """
    data, idx, ptr, is_sparse, p = _ws_args(X, indices, indptr, n)
    if (y.shape[0] != n or r.shape[0] != n or w.shape[0] != p or m.shape[0] != p
            or sx.shape[0] != p or norms.shape[0] != p):
        raise ValueError("y, r must have length n and w, x_mean, sx, norms length p")
    if ws.shape[0] < 1 or max_epochs < 1:
        raise ValueError("need a non-empty working set and max_epochs >= 1")
    return _ws_inner_hook(data, idx, ptr, n, p, is_sparse, y, sample_weight, m, sx, norms,
                          ws, w, r, l1, l2, positive, max_epochs, gap_target, accelerate)


def _ws_inner_hook(const floating[::1] data, const cd_index[::1] idx, const cd_index[::1] ptr,
                   Py_ssize_t n, Py_ssize_t p, bint is_sparse, const double[::1] y,
                   sample_weight, const double[::1] m, const double[::1] sx,
                   const double[::1] norms, const int[::1] ws, double[::1] w, double[::1] r,
                   double l1, double l2, bint positive, int max_epochs, double gap_target,
                   bint accelerate):
    cdef const double[::1] s_v
    cdef const double* s = NULL
    cdef double sum_s = n, gap = 0.0
    cdef Py_ssize_t i, n_ws = ws.shape[0]
    cdef int status, n_epochs = 0
    cdef const floating* d_ptr = NULL
    if data.shape[0] > 0:
        d_ptr = &data[0]
    if sample_weight is not None:
        s_v = sample_weight
        s = &s_v[0]
        sum_s = 0.0
        for i in range(n):
            sum_s += s[i]
    curve = np.empty(max_epochs)
    hist = np.empty((ANDERSON_K + 1) * p if accelerate else 1)
    acc = np.empty(p + n + 2 * n_ws)
    cdef double[::1] curve_v = curve, hist_v = hist, acc_v = acc
    with nogil:
        status = _ws_inner(is_sparse, d_ptr, &idx[0], &ptr[0], &y[0], s, &m[0], &sx[0],
                           &norms[0], sum_s, &ws[0], n_ws, &w[0], &r[0], &hist_v[0],
                           &acc_v[0], &acc_v[p], &acc_v[p + n], &acc_v[p + n + n_ws],
                           n, p, l1, l2, positive, max_epochs, gap_target, accelerate,
                           &curve_v[0], &n_epochs, &gap)
    return status, n_epochs, gap, curve[:n_epochs].copy()
