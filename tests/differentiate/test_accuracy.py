"""Accuracy against analytic derivatives on the suite in tests/functions.py.

Thresholds (norm-wise relative error, max|est - true| / max|true|) are the
project's targets: gradient 1e-9 (central), 1e-12 (richardson), 1e-14
(complex); Hessian 1e-6 (central), 1e-9 (richardson).  The numba path is
checked on every case; the Python and vectorized paths are checked against
it in test_paths.py.
"""
import numpy as np
import pytest

import fastgrad
from functions import cases, rel_err

CASES, IDS = cases()

GRAD_TOL = {"central": 1e-9, "richardson": 1e-12, "complex": 1e-14}
HESS_TOL = {"central": 1e-6, "richardson": 1e-9, "complex": 1e-8}

# Where f's own rounding error is large next to its derivatives, no step size
# reaches the targets: logsumexp in 50 dimensions has |f| ~ 4.5 but gradient
# entries ~ 0.05 (and a 50-term sum inside f), log1p_norm in 40 dimensions has
# Hessian entries ~ 1e-3 next to |f| ~ 3.  Measured errors, with headroom:
LOOSER = {
    ("logsumexp", 50, "grad", "central"): 3e-9,
    ("logsumexp", 50, "grad", "richardson"): 3e-12,
    ("logsumexp", 50, "hess", "central"): 4e-6,
    ("log1p_norm", 40, "hess", "central"): 2e-6,
}


def _tol(t, d, kind, method):
    base = (GRAD_TOL if kind == "grad" else HESS_TOL)[method]
    return LOOSER.get((t.name, d, kind, method), base)


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
@pytest.mark.parametrize("t,d", CASES, ids=IDS)
def test_gradient_accuracy(t, d, method):
    X = t.points(d)
    G = np.array([t.grad(x) for x in X])
    g = fastgrad.gradient(t.jit, X, method=method)
    assert g.shape == X.shape
    for i in range(len(X)):
        assert rel_err(g[i], G[i]) <= _tol(t, d, "grad", method)


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
@pytest.mark.parametrize("t,d", CASES, ids=IDS)
def test_hessian_accuracy(t, d, method):
    X = t.points(d, n=2)
    Hs = np.array([t.hess(x) for x in X])
    h = fastgrad.hessian(t.jit, X, method=method)
    assert h.shape == (len(X), d, d)
    np.testing.assert_array_equal(h, np.swapaxes(h, 1, 2))  # symmetric by construction
    for i in range(len(X)):
        assert rel_err(h[i], Hs[i]) <= _tol(t, d, "hess", method)


@pytest.mark.parametrize("t,d", CASES, ids=IDS)
def test_richardson_error_estimate_is_never_too_small(t, d):
    X = t.points(d, n=6, seed=1)
    G = np.array([t.grad(x) for x in X])
    g, info = fastgrad.gradient(t.jit, X, method="richardson", full_output=True)
    assert info.error.shape == g.shape and info.status.shape == g.shape
    assert np.all(np.abs(g - G) <= info.error)
    Hs = np.array([t.hess(x) for x in X[:2]])
    h, info = fastgrad.hessian(t.jit, X[:2], method="richardson", full_output=True)
    assert np.all(np.abs(h - Hs) <= info.error)


@pytest.mark.parametrize("t,d", [c for c in CASES if c[1] <= 10], ids=[i for c, i in zip(CASES, IDS) if c[1] <= 10])
def test_one_sided_and_hvp_and_grad_based_hessian(t, d):
    X = t.points(d, n=2)
    G = np.array([t.grad(x) for x in X])
    Hs = np.array([t.hess(x) for x in X])
    for method in ("forward", "backward"):
        # one-sided differences: error ~ sqrt(eps) relative
        assert rel_err(fastgrad.gradient(t.jit, X, method=method), G) <= 1e-6
    V = np.random.default_rng(d).standard_normal(X.shape)
    true_hv = np.einsum("nij,nj->ni", Hs, V)
    assert rel_err(fastgrad.hvp(t.jit, X, V), true_hv) <= 1e-6
    assert rel_err(fastgrad.hvp(t.jit, X, V, method="complex"), true_hv) <= 1e-8
    assert rel_err(fastgrad.hvp(t.jit, X, V, method="richardson"), true_hv) <= 1e-9

    def grad(x):
        return t.grad(x)

    assert rel_err(fastgrad.hessian(t.f, X, grad=grad), Hs) <= 1e-8
    assert rel_err(fastgrad.hessian(t.f, X, grad=grad, method="richardson"), Hs) <= 1e-11
    assert rel_err(fastgrad.hvp(t.f, X, V, grad=grad), true_hv) <= 1e-8


