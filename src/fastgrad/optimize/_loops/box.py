"""Array helpers of the bound-constrained (projected) loops.

The box ``lo <= x <= hi`` (entries may be +-inf) travels at the end of the
float parameters ``fp`` (see :mod:`fastgrad.optimize._loops.codes`).  Like
:mod:`fastgrad.optimize._loops.vector`, these take only arrays and numbers,
so they are jitted once, cached on disk and shared by the compiled and the
interpreted runs of the projected loops.
"""
from __future__ import annotations

import numba
import numpy as np

from .codes import BAD_GRAD, C_NFEV, C_NJEV, C_STATUS, DIVERGED, N_FP, VG_BAD_F
from .vector import copy_to, exploded, record

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: a variable closer to a bound than min(pg, EPS_ACTIVE * max(1, |x_i|)),
#: whose gradient pushes it outward, leaves the quasi-Newton subspace for the
#: iteration (Bertsekas' epsilon-active set: it stops the quasi-Newton step
#: from creeping towards a bound over many tiny clipped steps)
EPS_ACTIVE = 1e-3


@_jit
def lower_of(fp, d):
    return fp[N_FP:N_FP + d]


@_jit
def upper_of(fp, d):
    return fp[N_FP + d:N_FP + 2 * d]


@_jit
def clip(v, lo, hi):
    # max/min rather than np.clip: exact bound values, and a NaN stays NaN
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@_jit
def project_step(out, x, alpha, p, lo, hi):
    """out = P(x + alpha p), the projection onto the box."""
    for i in range(x.shape[0]):
        out[i] = clip(x[i] + alpha * p[i], lo[i], hi[i])


@_jit
def projected_grad_norm(x, g, lo, hi):
    """``max_i |P(x - g)_i - x_i|``: zero exactly at the box's stationary
    points (scipy L-BFGS-B's ``pgtol`` quantity); NaN propagates."""
    m = 0.0
    for i in range(x.shape[0]):
        v = abs(clip(x[i] - g[i], lo[i], hi[i]) - x[i])
        if v > m or v != v:
            m = v
    return m


@_jit
def free_set(free, x, g, lo, hi, pg):
    """Mark the variables the quasi-Newton step may move (False: at or within
    epsilon of a bound, with the gradient pushing outward, or fixed by lo == hi)."""
    for i in range(x.shape[0]):
        eps = min(pg, EPS_ACTIVE * max(1.0, abs(x[i])))
        at_lo = x[i] - lo[i] <= eps and g[i] > 0.0
        at_hi = hi[i] - x[i] <= eps and g[i] < 0.0
        free[i] = not (at_lo or at_hi or lo[i] == hi[i])


@_jit
def masked_two_loop(out, g, free, S, Y, rho, alph, newest, count, gamma0):
    """out = -H g on the free variables (0 elsewhere), H the L-BFGS inverse
    Hessian of the stored pairs restricted to the free subspace.

    Each pair's curvature ``s_F . y_F`` is recomputed on the current free set
    ``F``; a pair without safely positive curvature there is skipped, so the
    restricted matrix stays positive definite.  Once the active set settles,
    the pairs are exactly those of L-BFGS on the reduced problem.  The
    initial matrix is gamma I with gamma = s_F.y_F / y_F.y_F of the newest
    usable pair (``gamma0`` without one).  Returns gamma.
    """
    m = S.shape[0]
    n = g.shape[0]
    for i in range(n):
        out[i] = -g[i] if free[i] else 0.0
    gamma = 0.0
    k = newest
    for _ in range(count):
        sy = 0.0
        ss = 0.0
        yy = 0.0
        for i in range(n):
            if free[i]:
                sy += S[k, i] * Y[k, i]
                ss += S[k, i] * S[k, i]
                yy += Y[k, i] * Y[k, i]
        if sy > 1e-10 * np.sqrt(ss * yy):
            rho[k] = 1.0 / sy
            if gamma == 0.0:
                gamma = sy / yy
            a = 0.0
            for i in range(n):
                if free[i]:
                    a += S[k, i] * out[i]
            a *= rho[k]
            alph[k] = a
            for i in range(n):
                if free[i]:
                    out[i] -= a * Y[k, i]
        else:
            rho[k] = 0.0
        k = (k - 1) % m
    if gamma == 0.0:
        gamma = gamma0
    for i in range(n):
        out[i] *= gamma
    k = (newest - count + 1) % m
    for _ in range(count):
        if rho[k] != 0.0:
            b = 0.0
            for i in range(n):
                if free[i]:
                    b += Y[k, i] * out[i]
            b = alph[k] - rho[k] * b
            for i in range(n):
                if free[i]:
                    out[i] += b * S[k, i]
        k = (k + 1) % m
    return gamma


@_jit
def begin_box(f, st, nf, ng, x, g, lo, hi, hist, counts):
    """:func:`~fastgrad.optimize._loops.vector.begin` with the projected gradient norm."""
    counts[C_NFEV] += nf
    counts[C_NJEV] += ng
    if st != 0:
        counts[C_STATUS] = DIVERGED if st == VG_BAD_F else BAD_GRAD
        return False, 0.0
    pg = projected_grad_norm(x, g, lo, hi)
    record(hist, 0, f, pg, 0.0)
    return True, pg


@_jit
def accept_box(x, xn, g, gn, lo, hi, hist, k, f, alpha, f_start, explode):
    """:func:`~fastgrad.optimize._loops.vector.accept` with the projected gradient norm."""
    copy_to(x, xn)
    copy_to(g, gn)
    pg = projected_grad_norm(x, g, lo, hi)
    record(hist, k, f, pg, alpha)
    return pg, exploded(f, f_start, explode)

