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

Each method is written once, for the plain and the bound-constrained
problem: ``gd_box_loop`` and ``momentum_box_loop`` are the same loops with
``boxed`` set.  Then the box is read from the tail of ``fp``
(:mod:`fastgrad.optimize._loops.box`) and the start must lie in it; every
trial point is projected, ``P(x) = min(max(x, lo), hi)``; the stopping test
and the history use the projected gradient ``max_i |P(x - g)_i - x_i|`` (as
scipy's L-BFGS-B ``pgtol``) instead of ``|g|_inf``; and gradient descent
searches along the projection arc (``ls`` is
:func:`~fastgrad.optimize._loops.projected.projected_search`).  Without a
box every step is the plain one, bit for bit.
"""
from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

from .box import accept_box, begin_box, clip, lower_of, projected_grad_norm, upper_of
from .codes import (BAD_GRAD, C_NFEV, C_NIT, C_NJEV, C_STATUS, CALLBACK_STOP, CONVERGED,
                              DIVERGED, FP_EXPLODE, FP_MOMENTUM, FP_TOL, IP_AUTOSTEP, IP_MAXITER, IP_VARIANT,
                              LS_BAD_F, LS_OK, MAX_ITER)
from .adapters import start_scale
from .vector import MAX_HALVINGS, accept, begin, dot, guard_auto_step, ls_status, norm_inf


@register_jitable
def _begin(f, st, nf, ng, x, g, lo, hi, hist, counts, boxed):
    if boxed:
        return begin_box(f, st, nf, ng, x, g, lo, hi, hist, counts)
    return begin(f, st, nf, ng, g, hist, counts)


@register_jitable
def _accept(x, xn, g, gn, lo, hi, hist, k, f, alpha, f_start, explode, boxed):
    if boxed:
        return accept_box(x, xn, g, gn, lo, hi, hist, k, f, alpha, f_start, explode)
    return accept(x, xn, g, gn, hist, k, f, alpha, f_start, explode)


@register_jitable
def _gnorm(x, g, lo, hi, boxed):
    # the stopping quantity: the projected gradient in a box, |g|_inf otherwise
    if boxed:
        return projected_grad_norm(x, g, lo, hi)
    return norm_inf(g)


def gd_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    return _gd(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, False)


def gd_box_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    # projected gradient descent: x <- P(x - a g), a fixed or from the
    # projected Armijo search (ls = projected_search)
    return _gd(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, True)


def momentum_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    return _momentum(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, False)


def momentum_box_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    return _momentum(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, True)


@register_jitable
def _gd(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, boxed):
    d = x.shape[0]
    lo = lower_of(fp, d)  # empty without a box (never read then)
    hi = upper_of(fp, d)
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = _begin(f, st, nf, ng, x, g, lo, hi, hist, counts, boxed)
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
        # the slope along p (the projected search works out its own along the arc)
        d0 = 0.0 if boxed else -dot(g, g)
        s, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, d0, lr[k] * scale, xn, gn, work, h)
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
        gnorm, diverged = _accept(x, xn, g, gn, lo, hi, hist, k, f, alpha, f_start, fp[FP_EXPLODE], boxed)
        if auto:
            f, fb, halve = guard_auto_step(x, g, p, xb, gb, f, fb, f_start, diverged)
            if halve:
                halvings += 1
                scale *= 0.5
                diverged = halvings > MAX_HALVINGS
                gnorm = _gnorm(x, g, lo, hi, boxed)
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f


@register_jitable
def _momentum(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts, boxed):
    # ip[IP_VARIANT] == 0, heavy ball:  v <- mu v - lr g(x);  x <- x + v.
    # ip[IP_VARIANT] == 1, Nesterov, in the form that needs the gradient at
    # the iterate only (Sutskever et al. 2013, as in Keras):
    #     v <- mu v - lr g(x);  x <- x + mu v - lr g(x).
    # In a box the trial point is projected, and a coordinate that the
    # projection clips loses its velocity (it hit a wall), so momentum does
    # not keep pressing it against the bound.
    # (ls is unused: these methods take fixed steps; hf estimates the
    # curvature for an automatic step, see start_scale.)
    nesterov = ip[IP_VARIANT] == 1
    d = x.shape[0]
    lo = lower_of(fp, d)  # empty without a box (never read then)
    hi = upper_of(fp, d)
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    v = np.zeros(d)
    mu = fp[FP_MOMENTUM]
    f, st, nf, ng = vg(fun, jac, args, x, g, work, h, ip, fp, 1)
    ok, gnorm = _begin(f, st, nf, ng, x, g, lo, hi, hist, counts, boxed)
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
            t = x[i] + (mu * vi - a * g[i] if nesterov else vi)
            if boxed:
                xn[i] = clip(t, lo[i], hi[i])
                v[i] = vi if xn[i] == t else 0.0
            else:
                xn[i] = t
                v[i] = vi
        fnew, st, nf, ng = vg(fun, jac, args, xn, gn, work, h, ip, fp, 1)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if st == 1 and auto and halvings < MAX_HALVINGS:
            f, fb, _ = guard_auto_step(x, g, v, xb, gb, np.inf, fb, f_start, True)
            halvings += 1
            scale *= 0.5
            gnorm = _gnorm(x, g, lo, hi, boxed)
            continue
        if st != 0:
            status = DIVERGED if st == 1 else BAD_GRAD
            break
        f = fnew
        k += 1
        gnorm, diverged = _accept(x, xn, g, gn, lo, hi, hist, k, f, a, f_start, fp[FP_EXPLODE], boxed)
        if auto:
            f, fb, halve = guard_auto_step(x, g, v, xb, gb, f, fb, f_start, diverged)
            if halve:
                halvings += 1
                scale *= 0.5
                diverged = halvings > MAX_HALVINGS
                gnorm = _gnorm(x, g, lo, hi, boxed)
        if diverged:
            status = DIVERGED
            break
        if cb(x, g, f, k):
            status = CALLBACK_STOP
            break
    counts[C_STATUS] = status
    counts[C_NIT] = k
    return f
