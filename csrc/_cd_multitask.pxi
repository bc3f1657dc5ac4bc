# Multi-task elastic-net path (included by ``_cd_path.pxi``): 2-D ``Y`` with
# the joint penalty scikit-learn's ``enet_path`` uses for it,
#
#     1/(2n) ||Y - X W||_F^2 + l1 sum_j ||W_j||_2 + l2/2 ||W||_F^2
#
# (``W_j`` the k coefficients of feature j). Block coordinate descent: one
# step solves feature j's block exactly,
#
#     t = X_j^T R / n + ||X_j||^2/n W_j,   W_j = t max(1 - l1/||t||, 0) / (||X_j||^2/n + l2)
#
# on a dense column-ordered X (centred and weighted by the caller). Same
# warm starts, working sets (with ||.||_2 of a block for |.|) and stopping
# rule as ``_cd_path``; the gap's dual point is the residual scaled into
# ``max_j ||X_j^T theta - l2 W_j||_2 <= l1``.

cdef double _mt_gap(
    const floating* X, const double* Y, const double* W, const double* R,
    double* xtr, Py_ssize_t n, Py_ssize_t p, Py_ssize_t k,
    double l1, double l2, int n_threads,
) noexcept nogil:
    """Fill ``xtr[j k + t] = X_j . R_t / n`` and return the duality gap."""
    cdef Py_ssize_t j, t
    cdef double inv_n = 1.0 / n
    cdef double r2 = _dot(R, R, n * k) * inv_n
    cdef double ry = _dot(R, Y, n * k) * inv_n
    cdef double ww = _dot(W, W, p * k)
    cdef double l21 = 0.0, dual_norm = 0.0, g, e, scale, sq = 0.0
    if n_threads > 1 and n * p * k >= SERIAL_MAX_WORK:
        for j in prange(p, nogil=True, schedule="static", num_threads=n_threads):
            for t in range(k):
                xtr[j * k + t] = _col_dot(X + j * n, R + t * n, n) * inv_n
    else:
        for j in range(p):
            for t in range(k):
                xtr[j * k + t] = _col_dot(X + j * n, R + t * n, n) * inv_n
    for j in range(p):
        l21 += sqrt(_dot(W + j * k, W + j * k, k))
        g = 0.0
        for t in range(k):
            e = xtr[j * k + t] - l2 * W[j * k + t]
            g += e * e
            sq += xtr[j * k + t] * xtr[j * k + t]
        dual_norm = max(dual_norm, sqrt(g))
    if l1 > 0.0:
        scale = l1 / dual_norm if dual_norm > l1 else 1.0
        return (0.5 * (r2 + l2 * ww) + l1 * l21
                + 0.5 * scale * scale * (r2 + l2 * ww) - scale * ry)
    if l2 > 0.0:
        return r2 + 0.5 * l2 * ww - ry + sq / (2.0 * l2)
    return n * sq


