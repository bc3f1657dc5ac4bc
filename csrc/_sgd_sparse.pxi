# SGD over the rows of a CSR matrix (included by ``_sgd_fast.pyx`` after the
# dense epochs, whose Config / Vectors / state layout and helpers it reuses).
#
# Same update rule as the dense epoch, with scikit-learn's sparse semantics:
#
# * each step costs O(nnz of the row): the L2 shrink goes into ``wscale``,
#   the averaged weights are lazy (``(aw + A w) / B``), and the norms of the
#   penalty term of the objective are updated from the touched entries only
#   (they are recomputed exactly once per epoch, so rounding cannot drift);
# * the cumulative L1 penalty is applied to the features of the current row
#   only (a weight catches up on the penalty it missed, tracked in ``q``,
#   the next time its feature is non-zero);
# * the intercept takes ``intercept_decay`` (scikit-learn's
#   SPARSE_INTERCEPT_DECAY = 0.01) of each step, as scikit-learn does on
#   sparse data to damp the intercept's oscillation.
#
# One difference from scikit-learn, on purpose: its sparse objective (read by
# the stopping rule) takes the penalty of the last row's coordinates only;
# here it is the penalty of all the weights, as on dense data.

# The same index type as ``_sparse_squared.pxi`` (which lives in another
# extension module, so it cannot be shared): scipy's int32 or int64 indices.
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

ctypedef fused sparse_index:
    int
    long long


cdef inline double _csr_dot(const floating* data, const sparse_index* ind,
                            Py_ssize_t k0, Py_ssize_t k1, const double* w,
                            double* xsq) noexcept nogil:
    """x . w of one CSR row, and ``||x||^2`` into ``xsq`` unless it is NULL.

    Two running sums each: with one, every add waits for the previous one
    (the gathers of w are independent, the sum chain is the critical path).
    """
    cdef Py_ssize_t k = k0
    cdef double d0 = 0.0, d1 = 0.0, s0 = 0.0, s1 = 0.0, x0, x1
    if xsq == NULL:
        while k + 2 <= k1:
            d0 += <double>data[k] * w[ind[k]]
            d1 += <double>data[k + 1] * w[ind[k + 1]]
            k += 2
        if k < k1:
            d0 += <double>data[k] * w[ind[k]]
        return d0 + d1
    while k + 2 <= k1:
        x0 = data[k]
        x1 = data[k + 1]
        d0 += x0 * w[ind[k]]
        d1 += x1 * w[ind[k + 1]]
        s0 += x0 * x0
        s1 += x1 * x1
        k += 2
    if k < k1:
        x0 = data[k]
        d0 += x0 * w[ind[k]]
        s0 += x0 * x0
    xsq[0] = s0 + s1
    return d0 + d1


cdef enum:
    # Rows and stored values per gathered block (see _csr_gather): 256 rows
    # of ~40 values, ~190 KB of buffer at most, stays in L2.
    GATHER_ROWS = 256
    GATHER_CAP = 16384
    GATHER_AHEAD = 16


cdef inline Py_ssize_t _csr_gather(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const long long* order, const unsigned char* val, Py_ssize_t start, Py_ssize_t n,
    floating* buf_d, sparse_index* buf_i, const floating** bd, const sparse_index** bi,
    Py_ssize_t* blen
) noexcept nogil:
    """Copy the rows order[start:end] into the buffers, contiguous; return ``end``.

    Why: the shuffled order jumps around the matrix, and inside the SGD loop
    the CPU cannot run far ahead (every step reads what the previous one
    wrote), so each row waited on its cache misses; this copy loop has no
    such dependency and keeps many misses in flight, and the SGD pass then
    reads the rows sequentially (100000 x 50000 tf-idf: 5.3 ms/epoch in
    memory order against 15.7 ms shuffled). Slot s gets pointers ``bd[s]``,
    ``bi[s]`` and length ``blen[s]`` (-1: a validation row, skipped). A row
    bigger than the buffer (or no buffer) is pointed to in place, alone.
    """
    cdef Py_ssize_t i = start, slot, row, k0, m, fill = 0
    while i < n and i - start < GATHER_ROWS:
        slot = i - start
        if i + GATHER_AHEAD < n:
            # the row pointer is the one miss the copy must wait for
            fastgrad_prefetch(indptr + order[i + GATHER_AHEAD])
        row = order[i]
        if val[row]:
            blen[slot] = -1
            i += 1
            continue
        k0 = indptr[row]
        m = indptr[row + 1] - k0
        if buf_d == NULL or m > GATHER_CAP:
            if slot > 0:
                break  # it gets a block of its own
            bd[0] = data + k0
            bi[0] = ind + k0
            blen[0] = m
            return i + 1
        if fill + m > GATHER_CAP:
            break
        memcpy(buf_d + fill, data + k0, m * sizeof(floating))
        memcpy(buf_i + fill, ind + k0, m * sizeof(sparse_index))
        bd[slot] = buf_d + fill
        bi[slot] = buf_i + fill
        blen[slot] = m
        fill += m
        i += 1
    return i


