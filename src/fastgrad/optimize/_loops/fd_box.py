"""Finite-difference gradients that never leave the box (bounded runs).

A user who bounds a variable often does so because ``fun`` is undefined
beyond the bound (``sqrt``, ``log``, a variance).  Like scipy's
``approx_derivative`` with bounds, this adapter keeps every evaluation
inside the box: a coordinate too close to a bound for the symmetric stencil
is differenced on the side that has room, with the second-order one-sided
formula ``(-3 f(x) + 4 f(x + h) - f(x + 2h)) / (2h)`` for central mode (so
the accuracy order does not drop) and the plain one-sided difference for
forward / backward mode; the step shrinks to fit a box narrower than it.
A variable fixed by ``lo == hi`` gets a zero derivative (it cannot move).

Same contract as the adapters of :mod:`fastgrad.optimize._loops.adapters`;
the box is read from the tail of ``fp``.
"""
from __future__ import annotations

from numba.extending import register_jitable

from .box import clip, lower_of, upper_of
from .codes import FP_FDSTEP, IP_FDMODE, VG_BAD_F, VG_BAD_G
from .vector import fd_steps


@register_jitable
def _eval_at(fun, args, work, j, xj, step, lo, hi):
    # f with x_j moved by step; the clip only guards against a rounding ulp past the bound
    work[j] = clip(xj + step, lo, hi)
    v = fun(work, *args)
    work[j] = xj
    return v


def vg_fd_box(fun, jac, args, x, g, work, h, ip, fp, what):
    """Value by ``fun``, gradient by finite differences inside the box."""
    d = x.shape[0]
    lo = lower_of(fp, d)
    hi = upper_of(fp, d)
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
    for j in range(d):
        work[j] = x[j]
    f0 = f
    have_f0 = what != 2
    for j in range(d):
        xj = x[j]
        hj = h[j]
        up = hi[j] - xj  # room above and below x_j
        down = xj - lo[j]
        if mode == 2 and up >= hj and down >= hj:
            fp_ = _eval_at(fun, args, work, j, xj, hj, lo[j], hi[j])
            fm_ = _eval_at(fun, args, work, j, xj, -hj, lo[j], hi[j])
            nf += 2
            g[j] = (fp_ - fm_) / (2.0 * hj)
            if not (g[j] - g[j] == 0):
                return f, VG_BAD_G, nf, 1
            continue
        if up <= 0.0 and down <= 0.0:
            g[j] = 0.0  # fixed variable
            continue
        if not have_f0:
            f0 = fun(work, *args)
            nf += 1
            have_f0 = True
            if not (f0 - f0 == 0):
                return f, VG_BAD_G, nf, 1
        # the side with room: the requested one when it has a full step
        # (forward: above, backward: below), else the roomier one
        if mode == 0:
            sign = 1.0 if (up >= hj or up >= down) else -1.0
        elif mode == 1:
            sign = -1.0 if (down >= hj or down >= up) else 1.0
        else:
            sign = 1.0 if up >= down else -1.0
        room = up if sign > 0.0 else down
        reach = 2.0 if mode == 2 else 1.0  # the stencil's farthest point, in steps
        if room < reach * hj:
            hj = room / reach
            if not (hj > 0.0):
                g[j] = 0.0  # no room at all in floating point
                continue
        s = sign * hj
        f1 = _eval_at(fun, args, work, j, xj, s, lo[j], hi[j])
        nf += 1
        if mode == 2:
            f2 = _eval_at(fun, args, work, j, xj, 2.0 * s, lo[j], hi[j])
            nf += 1
            g[j] = (-3.0 * f0 + 4.0 * f1 - f2) / (2.0 * s)
        else:
            g[j] = (f1 - f0) / s
        if not (g[j] - g[j] == 0):
            return f, VG_BAD_G, nf, 1
    return f, 0, nf, 1
