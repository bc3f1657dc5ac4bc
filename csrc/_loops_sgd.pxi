# Mini-batch stochastic gradient descent on any ``Objective`` with a
# mini-batch form (included by ``_solvers_fast.pyx``). Same contract as the
# full-batch loops, with epochs in place of iterations: ``curve`` receives the
# full objective at the start and after every epoch.


cdef inline unsigned long long _splitmix64(unsigned long long* state) noexcept nogil:
    """Next 64 random bits of the splitmix64 sequence (small, fast, well mixed)."""
    cdef unsigned long long z
    state[0] += <unsigned long long>0x9E3779B97F4A7C15
    z = state[0]
    z = (z ^ (z >> 30)) * <unsigned long long>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <unsigned long long>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef void _shuffle(Py_ssize_t* idx, Py_ssize_t n, unsigned long long* state) noexcept nogil:
    """Fisher-Yates shuffle of idx[0:n] in place."""
    cdef Py_ssize_t i, j, tmp
    for i in range(n - 1, 0, -1):
        # the modulo bias is below n / 2^64: irrelevant for any real n
        j = <Py_ssize_t>(_splitmix64(state) % <unsigned long long>(i + 1))
        tmp = idx[i]
        idx[i] = idx[j]
        idx[j] = tmp


cdef int sgd_loop(
    Objective obj, double* coef, Py_ssize_t max_epochs, double tol, double lr0,
    double mu, double l1, Py_ssize_t batch_size, unsigned long long seed,
    Py_ssize_t epoch0, Py_ssize_t n_no_change, bint adaptive,
    double* curve, Py_ssize_t* n_curve, Py_ssize_t* n_iter, int verbose,
) noexcept nogil:
    """Mini-batch SGD with momentum and an L1 prox, one shuffled pass per epoch.

    Each batch moves ``v <- mu v - lr g_B(w)``, ``w <- w + v`` with ``g_B``
    the unbiased batch gradient (``Objective.batch_value_grad``), then
    soft-thresholds the penalised entries by ``lr * l1``.

    Step schedules (the noise of the batch gradients needs a shrinking step
    to settle):

    * ``adaptive`` (a fit): ``lr = lr0`` while the full objective keeps
      falling; after ``n_no_change`` epochs in a row without a fall of more
      than ``tol`` below its best value, ``lr`` is divided by
      SGD_LR_DIVISOR. CONVERGED once ``lr`` drops below SGD_MIN_LR_FRACTION
      of ``lr0``: the steps no longer move the objective.
    * otherwise (``partial_fit``, one epoch per call): ``lr = lr0 /
      sqrt(1 + e)`` with ``e`` counted from ``epoch0``, so successive calls
      continue the decay; stops as the adaptive rule would before its first
      reduction (scikit-learn's SGD rule).
    """
    cdef Py_ssize_t k = obj.n_coef, kp = obj.n_penalized, n = obj.n_samples
    cdef Py_ssize_t j, e, start, bs, no_change = 0
    cdef double f, best, f0, lr, fb
    cdef int status = MAX_ITER
    cdef unsigned long long state = seed
    cdef double* buf = <double*>malloc(2 * k * sizeof(double))
    cdef Py_ssize_t* idx = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef double *g, *v
    if buf == NULL or idx == NULL:
        free(buf)
        free(idx)
        return NO_MEMORY
    g = buf
    v = buf + k
    memset(v, 0, k * sizeof(double))
    for j in range(n):
        idx[j] = j
    batch_size = max(1, min(batch_size, n))
    lr = lr0
    n_iter[0] = 0
    f = obj.value(coef) + l1 * _l1_norm(coef, kp)
    best = f
    f0 = fabs(f)
    curve[0] = f
    n_curve[0] = 1
    if verbose:
        _say(b"sgd", 0, f, NAN)
    if not isfinite(f):
        status = NONFINITE
    for e in range(max_epochs):
        if not isfinite(f):
            break
        if not adaptive:
            lr = lr0 / sqrt(1.0 + <double>(epoch0 + e))
        _shuffle(idx, n, &state)
        start = 0
        while start < n:
            bs = min(batch_size, n - start)
            fb = obj.batch_value_grad(coef, idx + start, bs, g)
            start += bs
            if not isfinite(fb):
                break
            for j in range(k):
                v[j] = mu * v[j] - lr * g[j]
                coef[j] += v[j]
            if l1 > 0.0:
                for j in range(kp):
                    coef[j] = _prox_entry(coef[j], lr * l1, False)
        f = obj.value(coef) + l1 * _l1_norm(coef, kp)
        curve[e + 1] = f
        n_curve[0] = e + 2
        n_iter[0] = e + 1
        if verbose:
            _say(b"sgd", e + 1, f, NAN)
        status = _health(f, 0.0, f0)
        if status != RUNNING:
            break
        status = MAX_ITER
        if f > best - tol:
            no_change += 1
        else:
            no_change = 0
        best = min(best, f)
        if no_change >= n_no_change:
            if not adaptive:
                status = CONVERGED
                break
            lr /= SGD_LR_DIVISOR
            no_change = 0
            if lr < SGD_MIN_LR_FRACTION * lr0:
                status = CONVERGED
                break
    free(buf)
    free(idx)
    return status
