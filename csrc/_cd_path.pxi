# Elastic-net paths: a whole alpha grid in one compiled call (included by
# ``_cd_fast.pyx`` after ``_cd_sparse.pxi``, whose helpers it reuses).
#
# For each alpha, in the order given, starting from the previous solution:
#
# 1. compute the full gradient ``c = X^T r / n`` and the duality gap at the
#    warm start (it may already be optimal);
# 2. working set: the nonzero coefficients plus the features the
#    (sequential) strong rule keeps, ``|c_j| >= 2 l1_k - l1_{k-1}``;
# 3. CD epochs over the working set only; whenever an epoch's largest
#    change is small (the same trigger as the plain loops), compute the
#    full gradient and the gap of the *whole* problem: stop if the gap is at
#    most ``tol * yy``, else add every feature outside the set that violates
#    its optimality condition (``|c_j| > l1``) and go on.
#
# The answer therefore meets exactly the plain loops' stopping rule; only the
# work changes: an epoch costs O(|working set|) column passes instead of
# O(p), and the full-gradient pass runs only at those checks. The data stay
# where they are (a Gram matrix, a column-ordered dense X, or a CSC X with
# implicit centring), so one driver serves all three, branching per step on
# ``kind``.

include "_cd_anderson.pxi"


cdef enum:
    PATH_GRAM = 0
    PATH_RESIDUAL = 1
    PATH_SPARSE = 2


cdef double _path_gap(
    int kind,
    const double* Q, const double* q, double yy, double* H,
    const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* y, const double* s, const double* m,
    double* r, double* c_off, double* R,
    const double* w, double* xtr, Py_ssize_t n, Py_ssize_t p,
    double l1, double l2, bint positive, int n_threads, Py_ssize_t nnz,
) noexcept nogil:
    """Full gradient ``xtr = X_c^T S r / n`` and the duality gap, for any ``kind``."""
    if kind == PATH_GRAM:
        return _gram_gap(q, yy, w, H, xtr, p, l1, l2, <double>n, positive)
    if kind == PATH_RESIDUAL:
        return _residual_gap(X, y, w, r, xtr, n, p, l1, l2, positive, n_threads)
    return _sparse_gap(X, indices, indptr, y, s, m, w, r, c_off, R, xtr, n, p,
                       l1, l2, positive, n_threads, nnz)


