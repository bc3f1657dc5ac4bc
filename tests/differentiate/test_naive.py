"""Compiled kernels against the plain numpy versions in tests/naive.py, same points and steps."""
import numpy as np
import pytest

import fastgrad
import naive
from functions import SUITE

FUNCS = [t for t in SUITE if t.name in ("rosenbrock", "trig", "gaussian", "log1p_norm")]


def _vec(t):
    return lambda P: t.f(P)


@pytest.mark.parametrize("t", FUNCS, ids=lambda t: t.name)
def test_first_order_kernels_match_naive(t):
    X = t.points(6, n=5)
    H = 1e-4 * (1.0 + np.abs(X))
    for method, ref in (("central", naive.grad_central), ("forward", naive.grad_forward),
                        ("backward", naive.grad_backward), ("complex", naive.grad_complex)):
        got = fastgrad.gradient(t.jit, X, method=method, step=H)
        # same stencil, same steps: only the rounding of f differs (numba vs numpy libm)
        np.testing.assert_allclose(got, ref(_vec(t), X, H), rtol=1e-9, atol=1e-9 * np.abs(got).max())


@pytest.mark.parametrize("t", FUNCS, ids=lambda t: t.name)
def test_second_order_kernels_match_naive(t):
    X = t.points(5, n=4)
    H = 1e-3 * (1.0 + np.abs(X))
    got = fastgrad.hessian(t.jit, X, step=H)
    ref = naive.hessian_central(_vec(t), X, H)
    # different 2-D stencils (fastgrad reuses evaluations): equal up to O(h**2)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    V = np.random.default_rng(0).standard_normal(X.shape)
    r = 1e-3 * np.ones(len(X))
    hv_ref = naive.hvp_central(_vec(t), X, V, H, r)
    np.testing.assert_allclose(fastgrad.hvp(t.jit, X, V, step=H), hv_ref, rtol=1e-4, atol=1e-4 * np.abs(hv_ref).max())


def test_jacobian_and_richardson_match_naive():
    fvec = lambda P: np.stack([np.sin(P[:, 0]) * P[:, 1], np.exp(P[:, 1] - P[:, 2])], axis=1)
    f = lambda x: np.array([np.sin(x[0]) * x[1], np.exp(x[1] - x[2])])
    X = np.random.default_rng(4).uniform(-1, 1, (3, 3))
    H = 1e-5 * np.ones_like(X)
    np.testing.assert_allclose(fastgrad.jacobian(f, X, step=H), naive.jacobian_central(fvec, X, H), rtol=1e-9)
    # Richardson: fastgrad's tableau against a plain Neville tableau of central differences
    g = lambda x: np.sin(x[0]) * np.exp(x[1])
    gv = lambda P: np.sin(P[:, 0]) * np.exp(P[:, 1])
    X2 = X[:, :2]
    H0 = 2.0**-4 * np.maximum(1.0, np.abs(X2))
    ref = naive.neville([naive.grad_central(gv, X2, (X2 + H0 / 2**k) - X2) for k in range(5)])
    np.testing.assert_allclose(fastgrad.gradient(g, X2, method="richardson"), ref, rtol=1e-11)