cdef double _csr_single_epoch(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const floating* y, const floating* sw, const Config* c, Vectors* v, double* st
) noexcept nogil:
    """One update per training row, in ``v.order``; returns the summed objective."""
    cdef Py_ssize_t n = c.n, i, row, k, k0, k1, j
    cdef double* w = v.w
    cdef double* aw = v.aw
    cdef double* q = v.q
    cdef double b = st[S_INTERCEPT], wscale = st[S_WSCALE], t = st[S_T]
    cdef double eta = st[S_ETA], u = st[S_U]
    cdef double alpha = c.alpha, l2_part = (1.0 - c.l1_ratio) * c.alpha
    cdef double eps = c.epsilon, eta0 = c.eta0, decay = c.intercept_decay
    cdef int loss = c.loss, schedule = c.schedule, penalty = c.penalty
    cdef bint averaging = c.average > 0
    cdef bint truncating = penalty == L1 or penalty == ELASTICNET
    # ||w||^2 matters for L2 and elastic net, ||x||^2 also for the PA steps
    cdef bint track_sq = penalty == L2 or penalty == ELASTICNET
    cdef bint need_xsq = track_sq or schedule >= PA1
    cdef double d, xsq = 0.0, pred, yi, cur, upd, shrink, kx, vx, z, zn, l1d, sqd, inv
    cdef double total = 0.0, sqn, l1n, avg_a
    cdef Py_ssize_t block_start = 0, block_end = 0, slot
    cdef const floating* bd[GATHER_ROWS]
    cdef const sparse_index* bi[GATHER_ROWS]
    cdef Py_ssize_t blen[GATHER_ROWS]
    cdef const floating* xd
    cdef const sparse_index* xi
    # a NULL buffer (malloc failed) only means rows are read in place
    cdef floating* buf_d = <floating*>malloc(GATHER_CAP * sizeof(floating))
    cdef sparse_index* buf_i = <sparse_index*>malloc(GATHER_CAP * sizeof(sparse_index))
    if buf_d == NULL or buf_i == NULL:
        free(buf_d)
        free(buf_i)
        buf_d = NULL
        buf_i = NULL
    _norms(c, v, wscale, &sqn, &l1n)
    for i in range(n):
        if i == block_end:
            block_start = i
            block_end = _csr_gather(data, ind, indptr, v.order, v.val, i, n,
                                    buf_d, buf_i, bd, bi, blen)
        slot = i - block_start
        if blen[slot] < 0:
            continue  # a validation row
        row = v.order[i]
        xd = bd[slot]
        xi = bi[slot]
        k0 = 0
        k1 = blen[slot]
        yi = y[row]
        d = _csr_dot(xd, xi, k0, k1, w, &xsq if need_xsq else NULL)
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
            l1n *= shrink
            if wscale < WSCALE_MIN:
                st[S_WSCALE] = wscale
                _fold_scale(c, v, st)
                wscale = 1.0
        if upd != 0.0:
            kx = upd / wscale
            if averaging or truncating:
                avg_a = -st[S_AVG_A] * kx if averaging else 0.0
                l1d = 0.0
                for k in range(k0, k1):
                    j = xi[k]
                    z = w[j]
                    zn = z + kx * xd[k]
                    w[j] = zn
                    # keep (aw + A w) / B unchanged by this step (a no-op
                    # when not averaging: aw is never read then)
                    aw[j] += avg_a * xd[k]
                    l1d += fabs(zn) - fabs(z)
                l1n += wscale * l1d
            else:
                # the hot case: ||w||_1 is not needed without an L1 part
                for k in range(k0, k1):
                    w[xi[k]] += kx * xd[k]
            if track_sq:
                # ||w + upd x||^2 from quantities at hand
                sqn += 2.0 * upd * vx + upd * upd * xsq
        if c.fit_intercept:
            b += upd * decay
        if averaging and c.average <= t:
            st[S_WSCALE] = wscale
            st[S_INTERCEPT] = b
            _average_step(c, st, t)
        if truncating:
            u += c.l1_ratio * eta * alpha
            # truncated gradient on the row's features (wscale > 0 here)
            inv = 1.0 / wscale
            l1d = 0.0
            sqd = 0.0
            for k in range(k0, k1):
                j = xi[k]
                z = w[j]
                if z > 0.0:
                    zn = z - (u + q[j]) * inv
                    if zn < 0.0:
                        zn = 0.0
                elif z < 0.0:
                    zn = z + (u - q[j]) * inv
                    if zn > 0.0:
                        zn = 0.0
                else:
                    continue
                w[j] = zn
                q[j] += wscale * (zn - z)
                l1d += fabs(zn) - fabs(z)
                sqd += zn * zn - z * z
            l1n += wscale * l1d
            sqn += wscale * wscale * sqd
        t += 1.0
    free(buf_d)
    free(buf_i)
    st[S_INTERCEPT] = b
    st[S_WSCALE] = wscale
    st[S_T] = t
    st[S_ETA] = eta
    st[S_U] = u
    return total