cdef int _cd_path(
    int kind,
    # gram: Q (p, p), q (p,), yy, H (p,) scratch
    const double* Q, const double* q, double yy, double* H,
    # residual: X (n, p) Fortran; sparse: X is the CSC data with indices / indptr
    const floating* X, const cd_index* indices, const cd_index* indptr,
    const double* y,        # (n,) target (residual, sparse)
    const double* s,        # (n,) sparse weights or NULL
    const double* m,        # (p,) sparse column means
    double* r,              # (n,) residual scratch (residual, sparse)
    double* norms,          # (p,) scratch: ||X_j||^2 / n, centred and weighted
    double* sx,             # (p,) sparse scratch: sum_i s_i x_ij
    double* xtr,            # (p,) scratch: full gradient
    int* ws,                # (p,) scratch: working set
    unsigned char* in_ws,   # (p,) scratch: membership flags
    double* w,              # (p,) start point in, last solution out
    double* hist,           # ((ANDERSON_K + 1) p,) residual: Anderson history, or NULL
    double* w_acc,          # (p,) residual: Anderson scratch
    double* r_acc,          # (n,) residual: Anderson scratch
    Py_ssize_t n, Py_ssize_t p,
    const double* l1s, const double* l2s, Py_ssize_t n_alphas,
    int max_iter, double tol, bint positive, bint random, uint64_t seed,
    bint screening, int n_threads,
    double* coefs,          # (n_alphas, p) out
    double* gaps, int* n_iters, int* statuses,   # (n_alphas,) out
) noexcept nogil:
    cdef Py_ssize_t a, epoch, f, j, i, k, k0, k1, n_ws, n_hist
    cdef bint accelerate = hist != NULL and kind == PATH_RESIDUAL and not random
    cdef Py_ssize_t nnz = 0
    cdef double inv_n = 1.0 / n
    cdef double l1, l2, l1_prev, cut, g, w_j, new, z, delta, d_w_max, w_max, mj, sq, sj
    cdef double gap, gap_tol, sum_s = 0.0, c_off = 0.0, R = 0.0
    cdef uint64_t state = seed | 1
    cdef int status
    cdef const floating* Xj

    # --- once per path: column norms, residual / Q w at the start point ---
    if kind == PATH_GRAM:
        for j in range(p):
            norms[j] = Q[j * p + j]
            H[j] = 0.0
        for j in range(p):
            if w[j] != 0.0:
                _col_axpy(w[j], Q + j * p, H, p)
        gap_tol = tol * yy
    elif kind == PATH_RESIDUAL:
        for j in range(p):
            Xj = X + j * n
            sq = 0.0
            for i in range(n):
                sq += <double>Xj[i] * <double>Xj[i]
            norms[j] = sq * inv_n
        for i in range(n):
            r[i] = y[i]
        for j in range(p):
            if w[j] != 0.0:
                _col_axpy(-w[j], X + j * n, r, n)
        gap_tol = tol * _dot(y, y, n) * inv_n
    else:
        nnz = indptr[p] - indptr[0]
        yy = 0.0
        for i in range(n):
            sj = 1.0 if s == NULL else s[i]
            sum_s += sj
            yy += sj * y[i] * y[i]
            r[i] = y[i]
        gap_tol = tol * yy * inv_n
        for j in range(p):
            k0 = indptr[j]
            k1 = indptr[j + 1]
            sj = 0.0
            sq = 0.0
            for k in range(k0, k1):
                g = 1.0 if s == NULL else s[indices[k]]
                sj += g * <double>X[k]
                sq += g * <double>X[k] * <double>X[k]
            mj = m[j]
            sx[j] = sj
            norms[j] = max(sq - 2.0 * mj * sj + mj * mj * sum_s, 0.0) * inv_n
            if w[j] != 0.0:
                for k in range(k0, k1):
                    r[indices[k]] -= w[j] * <double>X[k]
                c_off += w[j] * mj

    for j in range(p):
        in_ws[j] = 0
    l1_prev = l1s[0]
    for a in range(n_alphas):
        l1 = l1s[a]
        l2 = l2s[a]
        gap = _path_gap(kind, Q, q, yy, H, X, indices, indptr, y, s, m, r, &c_off, &R,
                        w, xtr, n, p, l1, l2, positive, n_threads, nnz)
        status = MAX_ITER
        epoch = 0
        if not isfinite(gap):
            status = NONFINITE
        elif gap <= gap_tol:
            status = CONVERGED
        else:
            # working set: the support plus the strong rule's survivors
            cut = 2.0 * l1 - l1_prev if a > 0 else l1
            n_ws = 0
            for j in range(p):
                g = xtr[j] if positive else fabs(xtr[j])
                if (not screening or w[j] != 0.0 or g >= cut) and norms[j] > 0.0:
                    ws[n_ws] = <int>j
                    in_ws[j] = 1
                    n_ws += 1
                else:
                    in_ws[j] = 0
            n_hist = 0
            while epoch < max_iter:
                d_w_max = 0.0
                w_max = 0.0
                for f in range(n_ws):
                    j = ws[_pick(f, n_ws, random, &state)]
                    w_j = w[j]
                    if kind == PATH_GRAM:
                        z = q[j] - H[j] + norms[j] * w_j
                    elif kind == PATH_RESIDUAL:
                        z = _col_dot(X + j * n, r, n) * inv_n + norms[j] * w_j
                    else:
                        z = ((_csc_dot(X, indices, indptr[j], indptr[j + 1], s, r)
                              + c_off * sx[j] - m[j] * R) * inv_n + norms[j] * w_j)
                    new = _coordinate_min(z, l1, norms[j] + l2, positive)
                    if new != w_j:
                        delta = new - w_j
                        w[j] = new
                        if kind == PATH_GRAM:
                            _col_axpy(delta, Q + j * p, H, p)
                        elif kind == PATH_RESIDUAL:
                            _col_axpy(-delta, X + j * n, r, n)
                        else:
                            for k in range(indptr[j], indptr[j + 1]):
                                r[indices[k]] -= delta * <double>X[k]
                            c_off += delta * m[j]
                            R -= delta * (sx[j] - m[j] * sum_s)
                    d_w_max = max(d_w_max, fabs(new - w_j))
                    w_max = max(w_max, fabs(new))
                epoch += 1
                if not isfinite(d_w_max) or not isfinite(w_max):
                    status = NONFINITE
                    gap = NAN
                    break
                if accelerate and n_ws > 0:
                    for f in range(n_ws):
                        hist[n_hist * p + ws[f]] = w[ws[f]]
                    n_hist += 1
                    if n_hist == ANDERSON_K + 1:
                        _anderson_step(X, w, r, hist, ws, n_ws, n, p, l1, l2, positive,
                                       w_acc, r_acc)
                        n_hist = 0
                if w_max == 0.0 or d_w_max <= tol * w_max or epoch == max_iter:
                    gap = _path_gap(kind, Q, q, yy, H, X, indices, indptr, y, s, m, r,
                                    &c_off, &R, w, xtr, n, p, l1, l2, positive, n_threads, nnz)
                    if not isfinite(gap):
                        status = NONFINITE
                        break
                    if gap <= gap_tol:
                        status = CONVERGED
                        break
                    # grow the set by the violated optimality conditions
                    for j in range(p):
                        if in_ws[j] == 0 and norms[j] > 0.0:
                            g = xtr[j] if positive else fabs(xtr[j])
                            if g > l1:
                                ws[n_ws] = <int>j
                                in_ws[j] = 1
                                n_ws += 1
                                n_hist = 0  # the new features have no history
        for j in range(p):
            coefs[a * p + j] = w[j]
        gaps[a] = gap
        n_iters[a] = <int>epoch
        statuses[a] = status
        if status == NONFINITE:
            for k in range(a + 1, n_alphas):
                statuses[k] = NONFINITE
                gaps[k] = NAN
            return NONFINITE
        l1_prev = l1
    return CONVERGED


