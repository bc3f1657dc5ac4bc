"""Per-point scaling of Hessian-vector products, in one compiled pass.

``hvp`` differentiates along the unit (max-norm) direction ``v / |v|_inf``,
displaced by ``r_i = c * max(1, |x_i|_inf)``, and scales the result back.
Done with numpy that is a dozen whole-array temporaries per call, as much
time as the stencil itself on small points; these loops do it in one pass
each, with the same operations in the same order (so the same bits).
"""
from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def directions(X, V, factor):
    """``(D, r, vmax, zero)``: displacements ``r_i * (v_i / vmax_i)`` and the scales.

    ``zero[i]`` marks a zero direction (given the placeholder direction of
    ones, and reset to a zero product afterwards).
    """
    n, d = X.shape
    D = np.empty((n, d))
    r = np.empty(n)
    vmax = np.empty(n)
    zero = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        vm = 0.0
        xm = 1.0
        for j in range(d):
            vm = max(vm, abs(V[i, j]))
            xm = max(xm, abs(X[i, j]))
        r[i] = factor * xm
        if vm == 0.0:
            zero[i] = True
            vmax[i] = 1.0
            for j in range(d):
                D[i, j] = r[i] * 1.0
        else:
            vmax[i] = vm
            for j in range(d):
                D[i, j] = r[i] * (V[i, j] / vm)
    return D, r, vmax, zero


@_jit
def unscale(out, r, vmax, zero):
    """``out_i <- (out_i / r_i) * vmax_i`` in place; rows of a zero direction become 0."""
    n, d = out.shape
    for i in range(n):
        for j in range(d):
            out[i, j] = 0.0 if zero[i] else (out[i, j] / r[i]) * vmax[i]
