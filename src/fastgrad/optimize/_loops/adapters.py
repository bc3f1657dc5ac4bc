"""The contract between the optimisation loops and the user's functions.

Loops never call the user's ``fun`` / ``jac`` / ``hess`` directly: they call
an *adapter* passed in as an argument, so one loop source serves every way of
supplying derivatives.  The adapters are plain Python in the subset numba
compiles; :mod:`fastgrad.optimize._loops.run` passes the jitted copies to compiled loops
and these very functions to interpreted ones.

Value/gradient adapters: ``vg(fun, jac, args, x, g, work, h, ip, fp, what)
-> (f, status, nfev, njev)`` with ``what`` 0 = value only, 1 = value and
gradient (into ``g``), 2 = gradient only (the value is already known; ``f``
is then returned as 0.0).  ``status`` is 0, ``VG_BAD_F`` or ``VG_BAD_G``.

Hessian adapters: ``hf(vg, fun, jac, hess, args, x, Hm, ip, fp) -> (status,
nfev, njev, nhev)``.

The two finite-difference adapters call fastgrad's per-point stencils,
which are plain functions registered with ``numba.extending.register_jitable``
(by :mod:`fastgrad.differentiate._batch`): interpreted loops call them as
Python, compiled loops compile them inline.  Every adapter is a module-level
function, so that numba's on-disk cache key (which pickles the pieces bound
into an entry point) is the same in every process.
"""
from __future__ import annotations

import numpy as np

from numba.extending import register_jitable

from fastgrad.differentiate import _batch

from .codes import (C_NFEV, C_NJEV, FP_FDSTEP, FP_HSTEP, FP_STEPFACTOR, IP_AUTOSTEP, IP_FDMODE, N_FP, VG_BAD_F,
                    VG_BAD_G)
from .vector import auto_step_scale, fd_steps, norm2, norm_inf

# the plain stencils, as _batch registered them (jitable)
grad_fd_point = _batch.STENCILS["grad_fd"][0]
hess_central_point = _batch.STENCILS["hess_central"][0]


def vg_fd(fun, jac, args, x, g, work, h, ip, fp, what):
    """Value by ``fun``, gradient by fastgrad's finite-difference stencil."""
    f = 0.0
    nf = 0
    if what != 2:
        f = fun(x, *args)
        nf = 1
        if not (f - f == 0):
            return f, VG_BAD_F, nf, 0
    if what == 0:
        return f, 0, nf, 0
    mode = ip[IP_FDMODE]
    fd_steps(x, h, fp[FP_FDSTEP])
    st, _ = grad_fd_point(fun, x, h, x, args, mode, g, work)
    nf += 2 * x.shape[0] if mode == 2 else x.shape[0] + 1
    if st != 0:
        # a non-finite value at a perturbed point spoils the gradient
        return f, VG_BAD_G, nf, 1
    return f, 0, nf, 1


def vg_jac(fun, jac, args, x, g, work, h, ip, fp, what):
    """Value by ``fun``, gradient by the user's ``jac``."""
    f = 0.0
    nf = 0
    if what != 2:
        f = fun(x, *args)
        nf = 1
        if not (f - f == 0):
            return f, VG_BAD_F, nf, 0
    if what == 0:
        return f, 0, nf, 0
    gg = jac(x, *args)
    bad = False
    for i in range(x.shape[0]):
        g[i] = gg[i]
        if not (g[i] - g[i] == 0):
            bad = True
    return f, VG_BAD_G if bad else 0, nf, 1


def vg_pair(fun, jac, args, x, g, work, h, ip, fp, what):
    """``fun`` returns ``(value, gradient)`` (``jac=True``)."""
    out = fun(x, *args)
    f = out[0]
    if what != 2 and not (f - f == 0):
        return f, VG_BAD_F, 1, 1
    gg = out[1]
    bad = False
    if what != 0:
        for i in range(x.shape[0]):
            g[i] = gg[i]
            if not (g[i] - g[i] == 0):
                bad = True
    return f, VG_BAD_G if bad else 0, 1, 1


def hf_fd(vg, fun, jac, hess, args, x, Hm, ip, fp):
    """Hessian by the 2-D central stencil on ``fun`` (d*d + d + 1 calls)."""
    d = x.shape[0]
    h = np.empty(d)
    work = np.empty(d)
    fd_steps(x, h, fp[FP_HSTEP])
    st, _ = hess_central_point(fun, x, h, x, args, 2, Hm, work)
    return (1 if st != 0 else 0), d * d + d + 1, 0, 1


