"""Stochastic gradient descent for linear regression and binary classification.

Minimises, one sample (or one mini-batch) at a time::

    sum_i s_i L(y_i, x_i . w + b) / n + alpha * ((1 - r) ||w||^2 / 2 + r ||w||_1)

with the regression losses ``squared_error``, ``huber``,
``epsilon_insensitive`` and ``squared_epsilon_insensitive`` and the
classification losses ``hinge`` (and perceptron), ``squared_hinge``,
``modified_huber`` and ``log_loss`` (one binary problem per call;
``SGDClassifier`` runs one per class), with the same update rule as
scikit-learn's ``SGDRegressor`` / ``SGDClassifier`` (step, then L2 shrink,
then the cumulative L1 penalty).

Layers, from the inside out:

1. ``_sgd_scalar.pxi`` -- one sample: losses, derivatives, schedules, the
   shuffle and the dot product and the row prefetch.
2. ``_single_epoch`` (one update per sample, the hot path) and
   ``_batch_epoch`` (mini-batches and/or momentum) -- one pass over the
   training rows; ``_run_epochs`` -- epochs plus the stopping rule.
   ``_sgd_sparse.pxi`` -- the same on CSR rows, O(nnz of the row) per step.
3. ``py_sgd_epochs`` / ``py_sgd_epochs_csr`` -- the Python hooks; ``fastgrad.linear_model._sgd``
   validates everything and owns the arrays.

Representation. The true weights are ``wscale * w``: the L2 shrink of a step
multiplies ``wscale`` (O(1)) instead of every weight (O(p)). The averaged
weights are ``(aw + A * w) / B`` (scikit-learn's lazy averaging): a step
changes ``aw`` only along ``x``. Python folds both back at the end
(``_fold`` in ``_sgd.py``). All weights live in float64, also for float32 X.

The kernels trust their inputs (contiguous, finite, matching shapes).
"""
from cython cimport floating

