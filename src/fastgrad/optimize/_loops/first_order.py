"""First-order loops: gradient descent, heavy-ball momentum, Nesterov.

Every loop in ``fastgrad.optimize._loops`` has the same signature

``loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts) -> f``

and is written once in numba-compilable Python (see
:mod:`fastgrad.optimize._loops.adapters` for ``vg``/``hf``/``ip``/``fp``/``counts``
and :mod:`fastgrad.optimize._loops.line_search` for ``ls``).  ``x`` enters as the start and
leaves as the last accepted iterate, ``g`` holds the gradient there and the
return value is the objective there.  ``lr[k]`` is the learning rate (or
first trial step) of iteration ``k``; ``hist[k] = (f, |g|_inf, step)`` after
``k`` iterations; ``cb(x, g, f, k)`` returning True stops the loop.
"""
from __future__ import annotations

import numpy as np

from .codes import (BAD_GRAD, C_NFEV, C_NIT, C_NJEV, C_STATUS, CALLBACK_STOP, CONVERGED,
                              DIVERGED, FP_EXPLODE, FP_MOMENTUM, FP_TOL, IP_AUTOSTEP, IP_MAXITER, IP_VARIANT,
                              LS_BAD_F, LS_OK, MAX_ITER)
from .adapters import start_scale
from .vector import MAX_HALVINGS, accept, begin, dot, guard_auto_step, ls_status, norm_inf


def gd_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
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
    # 1.0 unless the step is estimated from the problem (ip[IP_AUTOSTEP])
    scale = start_scale(hf, vg, fun, jac, hess, args, x, ip, fp, counts)
    auto = ip[IP_AUTOSTEP] == 1
    xb = x.copy()  # best iterate, for the automatic step's safeguard
    gb = g.copy()
    fb = f
    halvings = 0
    f_start = f
    k = 0
    status = MAX_ITER
    while True:
        if gnorm <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        for i in range(d):
            p[i] = -g[i]
        s, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, -dot(g, g), lr[k] * scale, xn, gn, work, h)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if s == LS_BAD_F and auto and halvings < MAX_HALVINGS:
            # x is unchanged: only the step shrinks
            halvings += 1
            scale *= 0.5
            continue
        if s != LS_OK:
            status = ls_status(s)
            break
        f = fnew
        k += 1
        gnorm, diverged = accept(x, xn, g, gn, hist, k, f, alpha, f_start, fp[FP_EXPLODE])
        if auto:
            f, fb, halve = guard_auto_step(x, g, p, xb, gb, f, fb, f_start, diverged)
            if halve:
                halvings += 1
                scale *= 0.5
                diverged = halvings > MAX_HALVINGS
                gnorm = norm_inf(g)
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f


def momentum_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    # ip[IP_VARIANT] == 0, heavy ball:  v <- mu v - lr g(x);  x <- x + v.
    # ip[IP_VARIANT] == 1, Nesterov, in the form that needs the gradient at
    # the iterate only (Sutskever et al. 2013, as in Keras):
    #     v <- mu v - lr g(x);  x <- x + mu v - lr g(x).
    # (ls is unused: these methods take fixed steps; hf estimates the
    # curvature for an automatic step, see start_scale.)
    nesterov = ip[IP_VARIANT] == 1
    d = x.shape[0]
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    v = np.zeros(d)
    mu = fp[FP_MOMENTUM]
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = begin(f, st, nf, ng, g, hist, counts)
    if not ok:
        return f
    # 1.0 unless the step is estimated from the problem (ip[IP_AUTOSTEP])
    scale = start_scale(hf, vg, fun, jac, hess, args, x, ip, fp, counts)
    auto = ip[IP_AUTOSTEP] == 1
    xb = x.copy()  # best iterate, for the automatic step's safeguard
    gb = g.copy()
    fb = f
    halvings = 0
    f_start = f
    k = 0
    status = MAX_ITER
    while True:
        if gnorm <= fp[FP_TOL]:
            status = CONVERGED
            break
        if k >= ip[IP_MAXITER]:
            break
        a = lr[k] * scale
        for i in range(d):
            vi = mu * v[i] - a * g[i]
            v[i] = vi
            if nesterov:
                xn[i] = x[i] + (mu * vi - a * g[i])
            else:
                xn[i] = x[i] + vi
        fnew, st, nf, ng = vg(fun, jac, args, xn, gn, work, h, ip, fp, 1)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if st == 1 and auto and halvings < MAX_HALVINGS:
            f, fb, _ = guard_auto_step(x, g, v, xb, gb, np.inf, fb, f_start, True)
            halvings += 1
            scale *= 0.5
            gnorm = norm_inf(g)
            continue
        if st != 0:
            status = DIVERGED if st == 1 else BAD_GRAD
            break
        f = fnew
        k += 1
        gnorm, diverged = accept(x, xn, g, gn, hist, k, f, a, f_start, fp[FP_EXPLODE])
        if auto:
            f, fb, halve = guard_auto_step(x, g, v, xb, gb, f, fb, f_start, diverged)
            if halve:
                halvings += 1
                scale *= 0.5
                diverged = halvings > MAX_HALVINGS
                gnorm = norm_inf(g)
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f