def hf_grad(vg, fun, jac, hess, args, x, Hm, ip, fp):
    """Hessian by central differences of the gradient, symmetrised.

    Used when a gradient is supplied (``jac`` callable or ``True``): one
    difference of exact gradients is more accurate than a second difference
    of values, and 2d gradient calls are cheap next to d*d value calls.
    """
    d = x.shape[0]
    xw = np.empty(d)
    gp = np.empty(d)
    gm = np.empty(d)
    work = np.empty(d)
    h = np.empty(d)
    nf = 0
    ng = 0
    for i in range(d):
        xw[i] = x[i]
    c = fp[FP_FDSTEP]
    for j in range(d):
        hj = c * max(1.0, abs(x[j]))
        hj = (x[j] + hj) - x[j]
        xw[j] = x[j] + hj
        _, s1, a, b = vg(fun, jac, args, xw, gp, work, h, ip, fp, 2)
        xw[j] = x[j] - hj
        _, s2, a2, b2 = vg(fun, jac, args, xw, gm, work, h, ip, fp, 2)
        xw[j] = x[j]
        nf += a + a2
        ng += b + b2
        if s1 != 0 or s2 != 0:
            return 1, nf, ng, 1
        for i in range(d):
            Hm[i, j] = (gp[i] - gm[i]) / (2.0 * hj)
    for i in range(d):
        for j in range(i + 1, d):
            s = 0.5 * (Hm[i, j] + Hm[j, i])
            Hm[i, j] = s
            Hm[j, i] = s
    return 0, nf, ng, 1


def hf_exact(vg, fun, jac, hess, args, x, Hm, ip, fp):
    """Hessian from the user's ``hess``."""
    hh = hess(x, *args)
    d = x.shape[0]
    bad = 0
    for i in range(d):
        for j in range(d):
            Hm[i, j] = hh[i, j]
            if not (Hm[i, j] - Hm[i, j] == 0):
                bad = 1
    return bad, 0, 0, 1


#: relative probe step of :func:`hf_lipschitz` (large enough that differences
#: of finite-difference gradients are not rounding noise)
LIPSCHITZ_PROBE = 1e-4
#: power iterations of :func:`hf_lipschitz`, and its relative stopping change
LIPSCHITZ_ITERS, LIPSCHITZ_RTOL = 20, 1e-3


def hf_lipschitz(vg, fun, jac, hess, args, x, Hm, ip, fp):
    """Curvature for the automatic step of the fixed-step methods: the largest
    ``|H v|`` seen in a power iteration on gradient differences
    ``(g(x + t v) - g(x)) / t`` at ``x``, an estimate of the Lipschitz
    constant of the gradient there, into ``Hm[0, 0]`` (0 if unusable).

    The iteration starts along the gradient, where the first steps go, plus
    a small fixed spread so that no direction is missed entirely.  In a
    bounded run (the box at the tail of ``fp``) a probe coordinate that
    would leave the box is turned around (or dropped), so ``fun`` is never
    evaluated outside it.
    """
    d = x.shape[0]
    g0 = np.empty(d)
    g1 = np.empty(d)
    v = np.empty(d)
    xw = np.empty(d)
    work = np.empty(d)
    h = np.empty(d)
    Hm[0, 0] = 0.0
    _, st, nf, ng = vg(fun, jac, args, x, g0, work, h, ip, fp, 2)
    if st != 0:
        return 1, nf, ng, 0
    gn = max(norm2(g0), 1e-300)
    for i in range(d):
        v[i] = g0[i] / gn + 0.1 * ((0.618034 * (i + 1)) % 1.0 - 0.5)
    t = LIPSCHITZ_PROBE * max(1.0, norm_inf(x))
    boxed = fp.shape[0] >= N_FP + 2 * d
    best = 0.0
    prev = -1.0
    for _ in range(LIPSCHITZ_ITERS):
        vn = norm2(v)
        if not (vn > 0.0):
            break
        for i in range(d):
            v[i] /= vn
            xw[i] = x[i] + t * v[i]
            if boxed and not (fp[N_FP + i] <= xw[i] <= fp[N_FP + d + i]):
                v[i] = -v[i]
                xw[i] = x[i] + t * v[i]
                if not (fp[N_FP + i] <= xw[i] <= fp[N_FP + d + i]):
                    v[i] = 0.0
                    xw[i] = x[i]
        _, st, a, b = vg(fun, jac, args, xw, g1, work, h, ip, fp, 2)
        nf += a
        ng += b
        if st != 0:
            break
        for i in range(d):
            v[i] = (g1[i] - g0[i]) / t
        est = norm2(v)
        best = max(best, est)
        if abs(est - prev) <= LIPSCHITZ_RTOL * est:
            break
        prev = est
    Hm[0, 0] = best
    return 0, nf, ng, 0


def hf_none(vg, fun, jac, hess, args, x, Hm, ip, fp):
    """Stand-in Hessian adapter of loops that never ask for one."""
    return 0, 0, 0, 0


@register_jitable
def start_scale(hf, vg, fun, jac, hess, args, x, ip, fp, counts):
    """Learning-rate multiplier of a fixed-step loop: 1, or with
    ``ip[IP_AUTOSTEP]`` the factor ``fp[FP_STEPFACTOR] / L`` from the
    curvature ``L`` that ``hf`` (:func:`hf_lipschitz`) estimates at ``x``.

    ``register_jitable``: compiled into the caller's loop (it calls the
    caller's pieces), a plain function when the loop is interpreted.
    """
    if ip[IP_AUTOSTEP] != 1:
        return 1.0
    Lm = np.zeros((1, 1))
    _, nf, ng, _ = hf(vg, fun, jac, hess, args, x, Lm, ip, fp)
    counts[C_NFEV] += nf
    counts[C_NJEV] += ng
    return auto_step_scale(Lm[0, 0], fp[FP_STEPFACTOR])


def no_callback(x, g, f, k):
    # The compiled loops' callback: never stops.
    return False
