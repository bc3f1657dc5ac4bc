"""Per-point first-derivative stencils: gradients and Jacobians.

Each function differentiates ``f`` at ONE point and is written in the subset
of Python that numba compiles, so the very same source serves two backends:
jitted (``numba.njit`` of the batch driver, which calls the user's jitted
``f`` without touching the interpreter) and interpreted (the plain function,
for ordinary Python ``f``).  That makes the two paths agree by construction.

Common signature: ``point(f, x, h, v, args, mode, out, work) -> (status, fscale)``

* ``x``, ``h``, ``v``: the point, its steps, and (for Hessian-vector products)
  a displacement; unused arguments are ignored.
* ``mode``: 0 forward, 1 backward, 2 central (real-step stencils only).
* ``out``: where the result for this point goes (written in place).
* ``work``: a scratch vector of length d (complex for complex-step stencils);
  on failure it holds the evaluation point that produced a non-finite value.
* ``status``: 0 on success, 1 if ``f`` returned NaN or inf.
* ``fscale``: the largest |f| seen, used for rounding-error estimates.

``v - v == 0`` is the finiteness test: it is False for NaN and inf, works for
real and complex scalars, and compiles everywhere.
"""
from __future__ import annotations


def grad_fd_point(f, x, h, v, args, mode, out, work):
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    f0 = 0.0
    fscale = 0.0
    if mode != 2:
        f0 = f(work, *args)
        if not (f0 - f0 == 0):
            return 1, fscale
        fscale = abs(f0)
    for j in range(d):
        xj = x[j]
        hj = h[j]
        fp = f0
        fm = f0
        if mode != 1:
            work[j] = xj + hj
            fp = f(work, *args)
            if not (fp - fp == 0):
                return 1, fscale
        if mode != 0:
            work[j] = xj - hj
            fm = f(work, *args)
            if not (fm - fm == 0):
                return 1, fscale
        work[j] = xj
        if mode == 2:
            out[j] = (fp - fm) / (2.0 * hj)
        else:
            out[j] = (fp - fm) / hj
        fscale = max(fscale, abs(fp), abs(fm))
    return 0, fscale


def grad_complex_point(f, x, h, v, args, mode, out, work):
    # Im f(x + i h e_j) / h = df/dx_j + O(h**2), with no subtraction at all.
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    fscale = 0.0
    for j in range(d):
        work[j] = complex(x[j], h[j])
        fc = f(work, *args)
        if not (fc - fc == 0):
            return 1, fscale
        work[j] = x[j]
        out[j] = fc.imag / h[j]
        fscale = max(fscale, abs(fc.real))
    return 0, fscale


def jac_fd_point(f, x, h, v, args, mode, out, work):
    # out has shape (m, d); f returns a vector of length m.
    d = x.shape[0]
    m = out.shape[0]
    for j in range(d):
        work[j] = x[j]
    fscale = 0.0
    f0 = f(work, *args)
    for k in range(m):
        if not (f0[k] - f0[k] == 0):
            return 1, fscale
        fscale = max(fscale, abs(f0[k]))
    for j in range(d):
        xj = x[j]
        hj = h[j]
        fp = f0
        fm = f0
        if mode != 1:
            work[j] = xj + hj
            fp = f(work, *args)
        if mode != 0:
            work[j] = xj - hj
            fm = f(work, *args)
        for k in range(m):
            if not (fp[k] - fp[k] == 0) or not (fm[k] - fm[k] == 0):
                return 1, fscale
        work[j] = xj
        div = 2.0 * hj if mode == 2 else hj
        for k in range(m):
            out[k, j] = (fp[k] - fm[k]) / div
            fscale = max(fscale, abs(fp[k]), abs(fm[k]))
    return 0, fscale


def jac_complex_point(f, x, h, v, args, mode, out, work):
    d = x.shape[0]
    m = out.shape[0]
    for j in range(d):
        work[j] = x[j]
    fscale = 0.0
    for j in range(d):
        work[j] = complex(x[j], h[j])
        fc = f(work, *args)
        work[j] = x[j]
        for k in range(m):
            if not (fc[k] - fc[k] == 0):
                work[j] = complex(x[j], h[j])
                return 1, fscale
            out[k, j] = fc[k].imag / h[j]
            fscale = max(fscale, abs(fc[k].real))
    return 0, fscale


def value_point(f, x, h, v, args, mode, out, work):
    # Plain evaluation (used for directional checks): out[0] = f(x).
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    fx = f(work, *args)
    if not (fx - fx == 0):
        return 1, 0.0
    out[0] = fx
    return 0, abs(fx)
