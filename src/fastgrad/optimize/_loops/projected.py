"""Bound-constrained loops: projected L-BFGS, and the search along the
projection arc that it and projected gradient descent use.  (Projected
gradient descent and momentum are the loops of
:mod:`fastgrad.optimize._loops.first_order` run with their box switch on.)

Same signature and conventions as :mod:`fastgrad.optimize._loops.first_order`;
the box is read from the tail of ``fp`` (:mod:`fastgrad.optimize._loops.box`)
and the start must already lie in it.  Every iterate is the projection
``P(x) = min(max(x, lo), hi)`` of a trial point, so a variable on a bound
equals the bound exactly.  Convergence is measured by the projected gradient
``max_i |P(x - g)_i - x_i| <= tol``, as scipy's L-BFGS-B measures ``pgtol``,
and the history records that norm.
"""
from __future__ import annotations

import numpy as np

from .box import accept_box, begin_box, free_set, lower_of, masked_two_loop, project_step, upper_of
from .codes import (C_NFEV, C_NIT, C_NJEV, C_STATUS, CALLBACK_STOP, CONVERGED, DIVERGED, FP_C1, FP_EXPLODE,
                    FP_TOL, IP_LSKIND, IP_MAXITER, IP_MAXLS, IP_MEMORY, LS_BAD_F, LS_BAD_G, LS_KIND_NONE,
                    LS_NO_STEP, LS_OK, MAX_ITER)
from .line_search import NOISE
from .vector import dot, ls_status, norm2


def projected_search(vg, fun, jac, args, ip, fp, x, f0, g0, p, d0, alpha0, xnew, gnew, work, h):
    """Search along the projection arc ``x(a) = P(x + a p)`` (the ``ls`` slot
    of the projected loops; ``d0`` is unused, the slope depends on ``a``).

    With ``ip[IP_LSKIND] == LS_KIND_NONE`` it takes ``a = alpha0``.
    Otherwise it backtracks from ``alpha0`` until the Armijo condition along
    the arc, ``f(x(a)) <= f0 + c1 g0 . (x(a) - x)``, holds (Bertsekas'
    projected Armijo rule).  Clipping can only shorten a move, so for small
    ``a`` the predicted decrease is that of ``p`` on the coordinates that
    still move.  Values within rounding noise of ``f0`` are judged by the
    slope at the trial point, as in :func:`~fastgrad.optimize._loops.line_search.backtracking`.
    """
    d = x.shape[0]
    lo = lower_of(fp, d)
    hi = upper_of(fp, d)
    alpha = alpha0
    if ip[IP_LSKIND] == LS_KIND_NONE:
        project_step(xnew, x, alpha, p, lo, hi)
        f, st, nf, ng = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 1)
        if st == 1:
            return LS_BAD_F, alpha, f, nf, ng
        if st == 2:
            return LS_BAD_G, alpha, f, nf, ng
        return LS_OK, alpha, f, nf, ng
    c1 = fp[FP_C1]
    noise = NOISE * abs(f0)
    nf = 0
    ng = 0
    for _ in range(ip[IP_MAXLS]):
        project_step(xnew, x, alpha, p, lo, hi)
        slope = 0.0
        for i in range(d):
            slope += g0[i] * (xnew[i] - x[i])
        if not (slope < 0.0):
            # the clipped move predicts no decrease: shorter steps clip less
            alpha *= 0.5
            continue
        f, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 0)
        nf += a
        ng += b
        if st == 0 and f <= f0 + c1 * slope:
            _, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 2)
            return (LS_BAD_G if st != 0 else LS_OK), alpha, f, nf + a, ng + b
        if st == 0 and abs(f - f0) <= noise:
            _, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 2)
            nf += a
            ng += b
            slope_new = 0.0
            for i in range(d):
                slope_new += gnew[i] * (xnew[i] - x[i])
            if st == 0 and slope_new <= (2.0 * c1 - 1.0) * slope:
                return LS_OK, alpha, f, nf, ng
        shrink = 0.5
        if st == 0:
            # minimiser of the quadratic through f0, the slope and f, kept in [0.1, 0.5]
            den = 2.0 * (f - f0 - slope)
            if den > 0.0:
                shrink = min(0.5, max(0.1, -slope / den))
        alpha *= shrink
    return LS_NO_STEP, alpha, f0, nf, ng


def lbfgs_box_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    # Projected L-BFGS: the variables at (or epsilon-near) a bound with the
    # gradient pushing outward take a scaled gradient step (which the
    # projection clips onto the bound), the others the L-BFGS step of the
    # free subspace; then the projected Armijo search.  When the quasi-Newton
    # direction finds no step, the pairs are dropped and the scaled projected
    # gradient is tried, which always descends unless x is stationary.
    d = x.shape[0]
    m = ip[IP_MEMORY]
    lo = lower_of(fp, d)
    hi = upper_of(fp, d)
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    free = np.empty(d, dtype=np.bool_)
    S = np.empty((m, d))
    Y = np.empty((m, d))
    rho = np.empty(m)
    alph = np.empty(m)
    newest = m - 1
    count = 0
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, pg = begin_box(f, st, nf, ng, x, g, lo, hi, hist, counts)
    if not ok:
        return f
    f_start = f
    k = 0
    status = MAX_ITER
    while True:
        if pg <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        # without pairs, a first step of unit length (as L-BFGS-B takes)
        gamma0 = 1.0 / max(norm2(g), 1e-300)
        sl = LS_NO_STEP
        alpha = 0.0
        fnew = f
        for attempt in range(2):
            if attempt == 1:
                if count == 0:
                    break
                count = 0
            free_set(free, x, g, lo, hi, pg)
            gamma = masked_two_loop(p, g, free, S, Y, rho, alph, newest, count, gamma0)
            for i in range(d):
                if not free[i]:
                    p[i] = -gamma * g[i]
            sl, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, 0.0, lr[k], xn, gn, work, h)
            counts[C_NFEV] += nf
            counts[C_NJEV] += ng
            if sl != LS_NO_STEP:
                break
        if sl != LS_OK:
            status = ls_status(sl)
            break
        nxt = (newest + 1) % m
        for i in range(d):
            S[nxt, i] = xn[i] - x[i]
            Y[nxt, i] = gn[i] - g[i]
        ys = dot(S[nxt], Y[nxt])
        if ys > 1e-14 * norm2(S[nxt]) * norm2(Y[nxt]):
            newest = nxt
            count = min(count + 1, m)
        f = fnew
        k += 1
        pg, diverged = accept_box(x, xn, g, gn, lo, hi, hist, k, f, alpha, f_start, fp[FP_EXPLODE])
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f