cdef double _csr_batch_epoch(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const floating* y, const floating* sw, const Config* c, Vectors* v, double* st
) noexcept nogil:
    """One update per mini-batch (the mean step of its rows), with momentum.

    A fastgrad extra: the momentum makes every update touch all p weights,
    so this costs O(nnz of the batch + p) per batch, and the L1 penalty is
    applied to all weights after each batch (as on dense data).
    """
    cdef Py_ssize_t p = c.p, n = c.n, pos = 0, nb, kk, j, row, k, k0, k1
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
            k0 = indptr[row]
            k1 = indptr[row + 1]
            yi = y[row]
            d = _csr_dot(data, ind, k0, k1, v.w, &xsq if need_xsq else NULL)
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
                for k in range(k0, k1):
                    v.grad[ind[k]] += upd * data[k]
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
        l1n = 0.0
        for j in range(p):
            m = beta * v.vel[j] + v.grad[j] if beta != 0.0 else v.grad[j]
            v.vel[j] = m
            if c.nesterov:
                # look-ahead form: the step is g + beta * (new velocity)
                m = v.grad[j] + beta * m
            v.w[j] += m * inv
            v.aw[j] -= avg_a * m * inv
            sqn += v.w[j] * v.w[j]
            l1n += fabs(v.w[j])
        sqn *= wscale * wscale
        l1n *= wscale
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


cdef double _csr_validation_r2(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const floating* y, const floating* sw, const Config* c, const Vectors* v,
    const double* st
) noexcept nogil:
    """Weighted R^2 of the current (not averaged) weights on the validation rows."""
    cdef Py_ssize_t i
    cdef double s, sum_s = 0.0, sum_sy = 0.0, num = 0.0, den = 0.0, r, mean
    for i in range(c.n):
        if v.val[i]:
            s = sw[i]
            sum_s += s
            sum_sy += s * y[i]
            r = y[i] - (st[S_WSCALE] * _csr_dot(data, ind, indptr[i], indptr[i + 1], v.w, NULL)
                        + st[S_INTERCEPT])
            num += s * r * r
    mean = sum_sy / sum_s
    for i in range(c.n):
        if v.val[i]:
            r = y[i] - mean
            den += sw[i] * r * r
    if den == 0.0:
        return 1.0 if num == 0.0 else 0.0
    return 1.0 - num / den


