# First-order solver loops (included by ``_solvers_fast.pyx``).
#
# Every loop here works on any ``Objective`` and follows the same contract:
#
# * ``coef`` (n_coef float64 entries) holds the start and receives the result;
# * ``curve`` (max_iter + 1 entries) receives the objective at each gradient
#   evaluation, ``*n_curve`` says how many were written;
# * the return value is a status code (the enum in ``_solvers_fast.pyx``) and
#   ``*n_iter`` the number of updates made;
# * non-finite values stop the loop at once (NONFINITE), as does an objective
#   that grows far beyond its starting value (DIVERGED).


cdef inline double _max_abs(const double* v, Py_ssize_t k) noexcept nogil:
    cdef double m = 0.0
    cdef Py_ssize_t j
    for j in range(k):
        if fabs(v[j]) > m or not isfinite(v[j]):
            m = fabs(v[j])
    return m


cdef inline double _dot_k(const double* a, const double* b, Py_ssize_t k) noexcept nogil:
    cdef double s = 0.0
    cdef Py_ssize_t j
    for j in range(k):
        s += a[j] * b[j]
    return s


cdef inline int _health(double f, double gmax, double f0) noexcept nogil:
    """RUNNING, or why the loop must stop: NONFINITE / DIVERGED."""
    if not (isfinite(f) and isfinite(gmax)):
        return NONFINITE
    # A factor 1e10 over the start is never a legitimate overshoot of a
    # descent method; stopping here beats waiting for an overflow.
    if f > DIVERGE_FACTOR * f0 + 1e-100:
        return DIVERGED
    return RUNNING


cdef void _say(const char* solver, Py_ssize_t it, double f, double gmax) noexcept nogil:
    with gil:
        print(f"[{solver.decode()}] iteration {it}: objective {f:.10g}, max|gradient| {gmax:.3g}")


cdef double _l1_norm(const double* w, Py_ssize_t k) noexcept nogil:
    cdef double s = 0.0
    cdef Py_ssize_t j
    for j in range(k):
        s += fabs(w[j])
    return s


cdef int heavy_ball_loop(
    Objective obj, double* coef, Py_ssize_t max_iter, double tol, double lr, double mu,
    double* curve, Py_ssize_t* n_curve, Py_ssize_t* n_iter, int verbose,
) noexcept nogil:
    """Gradient descent with heavy-ball momentum: v <- mu v - lr g(w); w <- w + v.

    ``mu = 0`` is plain gradient descent. Stops when max|g| <= tol. For an
    objective without a global curvature bound the step is safeguarded (see
    the loop).
    """
    cdef Py_ssize_t k = obj.n_coef, j, it
    cdef double f, gmax, f0 = 0.0, f_prev = INFINITY
    cdef int status = MAX_ITER
    cdef bint guard = not obj.global_bound
    cdef double* g = <double*>malloc(4 * k * sizeof(double))
    cdef double *v, *w_prev, *g_prev
    if g == NULL:
        return NO_MEMORY
    v = g + k
    w_prev = v + k
    g_prev = w_prev + k
    memset(v, 0, k * sizeof(double))
    n_iter[0] = 0
    for it in range(max_iter + 1):
        f = obj.value_grad(coef, g)
        if guard:
            # No global bound on the curvature, so lr may be too long where
            # the curvature grows: an increase of f undoes the step, drops
            # the velocity and halves lr (the method stays monotone).
            while not (f <= f_prev) and it > 0:
                lr *= 0.5
                if lr < 1e-300:
                    break
                memcpy(coef, w_prev, k * sizeof(double))
                memset(v, 0, k * sizeof(double))
                for j in range(k):
                    v[j] = -lr * g_prev[j]
                    coef[j] += v[j]
                f = obj.value_grad(coef, g)
            f_prev = f
            memcpy(w_prev, coef, k * sizeof(double))
            memcpy(g_prev, g, k * sizeof(double))
        gmax = _max_abs(g, k)
        curve[it] = f
        n_curve[0] = it + 1
        if it == 0:
            f0 = fabs(f)
        if verbose:
            _say(b"momentum" if mu != 0.0 else b"gd", it, f, gmax)
        status = _health(f, gmax, f0)
        if status != RUNNING:
            break
        if gmax <= tol:
            status = CONVERGED
            break
        if it == max_iter:
            status = MAX_ITER
            break
        for j in range(k):
            v[j] = mu * v[j] - lr * g[j]
            coef[j] += v[j]
        n_iter[0] = it + 1
    free(g)
    return status


cdef inline double _prox_entry(double z, double thresh, bint positive) noexcept nogil:
    """argmin_u 0.5 (u - z)^2 + thresh |u| (+ the constraint u >= 0)."""
    if positive:
        return z - thresh if z > thresh else 0.0
    if z > thresh:
        return z - thresh
    if z < -thresh:
        return z + thresh
    return 0.0


