# Curvature-using solver loops: L-BFGS and Newton (included by
# ``_solvers_fast.pyx``). Same contract as ``_loops_first.pxi``.


cdef int _armijo(
    Objective obj, const double* w, double f, const double* d, double dg, double t,
    double* w_new, double* g_new, double* f_new, double gmax,
) noexcept nogil:
    """Backtracking along ``d`` from step ``t`` until the Armijo condition holds.

    ``dg`` is the directional derivative g . d (< 0). On success ``w_new``,
    ``g_new`` and ``f_new`` hold the accepted point; returns RUNNING, or
    STALLED when no tried step decreases f (flat to rounding).

    Close to the optimum the decrease a step can make falls below the
    rounding of f (f changes by ~|dx|^2, so f stops resolving the distance
    to the optimum below ~sqrt(eps)); there a step is also accepted when f
    stays within that rounding (FLAT_RTOL) and the gradient shrinks, which
    lets Newton and L-BFGS finish on the gradient, as accurately as it can
    be evaluated.
    """
    cdef Py_ssize_t k = obj.n_coef, j, tries
    cdef double fn
    for tries in range(ARMIJO_MAX_HALVINGS):
        for j in range(k):
            w_new[j] = w[j] + t * d[j]
        fn = obj.value_grad(w_new, g_new)
        # a non-finite trial just means the step was too long: halve it
        if isfinite(fn) and (
            fn <= f + ARMIJO_C1 * t * dg
            or (fn <= f + FLAT_RTOL * fabs(f) and _max_abs(g_new, k) < gmax)
        ):
            f_new[0] = fn
            return RUNNING
        t *= 0.5
    return STALLED


cdef int lbfgs_loop(
    Objective obj, double* coef, Py_ssize_t max_iter, double tol, Py_ssize_t m,
    double* curve, Py_ssize_t* n_curve, Py_ssize_t* n_iter, int verbose,
) noexcept nogil:
    """Limited-memory BFGS (m correction pairs) with an Armijo line search.

    The direction comes from the two-loop recursion with the initial inverse
    Hessian scaled by s.y / y.y of the newest pair. A pair is stored only
    when s.y > 0 (curvature condition), which keeps the implicit inverse
    Hessian positive definite under a backtracking-only line search.
    Stops when max|g| <= tol.
    """
    cdef Py_ssize_t k = obj.n_coef, j, it, i, idx, n_pairs = 0, head = 0, flat = 0
    cdef double f, f_new = 0.0, gmax, f0 = 0.0, dg, sy, yy, gamma, a, b, t
    cdef int status = MAX_ITER, ls
    cdef double* buf = <double*>malloc((4 * k + 2 * m * k + 2 * m) * sizeof(double))
    cdef double *g, *g_new, *w_new, *d, *S, *Y, *rho, *alpha
    if buf == NULL:
        return NO_MEMORY
    g = buf
    g_new = g + k
    w_new = g_new + k
    d = w_new + k
    S = d + k
    Y = S + m * k
    rho = Y + m * k
    alpha = rho + m
    n_iter[0] = 0
    f = obj.value_grad(coef, g)
    for it in range(max_iter + 1):
        gmax = _max_abs(g, k)
        curve[it] = f
        n_curve[0] = it + 1
        if it == 0:
            f0 = fabs(f)
        if verbose:
            _say(b"lbfgs", it, f, gmax)
        status = _health(f, gmax, f0)
        if status != RUNNING:
            break
        if gmax <= tol:
            status = CONVERGED
            break
        if it == max_iter:
            status = MAX_ITER
            break
        # two-loop recursion: d = -H g
        for j in range(k):
            d[j] = -g[j]
        for i in range(n_pairs):
            idx = (head - 1 - i + m) % m
            alpha[idx] = rho[idx] * _dot_k(S + idx * k, d, k)
            for j in range(k):
                d[j] -= alpha[idx] * Y[idx * k + j]
        if n_pairs > 0:
            idx = (head - 1 + m) % m
            gamma = 1.0 / (rho[idx] * _dot_k(Y + idx * k, Y + idx * k, k))
            for j in range(k):
                d[j] *= gamma
            t = 1.0
        else:
            # no curvature yet: a first step of length 1 in the coefficients
            t = 1.0 / max(sqrt(_dot_k(g, g, k)), 1e-300)
            t = min(t, 1.0)
        for i in range(n_pairs - 1, -1, -1):
            idx = (head - 1 - i + m) % m
            b = rho[idx] * _dot_k(Y + idx * k, d, k)
            for j in range(k):
                d[j] += (alpha[idx] - b) * S[idx * k + j]
        dg = _dot_k(g, d, k)
        if not dg < 0.0:
            # not a descent direction (rounding): forget the memory
            n_pairs = 0
            for j in range(k):
                d[j] = -g[j]
            dg = -_dot_k(g, g, k)
            t = min(1.0, 1.0 / max(sqrt(-dg), 1e-300))
        ls = _armijo(obj, coef, f, d, dg, t, w_new, g_new, &f_new, gmax)
        if ls != RUNNING:
            status = ls
            break
        # new pair s = w_new - w, y = g_new - g
        idx = head
        sy = 0.0
        yy = 0.0
        for j in range(k):
            a = w_new[j] - coef[j]
            b = g_new[j] - g[j]
            S[idx * k + j] = a
            Y[idx * k + j] = b
            sy += a * b
            yy += b * b
        if sy > CURVATURE_EPS * yy and yy > 0.0:
            rho[idx] = 1.0 / sy
            head = (head + 1) % m
            n_pairs = min(n_pairs + 1, m)
        flat = flat + 1 if f_new >= f else 0
        memcpy(coef, w_new, k * sizeof(double))
        memcpy(g, g_new, k * sizeof(double))
        f = f_new
        n_iter[0] = it + 1
        if flat >= FLAT_MAX:
            # tol is below what rounding lets the gradient reach
            status = STALLED
            curve[it + 1] = f
            n_curve[0] = it + 2
            break
    free(buf)
    return status


