"""Per-point second-derivative stencils: Hessians and Hessian-vector products.

Same conventions as :mod:`fastgrad.differentiate._stencils_first` (signature, status, work).

The central Hessian is a true 2-D stencil that reuses evaluations.  With
``a = h_i e_i`` and ``b = h_j e_j`` the even part of the Taylor series gives

    f(x+a+b) + f(x-a-b) - f(x+a) - f(x-a) - f(x+b) - f(x-b) + 2 f(x)
        = 2 h_i h_j H_ij + O(h**4),

so each off-diagonal entry costs two new evaluations on top of the 2d axis
points and f(x) that the diagonal already needs: d*d + d + 1 evaluations in
all, and the result is symmetric because only i < j is computed.

The central Hessian-vector product is the cross stencil along ``b = t u``
(``u`` the direction, ``t`` a small length):

    [f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)] / (4 h_i t) = (H u)_i + O(h**2 + t**2),

4d evaluations per point and no shared centre or axis values, so the
evaluation points of a point are swept over one scratch vector moved in
place, one coordinate at a time.
"""
from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

# Imaginary step of the hybrid complex-step stencils (relative to max(1,|x|)).
COMPLEX_H = 1e-20
# Relative step of second differences, eps**(1/4) (as STEP_FACTORS["second"]).
SECOND_STEP = float(np.finfo(np.float64).eps) ** 0.25


def hess_central_point(f, x, h, v, args, mode, out, work):
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    f0 = f(work, *args)
    if not (f0 - f0 == 0):
        return 1, 0.0
    fscale = abs(f0)
    # Axis evaluations f(x + h_i e_i) and f(x - h_i e_i), kept for reuse.
    fplus = np.empty(d)
    fminus = np.empty(d)
    for i in range(d):
        xi = x[i]
        work[i] = xi + h[i]
        fp = f(work, *args)
        if not (fp - fp == 0):
            return 1, fscale
        work[i] = xi - h[i]
        fm = f(work, *args)
        if not (fm - fm == 0):
            return 1, fscale
        work[i] = xi
        fplus[i] = fp
        fminus[i] = fm
        out[i, i] = ((fp - f0) + (fm - f0)) / (h[i] * h[i])
        fscale = max(fscale, abs(fp), abs(fm))
    for i in range(d):
        for j in range(i + 1, d):
            work[i] = x[i] + h[i]
            work[j] = x[j] + h[j]
            fpp = f(work, *args)
            if not (fpp - fpp == 0):
                return 1, fscale
            work[i] = x[i] - h[i]
            work[j] = x[j] - h[j]
            fmm = f(work, *args)
            if not (fmm - fmm == 0):
                return 1, fscale
            work[i] = x[i]
            work[j] = x[j]
            # Group the terms as differences of nearby values to limit cancellation.
            num = ((fpp - fplus[i]) - (fplus[j] - f0)) + ((fmm - fminus[i]) - (fminus[j] - f0))
            hij = num / (2.0 * h[i] * h[j])
            out[i, j] = hij
            out[j, i] = hij
            fscale = max(fscale, abs(fpp), abs(fmm))
    return 0, fscale


def hess_complex_point(f, x, h, v, args, mode, out, work):
    # Hybrid stencil: a complex step along e_i gives df/dx_i without
    # cancellation, a central real step along e_j differentiates it again:
    #   H_ij = Im[f(x + i c e_i + h e_j) - f(x + i c e_i - h e_j)] / (2 c h)
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    fscale = 0.0
    for i in range(d):
        c = COMPLEX_H * max(1.0, abs(x[i]))
        for j in range(i, d):
            if i == j:
                work[i] = complex(x[i] + h[i], c)
                fp = f(work, *args)
                work[i] = complex(x[i] - h[i], c)
                fm = f(work, *args)
            else:
                work[i] = complex(x[i], c)
                work[j] = x[j] + h[j]
                fp = f(work, *args)
                work[j] = x[j] - h[j]
                fm = f(work, *args)
            if not (fp - fp == 0) or not (fm - fm == 0):
                return 1, fscale
            work[i] = x[i]
            work[j] = x[j]
            hij = (fp.imag - fm.imag) / (2.0 * c * h[j])
            out[i, j] = hij
            out[j, i] = hij
            fscale = max(fscale, abs(fp.real), abs(fm.real))
    return 0, fscale


@register_jitable
def _second_step(xi):
    # the default step of second differences, rounded so that x + h is exact (see _steps)
    return (xi + SECOND_STEP * max(1.0, abs(xi))) - xi


