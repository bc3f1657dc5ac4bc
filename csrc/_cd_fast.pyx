"""Coordinate descent (CD) for the elastic net: two compiled variants.

Both minimise, for one target, the elastic-net objective in "mean" scale::

    P(w) = 1/(2 n) ||y_w - X_w w||^2 + l1 ||w||_1 + l2/2 ||w||^2

where ``X_w``, ``y_w`` are the centred data with each row multiplied by
``sqrt(s_i)`` and the weights ``s`` sum to ``n`` (the wrapper rescales them;
that is also how scikit-learn normalises them). With ``Q = X_w^T X_w / n``,
``q = X_w^T y_w / n`` and ``yy = y_w^T y_w / n`` the same objective is::

    P(w) = 1/2 w^T Q w - q^T w + yy/2 + l1 ||w||_1 + l2/2 ||w||^2

One coordinate step sets ``w_j`` to the exact minimiser along ``j``::

    z_j = (X_j^T r) / n + Q_jj w_j          (r = y_w - X_w w)
    w_j = soft(z_j, l1) / (Q_jj + l2)       (soft(z, t) = sign(z) max(|z| - t, 0))

* ``_gram_cd``: the covariance variant. Keeps ``H = Q w`` up to date, so a
  step costs O(p) and an epoch O(p^2), independent of ``n``: the right
  choice when ``n >> p`` (``Q`` comes from one blocked pass over ``X``,
  ``fastgrad.linear_model._gram``).
* ``_residual_cd``: the residual variant on a Fortran-ordered ``X_w``.
  Keeps ``r`` up to date; a step costs O(n). For wide data / large ``p``.

Stopping rule (as scikit-learn defines it for CD, so equal ``tol`` means
comparable accuracy): after an epoch whose largest coefficient change is at
most ``tol`` times the largest coefficient (or all coefficients are zero, or
it is the last epoch), compute the duality gap; stop if it is at most
``tol * yy``.

Layers (house style): scalar helpers -> serial loops (the two CD variants,
with ``X_w^T r`` for the residual gap on OpenMP threads, one column per
iteration) -> ``def py_*`` hooks. Kernels trust their inputs (shapes,
finite values, ``Q_jj >= 0``); the checks live in
``fastgrad.linear_model._coordinate_descent``. Every accumulation is in
float64, also for float32 ``X``.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport NAN, fabs, isfinite, sqrt
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free

import numpy as np


cdef enum:
    # Status codes: the same numbers as fastgrad.linear_model._status (a
    # test checks that they agree).
    CONVERGED = 0
    MAX_ITER = 1
    NONFINITE = 2
    DIVERGED = 3
    STALLED = 4


cdef enum:
    # Below this many entries of X (n * p) the X^T r pass of the residual gap
    # runs serially: a thread launch would cost more than it saves.
    SERIAL_MAX_WORK = 200_000
    # Rows per block of the Gram pass. The block is transposed into a
    # (p, GRAM_BLOCK) buffer so every entry of X^T X becomes a contiguous,
    # vectorised dot product of this length; 64 doubles x 50 features is
    # 25 KiB, which stays in L1.
    GRAM_BLOCK = 64


STATUS_CODES = {
    "CONVERGED": CONVERGED,
    "MAX_ITER": MAX_ITER,
    "NONFINITE": NONFINITE,
    "DIVERGED": DIVERGED,
    "STALLED": STALLED,
}


# ---------------------------------------------------------------------------
# 1. scalar helpers
# ---------------------------------------------------------------------------

cdef inline double _coordinate_min(
    double z, double l1, double denom, bint positive
) noexcept nogil:
    """Minimiser of ``denom/2 w^2 - z w + l1 |w|`` (with ``w >= 0`` if positive)."""
    if positive and z < 0.0:
        return 0.0
    if z > l1:
        return (z - l1) / denom
    if z < -l1:
        return (z + l1) / denom
    return 0.0


cdef inline uint64_t _next_random(uint64_t* state) noexcept nogil:
    """xorshift64*: a small, fast generator; only the coordinate order uses it."""
    cdef uint64_t x = state[0]
    x ^= x >> 12
    x ^= x << 25
    x ^= x >> 27
    state[0] = x
    return x * <uint64_t>2685821657736338717


cdef inline Py_ssize_t _pick(
    Py_ssize_t f, Py_ssize_t p, bint random, uint64_t* state
) noexcept nogil:
    # "random" draws with replacement, as scikit-learn's selection="random".
    if random:
        return <Py_ssize_t>((_next_random(state) >> 11) % <uint64_t>p)
    return f


cdef inline double _dot(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t i
    for i in range(n):
        total += a[i] * b[i]
    return total


cdef inline double _col_dot(const floating* x, const double* r, Py_ssize_t n) noexcept nogil:
    """x . r for one column of X (float32 or float64) in float64."""
    cdef double total = 0.0
    cdef Py_ssize_t i
    for i in range(n):
        total += <double>x[i] * r[i]
    return total


cdef inline void _col_axpy(double a, const floating* x, double* r, Py_ssize_t n) noexcept nogil:
    """r += a * x for one column of X."""
    cdef Py_ssize_t i
    for i in range(n):
        r[i] += a * <double>x[i]


cdef inline double _l1_norm(const double* w, Py_ssize_t p) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t j
    for j in range(p):
        total += fabs(w[j])
    return total


cdef double _duality_gap(
    const double* w,
    const double* xtr,      # X_w^T r / n, p entries
    Py_ssize_t p,
    double r2,              # ||r||^2 / n
    double ry,              # r . y_w / n
    double l1,
    double l2,
    double n_samples,
    bint positive,
) noexcept nogil:
    """Duality gap of the mean-scale objective, from O(p) quantities.

    For ``l1 > 0`` the dual point is the residual scaled into the dual
    feasible set (``|X^T theta - l2 w|_inf <= l1``); for a ridge problem
    (``l1 == 0 < l2``) the ridge dual; without any penalty there is no dual
    and the squared gradient norm stands in, as in scikit-learn.
    """
    cdef double ww = _dot(w, w, p)
    cdef double dual_norm = 0.0, g, scale, primal, dual
    cdef Py_ssize_t j
    if l1 > 0.0:
        for j in range(p):
            g = xtr[j] - l2 * w[j]
            # positive=True: only the upper side of the constraint binds
            g = g if positive else fabs(g)
            if g > dual_norm:
                dual_norm = g
        scale = l1 / dual_norm if dual_norm > l1 else 1.0
        primal = 0.5 * (r2 + l2 * ww) + l1 * _l1_norm(w, p)
        dual = -0.5 * scale * scale * (r2 + l2 * ww) + scale * ry
        return primal - dual
    g = 0.0
    for j in range(p):
        # with w >= 0 the dual only pays for the positive part of X^T r
        # (the conjugate of l2/2 w^2 on w >= 0); scikit-learn omits this,
        # so its gap never closes for positive ridge-like problems
        dual_norm = max(xtr[j], 0.0) if positive and l2 > 0.0 else xtr[j]
        g += dual_norm * dual_norm
    if l2 > 0.0:
        return r2 + 0.5 * l2 * ww - ry + g / (2.0 * l2)
    # scikit-learn compares ||X^T r||^2 in its sum scale with tol * ||y||^2;
    # in mean scale that is n * ||X^T r / n||^2 against tol * yy.
    return n_samples * g


cdef inline void _report(
    int verbose, Py_ssize_t epoch, double objective, double d_w_max, double gap
) noexcept nogil:
    if verbose:
        with gil:
            gap_text = f"{gap:.3e}" if gap == gap else "-"
            print(f"CD epoch {epoch + 1}: objective {objective:.10e}, "
                  f"max update {d_w_max:.3e}, duality gap {gap_text}")


# ---------------------------------------------------------------------------
# 2. serial loops: the two CD variants
# ---------------------------------------------------------------------------

cdef int _gram_cd(
    const double* Q,        # (p, p) C order, symmetric
    const double* q,        # (p,)
    double yy,
    double* w,              # (p,) start point in, solution out
    double* H,              # (p,) scratch: Q w
    double* xtr,            # (p,) scratch: X^T r / n for the gap
    Py_ssize_t p,
    double l1,
    double l2,
    double n_samples,
    int max_iter,
    double tol,
    bint positive,
    bint random,
    uint64_t seed,
    int verbose,
    double* loss_curve,     # (max_iter,) objective after each epoch
    int* n_iter,
    double* gap_out,
) noexcept nogil:
    cdef Py_ssize_t epoch, f, j, i
    cdef double w_j, new, z, delta, d_w_max, w_max, qjj, objective, qw, wqw
    cdef double gap = 0.0, nan = NAN
    cdef double gap_tol = tol * yy
    cdef uint64_t state = seed | 1  # xorshift needs a non-zero state
    cdef const double* Qj

    for i in range(p):
        H[i] = 0.0
    for j in range(p):
        if w[j] != 0.0:
            _col_axpy(w[j], Q + j * p, H, p)

    # A warm start may already be optimal: check before any epoch.
    gap = _gram_gap(q, yy, w, H, xtr, p, l1, l2, n_samples, positive)
    if gap <= gap_tol:
        n_iter[0] = 0
        gap_out[0] = gap
        return CONVERGED

    for epoch in range(max_iter):
        d_w_max = 0.0
        w_max = 0.0
        for f in range(p):
            j = _pick(f, p, random, &state)
            qjj = Q[j * p + j]
            if qjj == 0.0:
                # constant feature: no effect on the fit
                continue
            w_j = w[j]
            z = q[j] - H[j] + qjj * w_j
            new = _coordinate_min(z, l1, qjj + l2, positive)
            if new != w_j:
                delta = new - w_j
                w[j] = new
                # Q is symmetric: row j is column j, and contiguous.
                Qj = Q + j * p
                for i in range(p):
                    H[i] += delta * Qj[i]
            d_w_max = max(d_w_max, fabs(new - w_j))
            w_max = max(w_max, fabs(new))

        qw = _dot(q, w, p)
        wqw = _dot(w, H, p)
        objective = (0.5 * (wqw - 2.0 * qw + yy) + l1 * _l1_norm(w, p)
                     + 0.5 * l2 * _dot(w, w, p))
        loss_curve[epoch] = objective
        if not isfinite(objective):
            n_iter[0] = epoch + 1
            gap_out[0] = nan
            return NONFINITE
        gap = nan
        if w_max == 0.0 or d_w_max <= tol * w_max or epoch == max_iter - 1:
            gap = _gram_gap(q, yy, w, H, xtr, p, l1, l2, n_samples, positive)
        _report(verbose, epoch, objective, d_w_max, gap)
        if gap <= gap_tol:
            n_iter[0] = epoch + 1
            gap_out[0] = gap
            return CONVERGED

    n_iter[0] = max_iter
    gap_out[0] = gap
    return MAX_ITER


cdef double _gram_gap(
    const double* q, double yy, const double* w, const double* H, double* xtr,
    Py_ssize_t p, double l1, double l2, double n_samples, bint positive,
) noexcept nogil:
    """Duality gap from Gram quantities: the residual never exists, only its moments.

    ``||r||^2/n = yy - 2 q.w + w.Qw``, ``r.y/n = yy - q.w`` and
    ``X^T r/n = q - Qw``; the cancellation costs ~eps * yy absolute, far
    below the ``tol * yy`` the gap is compared with.
    """
    cdef double qw = _dot(q, w, p)
    cdef Py_ssize_t j
    for j in range(p):
        xtr[j] = q[j] - H[j]
    return _duality_gap(w, xtr, p, yy - 2.0 * qw + _dot(w, H, p), yy - qw,
                        l1, l2, n_samples, positive)


cdef void _xt_r(
    const floating* X, const double* r, Py_ssize_t n, Py_ssize_t p,
    double inv_n, double* out, int n_threads,
) noexcept nogil:
    """out = X^T r / n: the parallel pass (one column per prange iteration)."""
    cdef Py_ssize_t j
    if n_threads > 1 and n * p >= SERIAL_MAX_WORK:
        for j in prange(p, nogil=True, schedule="static", num_threads=n_threads):
            out[j] = _col_dot(X + j * n, r, n) * inv_n
    else:
        for j in range(p):
            out[j] = _col_dot(X + j * n, r, n) * inv_n


cdef int _residual_cd(
    const floating* X,      # (n, p) Fortran order: column j at X + j * n
    const double* y,        # (n,)
    double* w,              # (p,) start point in, solution out
    double* r,              # (n,) scratch: residual y - X w
    double* norms,          # (p,) scratch: ||X_j||^2 / n
    double* xtr,            # (p,) scratch: X^T r / n
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
    cdef Py_ssize_t epoch, f, j, i
    cdef double inv_n = 1.0 / n
    cdef double w_j, new, z, d_w_max, w_max, objective, r2
    cdef double yy = _dot(y, y, n) * inv_n
    cdef double gap_tol = tol * yy
    cdef double gap = 0.0, nan = NAN
    cdef uint64_t state = seed | 1
    cdef const floating* Xj

    for j in range(p):
        Xj = X + j * n
        r2 = 0.0
        for i in range(n):
            r2 += <double>Xj[i] * <double>Xj[i]
        norms[j] = r2 * inv_n
    for i in range(n):
        r[i] = y[i]
    for j in range(p):
        if w[j] != 0.0:
            _col_axpy(-w[j], X + j * n, r, n)

    gap = _residual_gap(X, y, w, r, xtr, n, p, l1, l2, positive, n_threads)
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
            Xj = X + j * n
            w_j = w[j]
            z = _col_dot(Xj, r, n) * inv_n + norms[j] * w_j
            new = _coordinate_min(z, l1, norms[j] + l2, positive)
            if new != w_j:
                w[j] = new
                _col_axpy(w_j - new, Xj, r, n)
            d_w_max = max(d_w_max, fabs(new - w_j))
            w_max = max(w_max, fabs(new))

        objective = (0.5 * _dot(r, r, n) * inv_n + l1 * _l1_norm(w, p)
                     + 0.5 * l2 * _dot(w, w, p))
        loss_curve[epoch] = objective
        if not isfinite(objective):
            n_iter[0] = epoch + 1
            gap_out[0] = nan
            return NONFINITE
        gap = nan
        if w_max == 0.0 or d_w_max <= tol * w_max or epoch == max_iter - 1:
            gap = _residual_gap(X, y, w, r, xtr, n, p, l1, l2, positive, n_threads)
        _report(verbose, epoch, objective, d_w_max, gap)
        if gap <= gap_tol:
            n_iter[0] = epoch + 1
            gap_out[0] = gap
            return CONVERGED

    n_iter[0] = max_iter
    gap_out[0] = gap
    return MAX_ITER


cdef double _residual_gap(
    const floating* X, const double* y, const double* w, const double* r,
    double* xtr, Py_ssize_t n, Py_ssize_t p, double l1, double l2,
    bint positive, int n_threads,
) noexcept nogil:
    cdef double inv_n = 1.0 / n
    _xt_r(X, r, n, p, inv_n, xtr, n_threads)
    return _duality_gap(
        w, xtr, p, _dot(r, r, n) * inv_n, _dot(r, y, n) * inv_n,
        l1, l2, <double>n, positive,
    )


# ---------------------------------------------------------------------------
# 3. Python hooks
# ---------------------------------------------------------------------------

def py_gram_cd(
    const double[:, ::1] Q,
    const double[::1] q,
    double yy,
    double[::1] w,
    double l1,
    double l2,
    double n_samples,
    int max_iter,
    double tol,
    bint positive=False,
    bint random=False,
    unsigned long long seed=0,
    int verbose=0,
):
    """Covariance CD on ``Q = X_w^T X_w / n``, ``q = X_w^T y_w / n``, ``yy``.

    ``w`` (float64, length p) is the start point and is overwritten with the
    solution. Returns ``(status, n_iter, gap, loss_curve)`` where
    ``loss_curve`` holds the mean-scale objective after each epoch.
    Test hook: only shapes are checked.
    """
    cdef Py_ssize_t p = Q.shape[0]
    cdef int status, n_iter = 0
    cdef double gap = 0.0
    if Q.shape[1] != p or q.shape[0] != p or w.shape[0] != p or p < 1:
        raise ValueError(f"Q must be (p, p) and q, w of length p, got Q ({Q.shape[0]}, {Q.shape[1]}), "
                         f"q ({q.shape[0]},), w ({w.shape[0]},)")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    curve = np.empty(max_iter, dtype=np.float64)
    H = np.empty(2 * p, dtype=np.float64)
    cdef double[::1] curve_v = curve, H_v = H
    with nogil:
        status = _gram_cd(&Q[0, 0], &q[0], yy, &w[0], &H_v[0], &H_v[p], p, l1, l2, n_samples,
                          max_iter, tol, positive, random, seed, verbose,
                          &curve_v[0], &n_iter, &gap)
    return status, n_iter, gap, curve[:n_iter].copy()


def py_residual_cd(
    const floating[::1, :] X,
    const double[::1] y,
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
    """Residual CD on a Fortran-ordered ``X_w`` (n, p) and ``y_w`` (n,).

    The data are used as given: centre and weight them first. ``w``
    (float64) is the start point and is overwritten with the solution.
    Returns ``(status, n_iter, gap, loss_curve)`` like ``py_gram_cd``.
    Test hook: only shapes are checked.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef int status, n_iter = 0
    cdef double gap = 0.0
    if n < 1 or p < 1 or y.shape[0] != n or w.shape[0] != p:
        raise ValueError(f"X must be non-empty (n, p) with y of length n and w of length p, "
                         f"got X ({n}, {p}), y ({y.shape[0]},), w ({w.shape[0]},)")
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    curve = np.empty(max_iter, dtype=np.float64)
    r = np.empty(n, dtype=np.float64)
    scratch = np.empty(2 * p, dtype=np.float64)
    cdef double[::1] curve_v = curve, r_v = r, s_v = scratch
    with nogil:
        status = _residual_cd(&X[0, 0], &y[0], &w[0], &r_v[0], &s_v[0], &s_v[p], n, p,
                              l1, l2, max_iter, tol, positive, random, seed, n_threads,
                              verbose, &curve_v[0], &n_iter, &gap)
    return status, n_iter, gap, curve[:n_iter].copy()



# ---------------------------------------------------------------------------
# 4. sparse (CSC) variant: its own file, same helpers and status codes
# ---------------------------------------------------------------------------

include "_cd_sparse.pxi"


# ---------------------------------------------------------------------------
# 5. whole paths over an alpha grid (dense, Gram, sparse, multi-task)
# ---------------------------------------------------------------------------

include "_cd_path.pxi"


# ---------------------------------------------------------------------------
# 6. working-set CD for wide L1 fits (driver: linear_model/_cd_ws.py)
# ---------------------------------------------------------------------------

include "_cd_ws.pxi"
