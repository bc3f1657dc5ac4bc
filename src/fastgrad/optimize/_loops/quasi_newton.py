"""Quasi-Newton and conjugate-gradient loops: BFGS, L-BFGS, nonlinear CG.

Same signature and conventions as :mod:`fastgrad.optimize._loops.first_order`.  All three
follow the same iteration: direction ``p`` from the current model, first
trial step, line search (``ls``), model update from ``s = x+ - x`` and
``y = g+ - g``.
"""
from __future__ import annotations

import numpy as np

from .codes import (C_NFEV, C_NIT, C_NJEV, C_STATUS, CALLBACK_STOP, CONVERGED, DIVERGED,
                           FP_EXPLODE, FP_TOL, IP_LSKIND, IP_MAXITER, IP_MEMORY, LS_KIND_NONE, LS_OK,
                           MAX_ITER)
from .vector import (accept, begin, bfgs_inverse_update, dot, initial_step, ls_status, neg_matvec,
                         norm2, set_identity, two_loop)



def bfgs_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    d = x.shape[0]
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    s = np.empty(d)
    y = np.empty(d)
    hy = np.empty(d)
    Hi = np.empty((d, d))
    set_identity(Hi, 1.0)
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = begin(f, st, nf, ng, g, hist, counts)
    if not ok:
        return f
    f_start = f
    # as in scipy: pretend the previous step decreased f by |g|/2, so that
    # the first trial step moves x by about one unit
    f_old = f + 0.5 * norm2(g)
    k = 0
    status = MAX_ITER
    while True:
        if gnorm <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        neg_matvec(p, Hi, g)
        d0 = dot(g, p)
        if not (d0 < 0.0):
            # H lost positive definiteness to rounding: restart from -g
            set_identity(Hi, 1.0)
            for i in range(d):
                p[i] = -g[i]
            d0 = -dot(g, g)
        a0 = lr[k]
        if ip[IP_LSKIND] != LS_KIND_NONE:
            a0 *= initial_step(f, f_old, d0)
        sl, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, d0, a0, xn, gn, work, h)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if sl != LS_OK:
            status = ls_status(sl)
            break
        for i in range(d):
            s[i] = xn[i] - x[i]
            y[i] = gn[i] - g[i]
        f_old = f
        f = fnew
        k += 1
        gnorm, diverged = accept(x, xn, g, gn, hist, k, f, alpha, f_start, fp[FP_EXPLODE])
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
        bfgs_inverse_update(Hi, s, y, hy)
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f


def lbfgs_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    d = x.shape[0]
    m = ip[IP_MEMORY]
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    S = np.empty((m, d))
    Y = np.empty((m, d))
    rho = np.empty(m)
    alph = np.empty(m)
    newest = m - 1
    count = 0
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = begin(f, st, nf, ng, g, hist, counts)
    if not ok:
        return f
    f_start = f
    k = 0
    status = MAX_ITER
    while True:
        if gnorm <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        two_loop(p, g, S, Y, rho, alph, newest, count)
        d0 = dot(g, p)
        if not (d0 < 0.0):
            count = 0
            for i in range(d):
                p[i] = -g[i]
            d0 = -dot(g, g)
        a0 = lr[k]
        if count == 0 and ip[IP_LSKIND] != LS_KIND_NONE:
            # no curvature information yet: a first step of unit length, as
            # L-BFGS-B does; afterwards the scaled model makes 1 the natural step
            a0 /= norm2(p)
        sl, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, d0, a0, xn, gn, work, h)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if sl != LS_OK:
            status = ls_status(sl)
            break
        nxt = (newest + 1) % m
        for i in range(d):
            S[nxt, i] = xn[i] - x[i]
            Y[nxt, i] = gn[i] - g[i]
        ys = dot(S[nxt], Y[nxt])
        # keep the pair only with positive curvature (always true after a
        # Wolfe search), so that the implicit H stays positive definite
        if ys > 1e-14 * norm2(S[nxt]) * norm2(Y[nxt]):
            rho[nxt] = 1.0 / ys
            newest = nxt
            count = min(count + 1, m)
        f = fnew
        k += 1
        gnorm, diverged = accept(x, xn, g, gn, hist, k, f, alpha, f_start, fp[FP_EXPLODE])
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f


def cg_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    # Polak-Ribiere+ (beta = max(0, g+.(g+ - g) / g.g)), restarted along -g
    # whenever the new direction is not a sufficient descent direction
    # (Gilbert & Nocedal 1992; scipy's CG uses the same test with 0.01).
    d = x.shape[0]
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = begin(f, st, nf, ng, g, hist, counts)
    if not ok:
        return f
    f_start = f
    f_old = f + 0.5 * norm2(g)
    for i in range(d):
        p[i] = -g[i]
    k = 0
    status = MAX_ITER
    while True:
        if gnorm <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        d0 = dot(g, p)
        if not (d0 < 0.0):
            for i in range(d):
                p[i] = -g[i]
            d0 = -dot(g, g)
        a0 = lr[k]
        if ip[IP_LSKIND] != LS_KIND_NONE:
            a0 *= initial_step(f, f_old, d0)
        sl, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, d0, a0, xn, gn, work, h)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if sl != LS_OK:
            status = ls_status(sl)
            break
        gg = dot(g, g)
        beta = 0.0
        for i in range(d):
            beta += gn[i] * (gn[i] - g[i])
        beta = max(0.0, beta / gg)
        for i in range(d):
            p[i] = -gn[i] + beta * p[i]
        if dot(p, gn) > -0.01 * dot(gn, gn):
            for i in range(d):
                p[i] = -gn[i]
        f_old = f
        f = fnew
        k += 1
        gnorm, diverged = accept(x, xn, g, gn, hist, k, f, alpha, f_start, fp[FP_EXPLODE])
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f