cdef double _csr_validation_accuracy(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const floating* y, const floating* sw, const Config* c, const Vectors* v,
    const double* st
) noexcept nogil:
    """``_validation_accuracy`` on CSR rows."""
    cdef Py_ssize_t i
    cdef double s, sum_s = 0.0, hit = 0.0, d
    for i in range(c.n):
        if v.val[i]:
            s = sw[i]
            sum_s += s
            d = (st[S_WSCALE] * _csr_dot(data, ind, indptr[i], indptr[i + 1], v.w, NULL)
                 + st[S_INTERCEPT])
            if (d > 0.0) == (y[i] > 0.0):
                hit += s
    return hit / sum_s


cdef int _csr_run_epochs(
    const floating* data, const sparse_index* ind, const sparse_index* indptr,
    const floating* y, const floating* sw, const Config* c, Vectors* v, double* st,
    double* curve, Py_ssize_t max_epochs, Py_ssize_t* n_run
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
            objective = _csr_single_epoch(data, ind, indptr, y, sw, c, v, st) / c.n_train
        else:
            objective = _csr_batch_epoch(data, ind, indptr, y, sw, c, v, st) / c.n_train
        curve[epoch] = objective
        if not _weights_finite(c, v, st):
            return NONFINITE
        if c.early_stopping:
            if c.classify:
                score = _csr_validation_accuracy(data, ind, indptr, y, sw, c, v, st)
            else:
                score = _csr_validation_r2(data, ind, indptr, y, sw, c, v, st)
        status = _stop_rule(c, st, objective, score)
        if status >= 0:
            return status
    return MAX_ITER


def py_sgd_epochs_csr(
    const floating[::1] data, const sparse_index[::1] indices, const sparse_index[::1] indptr,
    Py_ssize_t n_features, const floating[::1] y, const floating[::1] sample_weight,
    const unsigned char[::1] validation_mask, long long[::1] order,
    double[::1] w, double[::1] aw, double[::1] q, double[::1] vel,
    double[::1] state, double[::1] curve, Py_ssize_t max_epochs,
    *, int loss, double epsilon, int penalty, double alpha, double l1_ratio,
    int schedule, double eta0, double power_t, double optimal_init,
    bint fit_intercept, double average, Py_ssize_t batch_size, double momentum,
    bint early_stopping, double tol, int n_iter_no_change, bint shuffle,
    unsigned int seed, double n_train, double intercept_decay,
    bint classify=False, bint nesterov=False,
):
    """``py_sgd_epochs`` on a CSR matrix ``(data, indices, indptr)`` of ``n_features`` columns.

    The matrix must be canonical (sorted, no duplicates, in-range indices;
    ``fastgrad.linear_model._base.canonical_sparse``); ``data`` may be
    empty. Returns ``(status, epochs_run)``.
    """
    cdef Config c
    cdef Vectors v
    cdef Py_ssize_t n_run = 0, n = indptr.shape[0] - 1
    cdef int status
    # an all-zero matrix has no stored values: any valid pointer will do,
    # since no row ever reads one
    cdef floating zero_data = 0
    cdef sparse_index zero_index = 0
    cdef const floating* data_ptr = &data[0] if data.shape[0] > 0 else &zero_data
    cdef const sparse_index* ind_ptr = &indices[0] if indices.shape[0] > 0 else &zero_index
    grad = np.zeros(n_features)
    batch = np.zeros(max(batch_size, 1), dtype=np.int64)
    cdef double[::1] grad_view = grad
    cdef long long[::1] batch_view = batch
    _set_config(&c, n, n_features, loss, epsilon, penalty, alpha, l1_ratio,
                schedule, eta0, power_t, optimal_init, fit_intercept, average, batch_size,
                momentum, early_stopping, tol, n_iter_no_change, shuffle, seed, n_train,
                intercept_decay, classify, nesterov)
    v.w, v.aw, v.q, v.vel = &w[0], &aw[0], &q[0], &vel[0]
    v.grad, v.order, v.batch = &grad_view[0], &order[0], &batch_view[0]
    v.val = &validation_mask[0]
    v.row_sq = NULL
    with nogil:
        status = _csr_run_epochs(data_ptr, ind_ptr, &indptr[0], &y[0], &sample_weight[0],
                                 &c, &v, &state[0], &curve[0], max_epochs, &n_run)
    return status, n_run