cdef bint _cholesky(double* A, Py_ssize_t k) noexcept nogil:
    """In-place lower Cholesky factor of the row-major k x k matrix A.

    Fails (False) on a pivot below PIVOT_RTOL of its diagonal entry: a
    matrix singular up to rounding "factorises" with noise pivots, whose
    inverse would throw the step far along the null space.
    """
    cdef Py_ssize_t i, j, l
    cdef double s, diag
    for j in range(k):
        s = diag = A[j * k + j]
        for l in range(j):
            s -= A[j * k + l] * A[j * k + l]
        if not (s > PIVOT_RTOL * diag and isfinite(s)):
            return False
        s = sqrt(s)
        A[j * k + j] = s
        for i in range(j + 1, k):
            A[i * k + j] = (A[i * k + j] - _dot_k(A + i * k, A + j * k, j)) / s
    return True


cdef void _cholesky_solve(const double* L, Py_ssize_t k, double* x) noexcept nogil:
    """Solve L L^T x = b in place (x holds b on entry)."""
    cdef Py_ssize_t i, l
    cdef double s
    for i in range(k):
        s = x[i]
        for l in range(i):
            s -= L[i * k + l] * x[l]
        x[i] = s / L[i * k + i]
    for i in range(k - 1, -1, -1):
        s = x[i]
        for l in range(i + 1, k):
            s -= L[l * k + i] * x[l]
        x[i] = s / L[i * k + i]


cdef int newton_loop(
    Objective obj, double* coef, Py_ssize_t max_iter, double tol,
    double* curve, Py_ssize_t* n_curve, Py_ssize_t* n_iter, int verbose,
) noexcept nogil:
    """Newton's method: solve H d = -g by Cholesky, then an Armijo line search.

    An indefinite or singular Hessian is shifted by ``tau * I``, tau growing
    tenfold from NEWTON_SHIFT0 of the largest diagonal entry until the
    factorisation succeeds (a Levenberg-style safeguard); later iterations
    remove the bias the shift leaves. Stops when max|g| <= tol.
    """
    cdef Py_ssize_t k = obj.n_coef, j, it, shifts, flat = 0
    cdef double f, f_new = 0.0, gmax, f0 = 0.0, dg, tau, dmax
    cdef int status = MAX_ITER, ls
    cdef double* buf = <double*>malloc((4 * k + 2 * k * k) * sizeof(double))
    cdef double *g, *g_new, *w_new, *d, *H, *L
    if buf == NULL:
        return NO_MEMORY
    g = buf
    g_new = g + k
    w_new = g_new + k
    d = w_new + k
    H = d + k
    L = H + k * k
    n_iter[0] = 0
    f = obj.value_grad(coef, g)
    for it in range(max_iter + 1):
        gmax = _max_abs(g, k)
        curve[it] = f
        n_curve[0] = it + 1
        if it == 0:
            f0 = fabs(f)
        if verbose:
            _say(b"newton", it, f, gmax)
        status = _health(f, gmax, f0)
        if status != RUNNING:
            break
        if gmax <= tol:
            status = CONVERGED
            break
        if it == max_iter:
            status = MAX_ITER
            break
        if not obj.hessian(coef, H):
            status = NO_HESSIAN
            break
        dmax = 0.0
        for j in range(k):
            dmax = max(dmax, fabs(H[j * k + j]))
        tau = 0.0
        for shifts in range(40):
            memcpy(L, H, k * k * sizeof(double))
            for j in range(k):
                L[j * k + j] += tau
            if _cholesky(L, k):
                break
            tau = max(NEWTON_SHIFT0 * dmax, 1e-300) if tau == 0.0 else 10.0 * tau
        else:
            status = NONFINITE
            break
        for j in range(k):
            d[j] = -g[j]
        _cholesky_solve(L, k, d)
        dg = _dot_k(g, d, k)
        ls = _armijo(obj, coef, f, d, dg, 1.0, w_new, g_new, &f_new, gmax)
        if ls != RUNNING:
            status = ls
            break
        flat = flat + 1 if f_new >= f else 0
        memcpy(coef, w_new, k * sizeof(double))
        memcpy(g, g_new, k * sizeof(double))
        f = f_new
        n_iter[0] = it + 1
        if flat >= FLAT_MAX:
            status = STALLED
            curve[it + 1] = f
            n_curve[0] = it + 2
            break
    free(buf)
    return status
