"""Per-point second-derivative stencils: Hessians and Hessian-vector products.

Same conventions as :mod:`fastgrad.differentiate._stencils_first` (signature, status, work).

The central Hessian is a true 2-D stencil that reuses evaluations.  With
``a = h_i e_i`` and ``b = h_j e_j`` the even part of the Taylor series gives

    f(x+a+b) + f(x-a-b) - f(x+a) - f(x-a) - f(x+b) - f(x-b) + 2 f(x)
        = 2 h_i h_j H_ij + O(h**4),

so each off-diagonal entry costs two new evaluations on top of the 2d axis
points and f(x) that the diagonal already needs: d*d + d + 1 evaluations in
all, and the result is symmetric because only i < j is computed.
"""
from __future__ import annotations

import numpy as np

# Imaginary step of the hybrid complex-step stencils (relative to max(1,|x|)).
COMPLEX_H = 1e-20


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


def hvp_central_point(f, x, h, v, args, mode, out, work):
    # out = H @ v (v is already scaled to a small displacement).  With
    # a = h_i e_i and b = v, the identity of hess_central_point gives
    # (H v)_i from f(x+a+b), f(x-a-b), f(x+a), f(x-a) and the shared
    # f(x+b), f(x-b), f(x): 2d + 3 evaluations instead of a full Hessian.
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    f0 = f(work, *args)
    if not (f0 - f0 == 0):
        return 1, 0.0
    fscale = abs(f0)
    for j in range(d):
        work[j] = x[j] + v[j]
    fb = f(work, *args)
    if not (fb - fb == 0):
        return 1, fscale
    for j in range(d):
        work[j] = x[j] - v[j]
    fmb = f(work, *args)
    if not (fmb - fmb == 0):
        return 1, fscale
    fscale = max(fscale, abs(fb), abs(fmb))
    # Three sweeps, each moving one coordinate of a fixed base point (x,
    # x + v, x - v) and putting it back: O(d) work per evaluation would
    # otherwise go into rebuilding the point.  The arithmetic (and so every
    # bit of the result) is that of the formula above.
    fma_all = np.empty(d)
    for j in range(d):
        work[j] = x[j]
    for i in range(d):
        work[i] = x[i] + h[i]
        fa = f(work, *args)
        if not (fa - fa == 0):
            return 1, fscale
        work[i] = x[i] - h[i]
        fma = f(work, *args)
        if not (fma - fma == 0):
            return 1, fscale
        work[i] = x[i]
        out[i] = fa
        fma_all[i] = fma
        fscale = max(fscale, abs(fa), abs(fma))
    for j in range(d):
        work[j] = x[j] + v[j]
    for i in range(d):
        work[i] += h[i]
        fab = f(work, *args)
        if not (fab - fab == 0):
            return 1, fscale
        work[i] = x[i] + v[i]
        out[i] = (fab - out[i]) - (fb - f0)
        fscale = max(fscale, abs(fab))
    for j in range(d):
        work[j] = x[j] - v[j]
    for i in range(d):
        work[i] -= h[i]
        fmab = f(work, *args)
        if not (fmab - fmab == 0):
            return 1, fscale
        work[i] = x[i] - v[i]
        out[i] = (out[i] + ((fmab - fma_all[i]) - (fmb - f0))) / (2.0 * h[i])
        fscale = max(fscale, abs(fmab))
    for j in range(d):
        work[j] = x[j]
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
