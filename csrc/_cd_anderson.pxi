# Anderson extrapolation of CD epochs (included by ``_cd_path.pxi``), for the
# dense residual path.
#
# CD epochs on an ill-conditioned problem (correlated columns, the end of a
# path on wide data) creep along a nearly fixed direction. Every
# ANDERSON_K epochs the last ANDERSON_K + 1 iterates ``w_0 .. w_K`` (on the
# working set) are combined as ``sum_i c_i w_i`` with the weights that
# minimise ``||sum_i c_i (w_i - w_{i-1})||`` subject to ``sum c = 1``
# (``c = z / sum z`` with ``(U^T U) z = 1``). The extrapolated point is kept
# only if it lowers the objective, so the iterates' objective still never
# increases, and the stopping rule (the duality gap) is untouched.

cdef enum:
    ANDERSON_K = 5


cdef bint _anderson_weights(const double* hist, const int* ws, Py_ssize_t n_ws,
                            Py_ssize_t p, double* c) noexcept nogil:
    """Weights ``c`` (ANDERSON_K of them) from ``hist`` ((K + 1) rows of length p)."""
    cdef double M[ANDERSON_K * ANDERSON_K]
    cdef double z[ANDERSON_K]
    cdef Py_ssize_t a, b, f, j, K = ANDERSON_K
    cdef double total, trace = 0.0, d
    for a in range(K):
        for b in range(a + 1):
            total = 0.0
            for f in range(n_ws):
                j = ws[f]
                total += ((hist[(a + 1) * p + j] - hist[a * p + j])
                          * (hist[(b + 1) * p + j] - hist[b * p + j]))
            M[a * K + b] = total
            M[b * K + a] = total
        trace += M[a * K + a]
    if not trace > 0.0:
        return False
    for a in range(K):  # a small ridge keeps the factorisation well posed
        M[a * K + a] += 1e-10 * trace
    # Cholesky M = L L^T in place (lower triangle)
    for a in range(K):
        for b in range(a + 1):
            total = M[a * K + b]
            for f in range(b):
                total -= M[a * K + f] * M[b * K + f]
            if a == b:
                if not total > 0.0:
                    return False
                M[a * K + a] = sqrt(total)
            else:
                M[a * K + b] = total / M[b * K + b]
    for a in range(K):  # L y = 1
        total = 1.0
        for f in range(a):
            total -= M[a * K + f] * z[f]
        z[a] = total / M[a * K + a]
    for a in range(K - 1, -1, -1):  # L^T z = y
        total = z[a]
        for f in range(a + 1, K):
            total -= M[f * K + a] * z[f]
        z[a] = total / M[a * K + a]
    d = 0.0
    for a in range(K):
        d += z[a]
    if d == 0.0 or not isfinite(d):
        return False
    for a in range(K):
        c[a] = z[a] / d
    return True


cdef void _anderson_step(
    const floating* X, double* w, double* r, const double* hist, const int* ws,
    Py_ssize_t n_ws, Py_ssize_t n, Py_ssize_t p, double l1, double l2, bint positive,
    double* w_acc, double* r_acc,
) noexcept nogil:
    """Try the extrapolated point; adopt it (``w``, ``r``) if the objective drops."""
    cdef double c[ANDERSON_K]
    cdef Py_ssize_t f, i, j, a
    cdef double v, inv_n = 1.0 / n, before = 0.0, after = 0.0
    if not _anderson_weights(hist, ws, n_ws, p, c):
        return
    for i in range(n):
        r_acc[i] = r[i]
    for f in range(n_ws):
        j = ws[f]
        v = 0.0
        for a in range(ANDERSON_K):
            v += c[a] * hist[(a + 1) * p + j]
        if positive and v < 0.0:
            v = 0.0
        w_acc[j] = v
        if v != w[j]:
            _col_axpy(w[j] - v, X + j * n, r_acc, n)
        before += l1 * fabs(w[j]) + 0.5 * l2 * w[j] * w[j]
        after += l1 * fabs(v) + 0.5 * l2 * v * v
    before += 0.5 * _dot(r, r, n) * inv_n
    after += 0.5 * _dot(r_acc, r_acc, n) * inv_n
    if after < before:
        for f in range(n_ws):
            w[ws[f]] = w_acc[ws[f]]
        for i in range(n):
            r[i] = r_acc[i]