@register_jitable
def _cross_sweeps(f, x, h, given, v, t, vdiv, args, out, work):
    # The two sweeps of the cross stencil, with b = t * (v / vdiv):
    #   out_i <- [f(x+b+a_i) - f(x+b-a_i)] - [f(x-b+a_i) - f(x-b-a_i)],  a_i = h_i e_i,
    # h_i from h if ``given``, else the default step (computed where it is
    # used: no array of steps to fill).  One scratch point per sweep: it is
    # set to x + b (then x - b) once, and each evaluation moves one
    # coordinate of it and puts it back, so a point costs O(1) work besides
    # f.  4d evaluations; returns (status, fscale).
    d = x.shape[0]
    fscale = 0.0
    for side in range(2):
        sign = 1.0 if side == 0 else -1.0
        for j in range(d):
            work[j] = x[j] + sign * (t * (v[j] / vdiv))
        for i in range(d):
            hi = h[i] if given else _second_step(x[i])
            base = work[i]
            work[i] = base + hi
            fp = f(work, *args)
            if not (fp - fp == 0):
                return 1, fscale
            work[i] = base - hi
            fm = f(work, *args)
            if not (fm - fm == 0):
                return 1, fscale
            work[i] = base
            if side == 0:
                out[i] = fp - fm
            else:
                out[i] = out[i] - (fp - fm)
            fscale = max(fscale, abs(fp), abs(fm))
    for j in range(d):
        work[j] = x[j]
    return 0, fscale


def hvp_cross_point(f, x, h, v, args, mode, out, work):
    # out = H @ v for a displacement v given by the caller (already small):
    # the cross stencil
    #   [f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)] / (4 h_i) = (H b)_i + O(h**2 + |b|**2)
    # with a = h_i e_i and b = v (odd terms cancel in pairs): 4d evaluations.
    s, fscale = _cross_sweeps(f, x, h, True, v, 1.0, 1.0, args, out, work)
    if s != 0:
        return s, fscale
    for i in range(x.shape[0]):
        out[i] = out[i] / (4.0 * h[i])
    return 0, fscale


def hvp_central_point(f, x, h, v, args, mode, out, work):
    # out = H @ v, everything per point: v is the raw direction; h holds the
    # caller's steps if mode == 1, otherwise the default steps are used
    # (mode == 2: and written into h, for full_output; mode == 0: h may be
    # empty).  The cross stencil of hvp_cross_point runs along the unit
    # (max-norm) direction u = v / |v|_inf displaced by
    # t = SECOND_STEP * max(1, |x|_inf), and the result is scaled back by
    # |v|_inf / t: H v is linear in v, and dividing by a tiny (e.g.
    # subnormal) |v|_inf first keeps t / |v|_inf from overflowing.  A zero v
    # gives b = 0, so every bracket cancels exactly and out = 0.
    d = x.shape[0]
    vmax = 0.0
    xmax = 1.0
    for j in range(d):
        vmax = max(vmax, abs(v[j]))
        xmax = max(xmax, abs(x[j]))
    t = SECOND_STEP * xmax
    vdiv = vmax if vmax > 0.0 else 1.0
    given = mode == 1
    s, fscale = _cross_sweeps(f, x, h, given, v, t, vdiv, args, out, work)
    if s != 0:
        return s, fscale
    for i in range(d):
        hi = h[i] if given else _second_step(x[i])
        out[i] = (out[i] / (4.0 * hi * t)) * vmax
        if mode == 2:
            h[i] = hi
    return 0, fscale


def hvp_complex_point(f, x, h, v, args, mode, out, work):
    # (H b)_i = Im[f(x + i b + h e_i) - f(x + i b - h e_i)] / (2 h),
    # with b = v a tiny displacement (the caller divides by its size).
    d = x.shape[0]
    fscale = 0.0
    for i in range(d):
        for j in range(d):
            work[j] = complex(x[j], v[j])
        work[i] = complex(x[i] + h[i], v[i])
        fp = f(work, *args)
        work[i] = complex(x[i] - h[i], v[i])
        fm = f(work, *args)
        if not (fp - fp == 0) or not (fm - fm == 0):
            return 1, fscale
        out[i] = (fp.imag - fm.imag) / (2.0 * h[i])
        fscale = max(fscale, abs(fp.real), abs(fm.real))
    return 0, fscale


def hvp_grad_point(f, x, h, v, args, mode, out, work):
    # f is the gradient here: (g(x + b) - g(x - b)) / 2 = H b + O(|b|**3).
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j] + v[j]
    gp = f(work, *args)
    for j in range(d):
        work[j] = x[j] - v[j]
    gm = f(work, *args)
    fscale = 0.0
    for k in range(d):
        if not (gp[k] - gp[k] == 0) or not (gm[k] - gm[k] == 0):
            return 1, fscale
        out[k] = 0.5 * (gp[k] - gm[k])
        fscale = max(fscale, abs(gp[k]), abs(gm[k]))
    return 0, fscale


def hvp_grad_complex_point(f, x, h, v, args, mode, out, work):
    # f is the gradient here: Im g(x + i b) = H b + O(|b|**3), no cancellation.
    d = x.shape[0]
    for j in range(d):
        work[j] = complex(x[j], v[j])
    gc = f(work, *args)
    fscale = 0.0
    for k in range(d):
        if not (gc[k] - gc[k] == 0):
            return 1, fscale
        out[k] = gc[k].imag
        fscale = max(fscale, abs(gc[k].real))
    return 0, fscale