cdef int _check_path_outputs(
    Py_ssize_t p, const double[::1] l1s, const double[::1] l2s, double[:, ::1] coefs,
    double[::1] gaps, int[::1] n_iters, int[::1] statuses, int max_iter,
) except -1:
    cdef Py_ssize_t m = l1s.shape[0]
    if m < 1 or l2s.shape[0] != m or gaps.shape[0] != m or n_iters.shape[0] != m \
            or statuses.shape[0] != m or coefs.shape[0] != m or coefs.shape[1] != p:
        raise ValueError(f"need l1s, l2s, gaps, n_iters, statuses of one length m >= 1 "
                         f"and coefs of shape (m, {p}); got m={m}, coefs "
                         f"({coefs.shape[0]}, {coefs.shape[1]})")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    return 0


def py_gram_cd_path(
    const double[:, ::1] Q, const double[::1] q, double yy, double[::1] w,
    const double[::1] l1s, const double[::1] l2s, int max_iter, double tol,
    bint positive, bint random, unsigned long long seed,
    double[:, ::1] coefs, double[::1] gaps, int[::1] n_iters, int[::1] statuses,
    bint screening=True, Py_ssize_t n_samples=1,
):
    """Gram-matrix path (mean scale ``Q``, ``q``, ``yy``) over the penalties
    ``l1s``, ``l2s``; fills ``coefs`` (m, p), ``gaps``, ``n_iters``,
    ``statuses`` and leaves the last solution in ``w``. ``n_samples`` only
    scales the stopping rule of an unpenalised alpha (as in the plain loop).
    Test hook."""
    cdef Py_ssize_t p = Q.shape[0]
    if p < 1 or Q.shape[1] != p or q.shape[0] != p or w.shape[0] != p:
        raise ValueError("Q must be (p, p) with q and w of length p >= 1")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    _check_path_outputs(p, l1s, l2s, coefs, gaps, n_iters, statuses, max_iter)
    scratch = np.empty(3 * p, dtype=np.float64)
    flags = np.zeros(p, dtype=np.uint8)
    ws = np.empty(p, dtype=np.intc)
    cdef double[::1] sc = scratch
    cdef unsigned char[::1] fl = flags
    cdef int[::1] ws_v = ws
    with nogil:
        _cd_path(PATH_GRAM, &Q[0, 0], &q[0], yy, &sc[0],
                 <const double*>NULL, <const int*>NULL, <const int*>NULL,
                 NULL, NULL, NULL, NULL, &sc[p], NULL, &sc[2 * p], &ws_v[0], &fl[0],
                 &w[0], NULL, NULL, NULL, n_samples, p, &l1s[0], &l2s[0], l1s.shape[0], max_iter, tol,
                 positive, random, seed, screening, 1, &coefs[0, 0], &gaps[0], &n_iters[0],
                 &statuses[0])


