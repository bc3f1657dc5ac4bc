"""Newton's method with a modified-Cholesky safeguard.

Same signature and conventions as :mod:`fastgrad.optimize._loops.first_order`.  Each
iteration gets the Hessian from ``hf`` (finite differences, gradient
differences or the user's ``hess``) and solves ``(H + tau I) p = -g`` with
the smallest ``tau >= 0`` of a doubling sequence that makes the matrix
positive definite, so ``p`` is always a descent direction; iterations that
needed ``tau > 0`` are counted in ``counts[C_NMOD]`` and reported.
"""
from __future__ import annotations

import numpy as np

from .codes import (BAD_HESS, C_NFEV, C_NHEV, C_NIT, C_NJEV, C_NMOD, C_STATUS,
                           CALLBACK_STOP, CONVERGED, DIVERGED, FP_EXPLODE, FP_TOL, IP_MAXITER, LS_OK,
                           MAX_ITER)
from .vector import accept, begin, dot, ls_status, newton_direction


def newton_loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts):
    d = x.shape[0]
    work = np.empty(d)
    h = np.empty(d)
    xn = np.empty(d)
    gn = np.empty(d)
    p = np.empty(d)
    Hm = np.empty((d, d))
    L = np.empty((d, d))
    A = np.empty((d, d))
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
        sh, nf, ng, nh = hf(vg, fun, jac, hess, args, x, Hm, ip, fp)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        counts[C_NHEV] += nh
        if sh != 0:
            status = BAD_HESS
            break
        tau = newton_direction(Hm, g, p, L, A)
        if tau < 0.0:
            status = BAD_HESS
            break
        if tau > 0.0:
            counts[C_NMOD] += 1
        sl, alpha, fnew, nf, ng = ls(vg, fun, jac, args, ip, fp, x, f, g, p, dot(g, p), lr[k], xn, gn, work, h)
        counts[C_NFEV] += nf
        counts[C_NJEV] += ng
        if sl != LS_OK:
            status = ls_status(sl)
            break
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
