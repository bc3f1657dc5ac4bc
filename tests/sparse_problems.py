"""Moré-Garbow-Hillstrom / CUTE style problems with sparse derivatives.

Each problem is written for one point ``(d,)`` in loops that numba compiles
(and plain Python runs), with its analytic Jacobian or gradient and Hessian
as dense numpy arrays, written independently, and its sparsity pattern.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp


# ------------------------------------------------- Broyden tridiagonal (MGH 30)
def broyden_tridiagonal(x):
    d = x.shape[0]
    r = np.empty(d, dtype=x.dtype)
    for i in range(d):
        t = (3.0 - 2.0 * x[i]) * x[i] + 1.0
        if i > 0:
            t = t - x[i - 1]
        if i < d - 1:
            t = t - 2.0 * x[i + 1]
        r[i] = t
    return r


def broyden_tridiagonal_jac(x):
    d = x.size
    return np.diag(3.0 - 4.0 * x) - np.eye(d, k=-1) - 2.0 * np.eye(d, k=1)


def tridiagonal_pattern(d):
    return sp.diags([np.ones(d - 1), np.ones(d), np.ones(d - 1)], [-1, 0, 1], format="csr")


# -------------------------------------------------- Broyden banded (MGH 31)
ML, MU = 5, 1  # lower and upper bandwidth of the Broyden banded function


def broyden_banded(x):
    d = x.shape[0]
    r = np.empty(d, dtype=x.dtype)
    for i in range(d):
        t = x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0
        for j in range(max(0, i - ML), min(d, i + MU + 1)):
            if j != i:
                t = t - x[j] * (1.0 + x[j])
        r[i] = t
    return r


def broyden_banded_jac(x):
    d = x.size
    J = np.zeros((d, d))
    for i in range(d):
        for j in range(max(0, i - ML), min(d, i + MU + 1)):
            J[i, j] = 2.0 + 15.0 * x[i] ** 2 if i == j else -(1.0 + 2.0 * x[j])
    return J


def band_pattern(d, lower, upper):
    return sp.diags([np.ones(d - abs(k)) for k in range(-lower, upper + 1)], list(range(-lower, upper + 1)),
                    format="csr")


# ---------------------------------------------- extended Rosenbrock (MGH 21)
def ext_rosenbrock(x):
    s = 0.0 * x[0]
    for k in range(x.shape[0] // 2):
        a = x[2 * k + 1] - x[2 * k] * x[2 * k]
        b = 1.0 - x[2 * k]
        s = s + 100.0 * a * a + b * b
    return s


def ext_rosenbrock_grad(x):
    g = np.zeros(x.shape[0], dtype=x.dtype)
    for k in range(x.shape[0] // 2):
        a = x[2 * k + 1] - x[2 * k] * x[2 * k]
        g[2 * k] = -400.0 * a * x[2 * k] - 2.0 * (1.0 - x[2 * k])
        g[2 * k + 1] = 200.0 * a
    return g


def ext_rosenbrock_hess(x):
    d = x.size
    H = np.zeros((d, d))
    for k in range(d // 2):
        u, v = x[2 * k], x[2 * k + 1]
        H[2 * k, 2 * k] = 1200.0 * u * u - 400.0 * v + 2.0
        H[2 * k, 2 * k + 1] = H[2 * k + 1, 2 * k] = -400.0 * u
        H[2 * k + 1, 2 * k + 1] = 200.0
    return H


def block_pattern(d):
    return sp.block_diag([np.ones((2, 2))] * (d // 2), format="csr")


# --------------------------------------------------- arrowhead (CUTE ARWHEAD)
def arrowhead(x):
    d = x.shape[0]
    s = 0.0 * x[0]
    for i in range(d - 1):
        q = x[i] * x[i] + x[d - 1] * x[d - 1]
        s = s + q * q - 4.0 * x[i] + 3.0
    return s


def arrowhead_grad(x):
    d = x.shape[0]
    g = np.zeros(d, dtype=x.dtype)
    for i in range(d - 1):
        q = x[i] * x[i] + x[d - 1] * x[d - 1]
        g[i] = 4.0 * q * x[i] - 4.0
        g[d - 1] = g[d - 1] + 4.0 * q * x[d - 1]
    return g


def arrowhead_hess(x):
    d = x.size
    H = np.zeros((d, d))
    xn = x[-1]
    for i in range(d - 1):
        H[i, i] = 12.0 * x[i] ** 2 + 4.0 * xn**2
        H[i, -1] = H[-1, i] = 8.0 * x[i] * xn
        H[-1, -1] += 12.0 * xn**2 + 4.0 * x[i] ** 2
    return H


def arrow_pattern(d):
    P = np.eye(d, dtype=bool)
    P[-1, :] = P[:, -1] = True
    return P


# ---------------------------------------- a banded quartic of half-width B
B = 3
_C = np.array([1.0, -0.5, 0.25, 0.8])  # B + 1 weights


def banded_quartic(x):
    s = 0.0 * x[0]
    for i in range(x.shape[0] - B):
        t = 0.0 * x[0]
        for k in range(B + 1):
            t = t + _C[k] * x[i + k]
        s = s + t * t * t * t + np.sin(x[i])
    return s


def banded_quartic_grad(x):
    g = np.zeros(x.shape[0], dtype=x.dtype)
    for i in range(x.shape[0] - B):
        t = 0.0 * x[0]
        for k in range(B + 1):
            t = t + _C[k] * x[i + k]
        for k in range(B + 1):
            g[i + k] = g[i + k] + 4.0 * t * t * t * _C[k]
        g[i] = g[i] + np.cos(x[i])
    return g


def banded_quartic_hess(x):
    d = x.size
    H = np.zeros((d, d))
    for i in range(d - B):
        t = _C @ x[i : i + B + 1]
        H[i : i + B + 1, i : i + B + 1] += 12.0 * t * t * np.outer(_C, _C)
        H[i, i] -= np.sin(x[i])
    return H


JIT = {f.__name__: numba.njit(f) for f in (broyden_tridiagonal, broyden_banded, ext_rosenbrock,
                                           ext_rosenbrock_grad, arrowhead, arrowhead_grad,
                                           banded_quartic, banded_quartic_grad)}