def test_richardson_terminates_on_exact_zero():
    # f does not depend on x[1]: that entry is exactly 0 at every step.
    g, info = fastgrad.gradient(lambda x: np.sin(x[0]), [0.3, 2.0], method="richardson", full_output=True)
    assert g[1] == 0.0 and info.status[1] == 0 and info.error[1] < 1e-13
    assert abs(g[0] - np.cos(0.3)) <= info.error[0] <= 1e-12
    assert info.levels < 8


def test_polynomial_is_exact_enough_with_richardson():
    # A cubic's central difference has only an h**2 term: one extrapolation removes it.
    f = lambda x: x[0] ** 3 - 2 * x[0] * x[1] ** 2
    g = fastgrad.gradient(f, [1.5, -0.5], method="richardson")
    np.testing.assert_allclose(g, [3 * 1.5**2 - 2 * 0.25, 4 * 1.5 * 0.5], rtol=1e-13)


def test_jacobian_against_analytic():
    f = lambda x: np.array([x[0] * x[1], np.exp(x[0]) * np.sin(x[2]), x[1] ** 2 / (1 + x[2] ** 2)])

    def jac(x):
        a, b, c = x
        return np.array([[b, a, 0], [np.exp(a) * np.sin(c), 0, np.exp(a) * np.cos(c)],
                         [0, 2 * b / (1 + c * c), -2 * b * b * c / (1 + c * c) ** 2]])

    X = np.random.default_rng(3).uniform(-1, 1, (4, 3))
    J = np.array([jac(x) for x in X])
    for method, tol in [("central", 1e-9), ("forward", 1e-6), ("complex", 1e-14), ("richardson", 1e-12)]:
        Jh = fastgrad.jacobian(f, X, method=method)
        assert Jh.shape == (4, 3, 3)
        assert rel_err(Jh, J) <= tol, method


@pytest.mark.parametrize("method,order,tol", [
    ("central", 1, 1e-9), ("forward", 1, 1e-7), ("backward", 1, 1e-7), ("complex", 1, 1e-15),
    ("richardson", 1, 1e-12), ("central", 2, 1e-6), ("complex", 2, 1e-8), ("richardson", 2, 1e-9),
])
def test_derivative_elementwise_any_shape(method, order, tol):
    x = np.linspace(-2, 2, 24).reshape(2, 3, 4)
    f = lambda t: np.exp(0.5 * t) * np.cos(t)
    d1 = np.exp(0.5 * x) * (0.5 * np.cos(x) - np.sin(x))
    d2 = np.exp(0.5 * x) * (-0.75 * np.cos(x) - np.sin(x))
    out = fastgrad.derivative(f, x, order=order, method=method)
    assert out.shape == x.shape
    ref = d1 if order == 1 else d2
    assert np.max(np.abs(out - ref)) <= tol * np.max(np.abs(ref))


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
@pytest.mark.parametrize("scale", [1e-300, 2.2e-313, 1e300])
def test_hvp_of_tiny_or_huge_direction_scales_linearly(method, scale):
    # H v is linear in v: a subnormal or huge v must give scale * (H u), not inf/nan
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    f = lambda x: 0.5 * x @ A @ x  # noqa: E731
    u = np.array([1.0, -0.5])
    got = fastgrad.hvp(f, [0.3, -0.2], scale * u, method=method)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got / scale, A @ u, rtol=1e-6)