cdef int _mt_cd_path(
    const floating* X,      # (n, p) Fortran
    const double* Y,        # (n, k) Fortran
    double* W,              # (p, k) C: start in, last solution out
    double* R,              # (n, k) Fortran scratch: residual
    double* norms,          # (p,) scratch
    double* xtr,            # (p * k,) scratch
    double* tmp,            # (k,) scratch
    int* ws, unsigned char* in_ws,
    Py_ssize_t n, Py_ssize_t p, Py_ssize_t k,
    const double* l1s, const double* l2s, Py_ssize_t n_alphas,
    int max_iter, double tol, bint screening, int n_threads,
    double* coefs,          # (n_alphas, k, p) out
    double* gaps, int* n_iters, int* statuses,
) noexcept nogil:
    cdef Py_ssize_t a, epoch, f, j, t, i, n_ws
    cdef double inv_n = 1.0 / n
    cdef double l1, l2, l1_prev, cut, g, nrm, scale, new, d, d_w_max, w_max, gap, sq
    cdef double gap_tol = tol * _dot(Y, Y, n * k) * inv_n
    cdef int status
    cdef const floating* Xj

    for j in range(p):
        Xj = X + j * n
        sq = 0.0
        for i in range(n):
            sq += <double>Xj[i] * <double>Xj[i]
        norms[j] = sq * inv_n
        in_ws[j] = 0
    for i in range(n * k):
        R[i] = Y[i]
    for j in range(p):
        for t in range(k):
            if W[j * k + t] != 0.0:
                _col_axpy(-W[j * k + t], X + j * n, R + t * n, n)

    l1_prev = l1s[0]
    for a in range(n_alphas):
        l1 = l1s[a]
        l2 = l2s[a]
        gap = _mt_gap(X, Y, W, R, xtr, n, p, k, l1, l2, n_threads)
        status = MAX_ITER
        epoch = 0
        if not isfinite(gap):
            status = NONFINITE
        elif gap <= gap_tol:
            status = CONVERGED
        else:
            cut = 2.0 * l1 - l1_prev if a > 0 else l1
            n_ws = 0
            for j in range(p):
                g = sqrt(_dot(xtr + j * k, xtr + j * k, k))
                if (not screening or _dot(W + j * k, W + j * k, k) > 0.0 or g >= cut) \
                        and norms[j] > 0.0:
                    ws[n_ws] = <int>j
                    in_ws[j] = 1
                    n_ws += 1
                else:
                    in_ws[j] = 0
            while epoch < max_iter:
                d_w_max = 0.0
                w_max = 0.0
                for f in range(n_ws):
                    j = ws[f]
                    Xj = X + j * n
                    nrm = 0.0
                    for t in range(k):
                        tmp[t] = _col_dot(Xj, R + t * n, n) * inv_n + norms[j] * W[j * k + t]
                        nrm += tmp[t] * tmp[t]
                    nrm = sqrt(nrm)
                    scale = max(1.0 - l1 / nrm, 0.0) / (norms[j] + l2) if nrm > 0.0 else 0.0
                    for t in range(k):
                        new = tmp[t] * scale
                        d = new - W[j * k + t]
                        if d != 0.0:
                            _col_axpy(-d, Xj, R + t * n, n)
                            W[j * k + t] = new
                        d_w_max = max(d_w_max, fabs(d))
                        w_max = max(w_max, fabs(new))
                epoch += 1
                if not isfinite(d_w_max) or not isfinite(w_max):
                    status = NONFINITE
                    gap = NAN
                    break
                if w_max == 0.0 or d_w_max <= tol * w_max or epoch == max_iter:
                    gap = _mt_gap(X, Y, W, R, xtr, n, p, k, l1, l2, n_threads)
                    if not isfinite(gap):
                        status = NONFINITE
                        break
                    if gap <= gap_tol:
                        status = CONVERGED
                        break
                    for j in range(p):
                        if in_ws[j] == 0 and norms[j] > 0.0:
                            if sqrt(_dot(xtr + j * k, xtr + j * k, k)) > l1:
                                ws[n_ws] = <int>j
                                in_ws[j] = 1
                                n_ws += 1
        for t in range(k):
            for j in range(p):
                coefs[(a * k + t) * p + j] = W[j * k + t]
        gaps[a] = gap
        n_iters[a] = <int>epoch
        statuses[a] = status
        if status == NONFINITE:
            for i in range(a + 1, n_alphas):
                statuses[i] = NONFINITE
                gaps[i] = NAN
            return NONFINITE
        l1_prev = l1
    return CONVERGED


def py_multitask_cd_path(
    const floating[::1, :] X, const double[::1, :] Y, const double[:, ::1] W0,
    const double[::1] l1s, const double[::1] l2s, int max_iter, double tol,
    double[:, :, ::1] coefs, double[::1] gaps, int[::1] n_iters, int[::1] statuses,
    bint screening=True, int n_threads=1,
):
    """Multi-task path on a column-ordered ``X`` (n, p) and ``Y`` (n, k), from
    ``W0`` (k, p); fills ``coefs`` (m, k, p), ``gaps``, ``n_iters``,
    ``statuses``. Test hook."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], k = Y.shape[1], m = l1s.shape[0]
    cdef Py_ssize_t j, t
    if n < 1 or p < 1 or k < 1 or Y.shape[0] != n or W0.shape[0] != k or W0.shape[1] != p:
        raise ValueError("need X (n, p), Y (n, k) and W0 (k, p), all non-empty")
    if coefs.shape[0] != m or coefs.shape[1] != k or coefs.shape[2] != p:
        raise ValueError(f"coefs must have shape ({m}, {k}, {p})")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    _check_path_outputs(p, l1s, l2s, coefs[:, 0, :], gaps, n_iters, statuses, max_iter)
    W = np.empty((p, k), dtype=np.float64)
    cdef double[:, ::1] W_v = W
    for j in range(p):
        for t in range(k):
            W_v[j, t] = W0[t, j]
    R = np.empty(n * k, dtype=np.float64)
    scratch = np.empty(p + p * k + k, dtype=np.float64)
    flags = np.zeros(p, dtype=np.uint8)
    ws = np.empty(p, dtype=np.intc)
    cdef double[::1] R_v = R, sc = scratch
    cdef unsigned char[::1] fl = flags
    cdef int[::1] ws_v = ws
    with nogil:
        _mt_cd_path(&X[0, 0], &Y[0, 0], &W_v[0, 0], &R_v[0], &sc[0], &sc[p], &sc[p + p * k],
                    &ws_v[0], &fl[0], n, p, k, &l1s[0], &l2s[0], m, max_iter, tol,
                    screening, n_threads, &coefs[0, 0, 0], &gaps[0], &n_iters[0],
                    &statuses[0])