def py_residual_cd_path(
    const floating[::1, :] X, const double[::1] y, double[::1] w,
    const double[::1] l1s, const double[::1] l2s, int max_iter, double tol,
    bint positive, bint random, unsigned long long seed,
    double[:, ::1] coefs, double[::1] gaps, int[::1] n_iters, int[::1] statuses,
    bint screening=True, int n_threads=1, bint accelerate=True,
):
    """Dense path on a column-ordered ``X`` (n, p) used as given (centre and
    weight it first); outputs as ``py_gram_cd_path``. ``accelerate``: Anderson
    extrapolation of the epochs (cyclic selection only). Test hook."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    if n < 1 or p < 1 or y.shape[0] != n or w.shape[0] != p:
        raise ValueError("X must be non-empty (n, p) with y of length n and w of length p")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    _check_path_outputs(p, l1s, l2s, coefs, gaps, n_iters, statuses, max_iter)
    r = np.empty(2 * n, dtype=np.float64)
    scratch = np.empty((ANDERSON_K + 4) * p, dtype=np.float64)
    flags = np.zeros(p, dtype=np.uint8)
    ws = np.empty(p, dtype=np.intc)
    cdef double[::1] r_v = r, sc = scratch
    cdef unsigned char[::1] fl = flags
    cdef int[::1] ws_v = ws
    cdef double* hist = &sc[3 * p] if accelerate else NULL
    with nogil:
        _cd_path(PATH_RESIDUAL, NULL, NULL, 0.0, NULL,
                 &X[0, 0], <const int*>NULL, <const int*>NULL,
                 &y[0], NULL, NULL, &r_v[0], &sc[0], NULL, &sc[p], &ws_v[0], &fl[0],
                 &w[0], hist, &sc[2 * p], &r_v[n], n, p, &l1s[0], &l2s[0], l1s.shape[0], max_iter, tol, positive,
                 random, seed, screening, n_threads, &coefs[0, 0], &gaps[0], &n_iters[0],
                 &statuses[0])


def py_sparse_cd_path(
    const floating[::1] data, const cd_index[::1] indices, const cd_index[::1] indptr,
    Py_ssize_t n_samples, const double[::1] y, sample_weight, const double[::1] x_mean,
    double[::1] w, const double[::1] l1s, const double[::1] l2s, int max_iter, double tol,
    bint positive, bint random, unsigned long long seed,
    double[:, ::1] coefs, double[::1] gaps, int[::1] n_iters, int[::1] statuses,
    bint screening=True, int n_threads=1,
):
    """Path on a canonical CSC ``X`` centred implicitly with ``x_mean`` (zeros:
    not centred); ``y`` centred to match, ``sample_weight`` None or float64
    summing to n. Outputs as ``py_gram_cd_path``. Test hook."""
    cdef Py_ssize_t n = n_samples, p = x_mean.shape[0]
    cdef const double[::1] s_v
    cdef const double* s_ptr = NULL
    if n < 1 or p < 1 or y.shape[0] != n or w.shape[0] != p or indptr.shape[0] != p + 1:
        raise ValueError("need n, p >= 1, y of length n, w and x_mean of length p and "
                         "indptr of length p + 1")
    if indptr[0] != 0 or indptr[p] > data.shape[0] or indptr[p] > indices.shape[0]:
        raise ValueError("indptr does not fit data / indices")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    _check_path_outputs(p, l1s, l2s, coefs, gaps, n_iters, statuses, max_iter)
    if sample_weight is not None:
        s_v = sample_weight
        if s_v.shape[0] != n:
            raise ValueError(f"sample_weight must have length {n}, got {s_v.shape[0]}")
        s_ptr = &s_v[0]
    rt = np.empty(n, dtype=np.float64)
    scratch = np.empty(3 * p, dtype=np.float64)
    flags = np.zeros(p, dtype=np.uint8)
    ws = np.empty(p, dtype=np.intc)
    cdef double[::1] rt_v = rt, sc = scratch
    cdef unsigned char[::1] fl = flags
    cdef int[::1] ws_v = ws
    cdef const floating* d_ptr = NULL
    cdef const cd_index* i_ptr = NULL
    if data.shape[0] > 0:
        d_ptr = &data[0]
    if indices.shape[0] > 0:
        i_ptr = &indices[0]
    with nogil:
        _cd_path(PATH_SPARSE, NULL, NULL, 0.0, NULL, d_ptr, i_ptr, &indptr[0],
                 &y[0], s_ptr, &x_mean[0], &rt_v[0], &sc[0], &sc[p], &sc[2 * p],
                 &ws_v[0], &fl[0], &w[0], NULL, NULL, NULL, n, p, &l1s[0], &l2s[0], l1s.shape[0], max_iter,
                 tol, positive, random, seed, screening, n_threads, &coefs[0, 0], &gaps[0],
                 &n_iters[0], &statuses[0])


include "_cd_multitask.pxi"