import numpy as np


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define fastgrad_prefetch(addr) __builtin_prefetch((const void *)(addr))
    #else
    #define fastgrad_prefetch(addr) ((void)0)
    #endif
    """
    void fastgrad_prefetch(const void* addr) noexcept nogil


cdef enum:
    # Prefetch the row this many samples ahead in the shuffled order
    # (200000 x 50, default settings: 1, 4, 8, 16 gave 57.6, 21.7, 21.6,
    # 22.9 ms/epoch; 1 is too late for DRAM latency).
    PREFETCH_AHEAD = 8
    # At most this many bytes of that row are prefetched explicitly.
    PREFETCH_MAX_BYTES = 1024


include "_sgd_scalar.pxi"


cdef struct Config:
    Py_ssize_t n, p, batch_size
    int loss, penalty, schedule, fit_intercept, early_stopping, shuffle
    int n_iter_no_change
    # classify: validation score is the accuracy of sign(x . w + b) against
    # y > 0 (else R^2); nesterov: Nesterov momentum in the batch epochs
    int classify, nesterov
    double epsilon, alpha, l1_ratio, eta0, power_t, optimal_init
    double average, momentum, tol, n_train
    # share of each step the intercept takes: 1, or scikit-learn's
    # SPARSE_INTERCEPT_DECAY on sparse data (see _sgd_sparse.pxi)
    double intercept_decay
    unsigned int seed


cdef struct Vectors:
    double* w       # weights, true ones are wscale * w
    double* aw      # averaged weights, see the module docstring
    double* q       # L1 penalty each weight has actually received
    double* vel     # momentum (true units)
    double* grad    # mini-batch step being summed (true units)
    long long* order
    long long* batch
    const double* row_sq       # ||x_i||^2 per row (only read when needed)
    const unsigned char* val   # 1 for validation rows (skipped)


cdef inline double _penalty(const Config* c, double sqn, double l1n) noexcept nogil:
    """Penalty of the current weights (its norms ``sqn`` = ||w||^2, ``l1n``)."""
    if c.penalty == NO_PENALTY or c.schedule >= PA1:
        return 0.0
    return c.alpha * ((1.0 - c.l1_ratio) * 0.5 * sqn + c.l1_ratio * l1n)


cdef inline void _fold_scale(const Config* c, Vectors* v, double* st) noexcept nogil:
    """Multiply ``wscale`` into the weights (and the averaging scalars)."""
    cdef Py_ssize_t j
    cdef double A = st[S_AVG_A], B = st[S_AVG_B], s = st[S_WSCALE]
    if c.average > 0:
        for j in range(c.p):
            v.aw[j] = (v.aw[j] + A * v.w[j]) / B
        st[S_AVG_A] = 0.0
        st[S_AVG_B] = 1.0
    for j in range(c.p):
        v.w[j] *= s
    st[S_WSCALE] = 1.0


cdef inline void _norms(const Config* c, const Vectors* v, double wscale,
                        double* sqn, double* l1n) noexcept nogil:
    """Exact ||wscale * w||^2 and ||wscale * w||_1."""
    cdef double sq = 0.0, l1 = 0.0, z
    cdef Py_ssize_t j
    for j in range(c.p):
        z = v.w[j]
        sq += z * z
        l1 += fabs(z)
    sqn[0] = sq * wscale * wscale
    l1n[0] = l1 * fabs(wscale)


cdef inline void _truncate_l1(const Config* c, Vectors* v, double wscale, double u,
                              double* sqn, double* l1n) noexcept nogil:
    """Cumulative L1 penalty (truncated gradient, Tsuruoka et al. 2009).

    Each weight is pulled towards zero (never across it) until it has
    received the total penalty ``u`` handed out so far; ``q`` remembers how
    much it got. Also returns the norms of the truncated weights. wscale > 0
    here (a zero shrink is folded at once), so signs of w are those of the
    true weights and one reciprocal replaces 2p divisions.
    """
    fg_truncate_l1(v.w, v.q, c.p, wscale, u, sqn, l1n)


cdef inline void _average_step(const Config* c, double* st, double t) noexcept nogil:
    """Fold the current weights into the running mean (scalars only)."""
    cdef double k = t - c.average + 1.0
    cdef double mu = 1.0 / k
    if k > 1.0:
        st[S_AVG_B] /= 1.0 - mu
    st[S_AVG_A] += mu * st[S_AVG_B] * st[S_WSCALE]
    st[S_AVG_INTERCEPT] += (st[S_INTERCEPT] - st[S_AVG_INTERCEPT]) / k


cdef double _single_epoch(
    const floating* X, const floating* y, const floating* sw,
    const Config* c, Vectors* v, double* st
) noexcept nogil:
    """One update per training sample, in ``v.order``; returns the summed objective.

    The objective of a sample is its loss plus the penalty of the weights it
    met (scikit-learn's definition, used by the stopping rule).
    """
    cdef Py_ssize_t p = c.p, n = c.n, i, row, nxt
    cdef const floating* x
    cdef double* w = v.w
    cdef double* aw = v.aw
    # hot scalars as locals so the compiler keeps them in registers
    cdef double b = st[S_INTERCEPT], wscale = st[S_WSCALE], t = st[S_T]
    cdef double eta = st[S_ETA], u = st[S_U]
    cdef double alpha = c.alpha, l2_part = (1.0 - c.l1_ratio) * c.alpha
    cdef double eps = c.epsilon, eta0 = c.eta0
    cdef int loss = c.loss, schedule = c.schedule, penalty = c.penalty
    cdef bint averaging = c.average > 0, track_sq = penalty == L2
    cdef bint need_xsq = track_sq or schedule >= PA1
    cdef double d, xsq = 0.0, pred, yi, cur, upd, shrink, k, vx
    cdef double total = 0.0, sqn, l1n
    _norms(c, v, wscale, &sqn, &l1n)
    for i in range(n):
        row = v.order[i]
        if i + PREFETCH_AHEAD < n:
            nxt = v.order[i + PREFETCH_AHEAD]
            _prefetch_row(X + nxt * p, p)
            fastgrad_prefetch(v.row_sq + nxt)
        if v.val[row]:
            continue
        x = X + row * p
        yi = y[row]
        d = _dot(x, w, p)
        if need_xsq:
            # precomputed: a second sum in the dot loop costs it registers
            # and measured ~20% of the epoch
            xsq = v.row_sq[row]
        vx = wscale * d
        pred = vx + b
        eta = _schedule_eta(schedule, eta, eta0, alpha, t, c.power_t, c.optimal_init)
        cur = _loss(loss, yi, pred, eps)
        total += cur + _penalty(c, sqn, l1n)
        if schedule == PA1:
            if xsq == 0.0:
                continue  # as scikit-learn: nothing to learn from x = 0
            upd = cur / xsq
            if upd > eta0:
                upd = eta0
            upd = _pa_signed(loss, upd, yi, pred)
        elif schedule == PA2:
            upd = _pa_signed(loss, cur / (xsq + 0.5 / eta0), yi, pred)
        else:
            upd = -eta * _clip(_dloss(loss, yi, pred, eps))
        upd *= sw[row]
        if penalty >= L2:
            shrink = 1.0 - l2_part * eta
            if shrink < 0.0:
                shrink = 0.0
            wscale *= shrink
            vx *= shrink
            sqn *= shrink * shrink
            if wscale < WSCALE_MIN:
                st[S_WSCALE] = wscale
                _fold_scale(c, v, st)
                wscale = 1.0
        if upd != 0.0:
            k = upd / wscale
            if averaging:
                # keep (aw + A w) / B unchanged by this step
                _axpy2(k, -st[S_AVG_A] * k, x, w, aw, p)
            else:
                _axpy(k, x, w, p)
            if track_sq:
                # ||w + upd x||^2 from quantities at hand, O(1) not O(p)
                sqn += 2.0 * upd * vx + upd * upd * xsq
        if c.fit_intercept:
            b += upd * c.intercept_decay
        if averaging and c.average <= t:
            st[S_WSCALE] = wscale
            st[S_INTERCEPT] = b
            _average_step(c, st, t)
        if penalty == L1 or penalty == ELASTICNET:
            u += c.l1_ratio * eta * alpha
            _truncate_l1(c, v, wscale, u, &sqn, &l1n)
        t += 1.0
    st[S_INTERCEPT] = b
    st[S_WSCALE] = wscale
    st[S_T] = t
    st[S_ETA] = eta
    st[S_U] = u
    return total


cdef double _batch_epoch(
    const floating* X, const floating* y, const floating* sw,
    const Config* c, Vectors* v, double* st
) noexcept nogil:
    """One update per mini-batch (the mean step of its samples), with momentum."""
    cdef Py_ssize_t p = c.p, n = c.n, pos = 0, nb, kk, j, row
    cdef const floating* x
    cdef double wscale, b, eta = st[S_ETA], t, pen, total = 0.0, sqn, l1n
    cdef double d, xsq = 0.0, pred, yi, cur, upd, gb, shrink, m, inv, avg_a, beta = c.momentum
    cdef bint need_xsq = c.schedule >= PA1
    _norms(c, v, st[S_WSCALE], &sqn, &l1n)
    while True:
        nb = 0
        while pos < n and nb < c.batch_size:
            row = v.order[pos]
            pos += 1
            if not v.val[row]:
                v.batch[nb] = row
                nb += 1
        if nb == 0:
            break
        wscale = st[S_WSCALE]
        b = st[S_INTERCEPT]
        t = st[S_T]
        eta = _schedule_eta(c.schedule, eta, c.eta0, c.alpha, t, c.power_t, c.optimal_init)
        pen = _penalty(c, sqn, l1n)
        for j in range(p):
            v.grad[j] = 0.0
        gb = 0.0
        for kk in range(nb):
            row = v.batch[kk]
            if kk + 1 < nb:
                _prefetch_row(X + v.batch[kk + 1] * p, p)
            x = X + row * p
            yi = y[row]
            d = _dot(x, v.w, p)
            xsq = v.row_sq[row] if need_xsq else 0.0
            pred = wscale * d + b
            cur = _loss(c.loss, yi, pred, c.epsilon)
            total += cur + pen
            if c.schedule == PA1:
                upd = 0.0 if xsq == 0.0 else min(c.eta0, cur / xsq)
                upd = _pa_signed(c.loss, upd, yi, pred)
            elif c.schedule == PA2:
                upd = _pa_signed(c.loss, cur / (xsq + 0.5 / c.eta0), yi, pred)
            else:
                upd = -eta * _clip(_dloss(c.loss, yi, pred, c.epsilon))
            upd *= sw[row] / nb
            if upd != 0.0:
                _axpy(upd, x, v.grad, p)
                gb += upd
        if c.penalty >= L2:
            shrink = 1.0 - (1.0 - c.l1_ratio) * c.alpha * eta
            st[S_WSCALE] = wscale * (shrink if shrink > 0.0 else 0.0)
            if st[S_WSCALE] < WSCALE_MIN:
                _fold_scale(c, v, st)
            wscale = st[S_WSCALE]
        inv = 1.0 / wscale
        avg_a = st[S_AVG_A] if c.average > 0 else 0.0
        sqn = 0.0
        for j in range(p):
            # heavy ball: the step is the new gradient step plus beta times the last one
            m = beta * v.vel[j] + v.grad[j] if beta != 0.0 else v.grad[j]
            v.vel[j] = m
            if c.nesterov:
                # look-ahead form: the step is g + beta * (new velocity)
                m = v.grad[j] + beta * m
            v.w[j] += m * inv
            v.aw[j] -= avg_a * m * inv
            sqn += v.w[j] * v.w[j]
        sqn *= wscale * wscale
        m = beta * st[S_VEL_B] + gb
        st[S_VEL_B] = m
        if c.nesterov:
            m = gb + beta * m
        if c.fit_intercept:
            st[S_INTERCEPT] = b + m * c.intercept_decay
        if c.average > 0 and c.average <= t:
            _average_step(c, st, t)
        if c.penalty == L1 or c.penalty == ELASTICNET:
            st[S_U] += c.l1_ratio * eta * c.alpha
            _truncate_l1(c, v, wscale, st[S_U], &sqn, &l1n)
        st[S_T] = t + 1.0
    st[S_ETA] = eta
    return total


cdef double _validation_r2(
    const floating* X, const floating* y, const floating* sw,
    const Config* c, const Vectors* v, const double* st
) noexcept nogil:
    """Weighted R^2 of the current (not averaged) weights on the validation rows."""
    cdef Py_ssize_t i
    cdef double s, sum_s = 0.0, sum_sy = 0.0, num = 0.0, den = 0.0, r, mean
    for i in range(c.n):
        if v.val[i]:
            s = sw[i]
            sum_s += s
            sum_sy += s * y[i]
            r = y[i] - (st[S_WSCALE] * _dot(X + i * c.p, v.w, c.p) + st[S_INTERCEPT])
            num += s * r * r
    mean = sum_sy / sum_s
    for i in range(c.n):
        if v.val[i]:
            r = y[i] - mean
            den += sw[i] * r * r
    if den == 0.0:
        # as sklearn.metrics.r2_score: a constant target is fitted or not
        return 1.0 if num == 0.0 else 0.0
    return 1.0 - num / den


cdef double _validation_accuracy(
    const floating* X, const floating* y, const floating* sw,
    const Config* c, const Vectors* v, const double* st
) noexcept nogil:
    """Weighted share of validation rows whose sign of ``x . w + b`` matches y > 0.

    A score above 0 predicts the positive class, as scikit-learn's
    ``predict`` does; y codes the positive class as 1 and the other as -1
    (or 0 for log_loss).
    """
    cdef Py_ssize_t i
    cdef double s, sum_s = 0.0, hit = 0.0, d
    for i in range(c.n):
        if v.val[i]:
            s = sw[i]
            sum_s += s
            d = st[S_WSCALE] * _dot(X + i * c.p, v.w, c.p) + st[S_INTERCEPT]
            if (d > 0.0) == (y[i] > 0.0):
                hit += s
    return hit / sum_s


cdef inline bint _weights_finite(const Config* c, const Vectors* v, const double* st) noexcept nogil:
    """Whether the intercept, the scale and every weight are finite."""
    cdef Py_ssize_t j
    # As scikit-learn, only non-finite weights stop the run: the loss of a
    # far-off sample may overflow while the (clipped) steps stay finite.
    if not (isfinite(st[S_INTERCEPT]) and isfinite(st[S_WSCALE])):
        return False
    for j in range(c.p):
        if not isfinite(v.w[j]):
            return False
    return True


cdef inline int _stop_rule(const Config* c, double* st, double objective, double score) noexcept nogil:
    """The end-of-epoch test: CONVERGED, or -1 to carry on.

    ``score`` is the validation R^2 (read with early stopping), else the
    epoch's mean ``objective`` must improve by ``tol``.
    """
    cdef bint stuck
    if c.early_stopping:
        stuck = score < st[S_BEST] + c.tol
        if score > st[S_BEST]:
            st[S_BEST] = score
    else:
        stuck = objective > st[S_BEST] - c.tol
        if objective < st[S_BEST]:
            st[S_BEST] = objective
    # tol = -inf (tol=None) never counts an epoch as stuck
    st[S_NO_IMPROVE] = st[S_NO_IMPROVE] + 1.0 if stuck else 0.0
    if st[S_NO_IMPROVE] >= c.n_iter_no_change:
        if c.schedule == ADAPTIVE and st[S_ETA] > ADAPTIVE_ETA_MIN:
            st[S_ETA] /= 5.0
            st[S_NO_IMPROVE] = 0.0
        else:
            return CONVERGED
    return -1


cdef int _run_epochs(
    const floating* X, const floating* y, const floating* sw,
    const Config* c, Vectors* v, double* st, double* curve,
    Py_ssize_t max_epochs, Py_ssize_t* n_run
) noexcept nogil:
    """Epochs until the stopping rule fires, the weights blow up or ``max_epochs``."""
    cdef Py_ssize_t epoch
    cdef double objective, score = 0.0
    cdef int status
    for epoch in range(max_epochs):
        n_run[0] = epoch + 1
        if c.shuffle:
            _shuffle(v.order, c.n, c.seed)
        if c.batch_size == 1 and c.momentum == 0.0:
            objective = _single_epoch(X, y, sw, c, v, st) / c.n_train
        else:
            objective = _batch_epoch(X, y, sw, c, v, st) / c.n_train
        curve[epoch] = objective
        if not _weights_finite(c, v, st):
            return NONFINITE
        if c.early_stopping:
            if c.classify:
                score = _validation_accuracy(X, y, sw, c, v, st)
            else:
                score = _validation_r2(X, y, sw, c, v, st)
        status = _stop_rule(c, st, objective, score)
        if status >= 0:
            return status
    return MAX_ITER


cdef void _set_config(
    Config* c, Py_ssize_t n, Py_ssize_t p, int loss, double epsilon, int penalty,
    double alpha, double l1_ratio, int schedule, double eta0, double power_t,
    double optimal_init, bint fit_intercept, double average, Py_ssize_t batch_size,
    double momentum, bint early_stopping, double tol, int n_iter_no_change, bint shuffle,
    unsigned int seed, double n_train, double intercept_decay, bint classify, bint nesterov,
) noexcept:
    """Fill the run's constants (shared by the dense and the CSR hook)."""
    c.n, c.p, c.batch_size = n, p, batch_size
    c.loss, c.penalty, c.schedule = loss, penalty, schedule
    c.fit_intercept, c.early_stopping, c.shuffle = fit_intercept, early_stopping, shuffle
    c.n_iter_no_change = n_iter_no_change
    c.epsilon, c.alpha, c.eta0, c.power_t = epsilon, alpha, eta0, power_t
    # as scikit-learn: pure L2 / pure L1 ignore the l1_ratio parameter
    c.l1_ratio = 0.0 if penalty == L2 else (1.0 if penalty == L1 else l1_ratio)
    c.optimal_init, c.average, c.momentum = optimal_init, average, momentum
    c.tol, c.n_train, c.seed = tol, n_train, seed
    c.intercept_decay = intercept_decay
    c.classify, c.nesterov = classify, nesterov


def py_sgd_epochs(
    const floating[:, ::1] X, const floating[::1] y, const floating[::1] sample_weight,
    const unsigned char[::1] validation_mask, long long[::1] order,
    double[::1] w, double[::1] aw, double[::1] q, double[::1] vel,
    const double[::1] row_sq, double[::1] state, double[::1] curve, Py_ssize_t max_epochs,
    *, int loss, double epsilon, int penalty, double alpha, double l1_ratio,
    int schedule, double eta0, double power_t, double optimal_init,
    bint fit_intercept, double average, Py_ssize_t batch_size, double momentum,
    bint early_stopping, double tol, int n_iter_no_change, bint shuffle,
    unsigned int seed, double n_train, double intercept_decay=1.0,
    bint classify=False, bint nesterov=False,
):
    """Run up to ``max_epochs`` epochs in place; return ``(status, epochs_run)``.

    ``w, aw, q, vel`` (length p) and ``state`` (``N_STATE`` slots) carry the
    run between calls; ``curve[e]`` receives the mean objective of epoch e.
    ``order`` (length n) is the sample order, shuffled in place each epoch.
    ``row_sq`` holds ``||x_i||^2`` per row when the L2 penalty or a
    passive-aggressive schedule needs it (else any one-element array).
    ``classify``: the early-stopping score is the validation accuracy (y
    coded as in the loss enum), else R^2. ``nesterov``: the momentum of the
    batch epochs takes Nesterov's look-ahead step.
    """
    cdef Config c
    cdef Vectors v
    cdef Py_ssize_t n_run = 0
    cdef int status
    grad = np.zeros(X.shape[1])
    batch = np.zeros(max(batch_size, 1), dtype=np.int64)
    cdef double[::1] grad_view = grad
    cdef long long[::1] batch_view = batch
    _set_config(&c, X.shape[0], X.shape[1], loss, epsilon, penalty, alpha, l1_ratio,
                schedule, eta0, power_t, optimal_init, fit_intercept, average, batch_size,
                momentum, early_stopping, tol, n_iter_no_change, shuffle, seed, n_train,
                intercept_decay, classify, nesterov)
    v.w, v.aw, v.q, v.vel = &w[0], &aw[0], &q[0], &vel[0]
    v.grad, v.order, v.batch = &grad_view[0], &order[0], &batch_view[0]
    v.val = &validation_mask[0]
    v.row_sq = &row_sq[0]
    with nogil:
        status = _run_epochs(&X[0, 0], &y[0], &sample_weight[0], &c, &v, &state[0],
                             &curve[0], max_epochs, &n_run)
    return status, n_run


include "_sgd_sparse.pxi"


def py_loss(int loss, double y, double p, double epsilon):
    """Loss of one sample (test hook)."""
    return _loss(loss, y, p, epsilon)


def py_dloss(int loss, double y, double p, double epsilon):
    """Derivative of the loss in the prediction, unclipped (test hook)."""
    return _dloss(loss, y, p, epsilon)


def py_shuffle(long long[::1] order, unsigned int seed):
    """One in-place shuffle pass, as each epoch does (test hook)."""
    if order.shape[0] > 0:
        _shuffle(&order[0], order.shape[0], seed)


STATUS_CODES = {"CONVERGED": CONVERGED, "MAX_ITER": MAX_ITER, "NONFINITE": NONFINITE,
                "DIVERGED": DIVERGED, "STALLED": STALLED}
STATE_SLOTS = {"intercept": S_INTERCEPT, "avg_intercept": S_AVG_INTERCEPT,
               "wscale": S_WSCALE, "avg_a": S_AVG_A, "avg_b": S_AVG_B, "u": S_U,
               "t": S_T, "eta": S_ETA, "best": S_BEST, "no_improve": S_NO_IMPROVE,
               "vel_b": S_VEL_B, "n": N_STATE}