cdef int prox_loop(
    Objective obj, double* coef, Py_ssize_t max_iter, double tol, double lr, double mu,
    bint accelerate, double l1, bint positive,
    double* curve, Py_ssize_t* n_curve, Py_ssize_t* n_iter, int verbose,
) noexcept nogil:
    """Proximal gradient, plain (ISTA / gradient descent) or accelerated (FISTA / Nesterov).

    Minimises ``f(coef) + l1 * ||coef[:n_penalized]||_1`` (with ``positive``:
    subject to ``coef[:n_penalized] >= 0``). With ``l1 = 0`` and no
    constraint the prox is the identity, so this is gradient descent
    (``accelerate=False``) or Nesterov's accelerated gradient.

    Acceleration: ``mu < 0`` takes FISTA's momentum sequence t_k, ``mu >= 0``
    a constant momentum. Either way the momentum is reset (adaptive restart,
    O'Donoghue & Candes 2015) whenever the step turns against the last
    update, which removes the ripples of over-shooting momentum and restores
    linear convergence on strongly convex problems.

    Stops when the gradient mapping ``(y - prox(y - lr g(y))) / lr`` (the
    gradient itself when there is no prox) is at most ``tol`` in max-norm;
    ``coef`` is then the prox point.

    For an objective without a global curvature bound (``global_bound``
    False: Poisson, Huber) ``lr`` is only a first guess, reduced by
    backtracking at the cost of one extra value pass per iteration.
    """
    cdef Py_ssize_t k = obj.n_coef, kp = obj.n_penalized, j, it
    cdef double f, gmax, f0 = 0.0, t = 1.0, t_next, beta, turn, z, model, f_new
    cdef int status = MAX_ITER
    cdef double* buf = <double*>malloc(4 * k * sizeof(double))
    cdef double* g
    cdef double* y
    cdef double* x_new
    cdef const char* name = b"fista" if (accelerate and l1 > 0.0) else (
        b"nesterov" if accelerate else (b"ista" if l1 > 0.0 or positive else b"gd"))
    if buf == NULL:
        return NO_MEMORY
    g = buf
    y = buf + k
    x_new = buf + 2 * k
    memcpy(y, coef, k * sizeof(double))
    n_iter[0] = 0
    for it in range(max_iter + 1):
        f = obj.value_grad(y, g)
        curve[it] = f + l1 * _l1_norm(y, kp)
        n_curve[0] = it + 1
        # prox step from y, and the gradient mapping's size
        while True:
            gmax = 0.0
            for j in range(k):
                z = y[j] - lr * g[j]
                x_new[j] = _prox_entry(z, lr * l1, positive) if j < kp else z
                z = fabs(y[j] - x_new[j]) / lr
                if z > gmax or not isfinite(z):
                    gmax = z
            if obj.global_bound or not isfinite(f) or gmax == 0.0 or lr < 1e-300:
                break
            # Backtracking (Beck & Teboulle): without a global bound, accept
            # lr only where the quadratic model with curvature 1/lr lies above
            # f at the new point; else halve lr (it never grows back).
            model = f
            for j in range(k):
                z = x_new[j] - y[j]
                model += g[j] * z + z * z / (2.0 * lr)
            f_new = obj.value(x_new)
            if isfinite(f_new) and f_new <= model + BACKTRACK_RTOL * fabs(f):
                break
            lr *= 0.5
        if it == 0:
            f0 = fabs(curve[0])
        if verbose:
            _say(name, it, curve[it], gmax)
        status = _health(curve[it], gmax, f0)
        if status != RUNNING:
            break
        if gmax <= tol:
            memcpy(coef, x_new, k * sizeof(double))
            status = CONVERGED
            break
        if it == max_iter:
            status = MAX_ITER
            break
        n_iter[0] = it + 1
        if not accelerate:
            memcpy(coef, x_new, k * sizeof(double))
            memcpy(y, x_new, k * sizeof(double))
            continue
        # restart test: (y - x_new) . (x_new - x) > 0 means the step undoes
        # part of the previous update, i.e. the momentum overshot.
        turn = 0.0
        for j in range(k):
            turn += (y[j] - x_new[j]) * (x_new[j] - coef[j])
        if mu < 0.0:
            if turn > 0.0:
                t = 1.0
            t_next = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
            t = t_next
        else:
            beta = 0.0 if turn > 0.0 else mu
        for j in range(k):
            y[j] = x_new[j] + beta * (x_new[j] - coef[j])
            coef[j] = x_new[j]
    if status == MAX_ITER:
        memcpy(coef, x_new, k * sizeof(double))
    free(buf)
    return status


cdef double lipschitz(Objective obj, Py_ssize_t max_iter, double rtol) noexcept nogil:
    """Largest Hessian eigenvalue by power iteration (Rayleigh quotients).

    Returns a value within about ``rtol`` of the largest eigenvalue (from
    below), or a negative number on failure (non-finite or no memory).
    """
    cdef Py_ssize_t k = obj.n_coef, j, it
    cdef double lam = 0.0, lam_old, norm
    cdef double* v = <double*>malloc(2 * k * sizeof(double))
    cdef double* u
    if v == NULL:
        return -1.0
    u = v + k
    # A start with unequal entries: never orthogonal to the top eigenvector
    # in practice (an exactly uniform start could be, by symmetry).
    for j in range(k):
        v[j] = 1.0 + 0.1 * (j % 7)
    norm = sqrt(_dot_k(v, v, k))
    for j in range(k):
        v[j] /= norm
    for it in range(max_iter):
        obj.hess_vec(v, u)
        lam_old = lam
        lam = _dot_k(v, u, k)
        norm = sqrt(_dot_k(u, u, k))
        if not (isfinite(norm) and norm > 0.0):
            lam = -1.0 if not isfinite(norm) else 0.0
            break
        for j in range(k):
            v[j] = u[j] / norm
        if it > 0 and fabs(lam - lam_old) <= rtol * lam:
            break
    free(v)
    return lam
