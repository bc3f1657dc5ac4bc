"""The central Hessian-vector product: the 4d-evaluation cross stencil.

References are analytic Hessians (tests/functions.py and quadratic forms
written here) and, for the exact arithmetic, a plain-numpy transcription of
the stencil; the evaluation count is checked by counting the calls of f.
"""
from __future__ import annotations

import numba
import numpy as np
import pytest

import fastgrad
from fastgrad.differentiate._steps import STEP_FACTORS

from functions import SUITE

EPS = np.finfo(np.float64).eps
C2 = STEP_FACTORS["second"]
BY_NAME = {t.name: t for t in SUITE}


def rel_err(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def _quadratic_form(d, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    A = M + M.T
    c = rng.standard_normal(d)
    return A, c


@numba.njit
def _qf_jit(x, A, c):
    return 0.5 * (x @ (A @ x)) + c @ x + np.sin(x[0]) * 0.0


def _qf_py(x, A, c):
    return 0.5 * float(x @ (A @ x)) + float(c @ x)


def _cross_reference(f, X, V):
    """The stencil spelled out in numpy, with fastgrad's default steps."""
    n, d = X.shape
    H = (X + C2 * np.maximum(1.0, np.abs(X))) - X
    t = C2 * np.maximum(1.0, np.abs(X).max(axis=1))
    vmax = np.abs(V).max(axis=1)
    out = np.empty((n, d))
    for k in range(n):
        for i in range(d):
            parts = []
            for sign in (1.0, -1.0):
                base = X[k] + sign * (t[k] * (V[k] / vmax[k]))
                p, m = base.copy(), base.copy()
                p[i] = base[i] + H[k, i]
                m[i] = base[i] - H[k, i]
                parts.append(f(p) - f(m))
            out[k, i] = ((parts[0] - parts[1]) / (4.0 * H[k, i] * t[k])) * vmax[k]
    return out, H


@pytest.mark.parametrize("name,d", [("rosenbrock", 2), ("rosenbrock", 10), ("quadratic", 7),
                                    ("trig", 10), ("cubic", 7), ("beale", 2)])
@pytest.mark.parametrize("route", ["jit", "python"])
def test_matches_the_analytic_hessian(name, d, route):
    t = BY_NAME[name]
    X = t.points(d, n=4)
    V = np.random.default_rng(d).standard_normal(X.shape)
    truth = np.einsum("nij,nj->ni", np.array([t.hess(x) for x in X]), V)
    f = t.jit if route == "jit" else t.f
    # second-order central stencil: truncation ~ h**2 ~ sqrt(eps), rounding eps/(h t) ~ sqrt(eps)
    assert rel_err(fastgrad.hvp(f, X, V), truth) <= 1e-6


@pytest.mark.parametrize("d", [1, 3, 12])
def test_quadratic_form_with_args_jit_and_python(d):
    A, c = _quadratic_form(d, seed=d)
    rng = np.random.default_rng(5)
    X = rng.uniform(-3.0, 3.0, (6, d))
    V = rng.standard_normal((6, d))
    truth = V @ A  # A symmetric: (A v_k) for every row
    for f in (_qf_jit, _qf_py):
        got = fastgrad.hvp(f, X, V, args=(A, c))
        # exact for a quadratic up to rounding: eps |f| / (h t) ~ 1e-8 |f|
        assert rel_err(got, truth) <= 1e-6
        one = fastgrad.hvp(f, X[2], V[2], args=(A, c))
        np.testing.assert_allclose(one, got[2], rtol=1e-12, atol=1e-12 * np.abs(truth).max())


def test_same_direction_for_every_point_broadcasts():
    t = BY_NAME["rosenbrock"]
    X = t.points(10, n=5)
    v = np.linspace(-1.0, 2.0, 10)
    got = fastgrad.hvp(t.jit, X, v)
    np.testing.assert_array_equal(got, fastgrad.hvp(t.jit, X, np.tile(v, (5, 1))))
    truth = np.array([t.hess(x) @ v for x in X])
    assert rel_err(got, truth) <= 1e-6


def test_arithmetic_is_the_cross_formula():
    # A plain-Python f is evaluated by the interpreted driver, so every value
    # of f is the one the numpy transcription sees: the results agree to the
    # last bits, and the default steps reported are the ones it used.
    t = BY_NAME["trig"]
    X = t.points(4, n=3)
    V = np.random.default_rng(1).standard_normal(X.shape)
    ref, H = _cross_reference(t.f, X, V)
    got, info = fastgrad.hvp(t.f, X, V, full_output=True)
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13 * np.abs(ref).max())
    np.testing.assert_array_equal(info.step, H)
    # the compiled kernel computes the same formula (f itself may round differently)
    np.testing.assert_allclose(fastgrad.hvp(t.jit, X, V), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_jit_and_python_routes_agree_and_report_the_same_steps():
    t = BY_NAME["rosenbrock"]
    X = t.points(10, n=40)
    V = np.random.default_rng(3).standard_normal(X.shape)
    a, ia = fastgrad.hvp(t.jit, X, V, full_output=True)
    b, ib = fastgrad.hvp(t.f, X, V, full_output=True)
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8 * np.abs(a).max())
    np.testing.assert_array_equal(ia.step, ib.step)
    assert ia.nfev == ib.nfev == 40 * 4 * 10 + 1


@pytest.mark.parametrize("n,d", [(1, 1), (1, 5), (7, 3)])
def test_nfev_is_the_number_of_calls(n, d):
    calls = []

    def f(x):
        calls.append(1)
        return float(np.sum(np.cos(x)) + x[0] * x[-1])

    X = np.random.default_rng(n + d).uniform(-1, 1, (n, d))
    V = np.ones((n, d))
    _, info = fastgrad.hvp(f, X, V, full_output=True)
    assert info.nfev == len(calls) == 4 * d * n + 1  # 4d per point, plus the probe of f


def test_nfev_of_richardson_and_vectorized_counts_4d_per_level():
    t = BY_NAME["quadratic"]
    X = t.points(3, n=2)
    V = np.ones_like(X)
    _, info = fastgrad.hvp(t.jit, X, V, method="richardson", full_output=True)
    assert info.nfev == info.levels * 2 * 4 * 3 + 1
    rows = []

    def fv(P):
        rows.append(P.shape[0])
        return t.f(P)

    got, info = fastgrad.hvp(fv, X, V, vectorized=True, full_output=True)
    assert info.nfev == 2 * 4 * 3 + 1 == sum(rows) - 1  # the vectorized probe evaluates 2 points
    truth = np.array([t.hess(x) @ v for x, v in zip(X, V)])
    assert rel_err(got, truth) <= 1e-6


def test_user_step_is_used_and_reported():
    t = BY_NAME["trig"]
    X = t.points(7, n=3)
    V = np.random.default_rng(0).standard_normal(X.shape)
    truth = np.einsum("nij,nj->ni", np.array([t.hess(x) for x in X]), V)
    got, info = fastgrad.hvp(t.jit, X, V, step=1e-3, full_output=True)
    np.testing.assert_array_equal(info.step, (X + 1e-3) - X)
    assert rel_err(got, truth) <= 1e-4
    # a large coordinate step shows its h**2 truncation error (trig has nonzero
    # fourth derivatives; a cubic would be exact), so it really is the step used
    big = fastgrad.hvp(t.jit, X, V, step=0.3)
    assert rel_err(big, truth) > 1e-6


def test_tiny_huge_and_zero_directions():
    t = BY_NAME["trig"]
    X = t.points(4, n=3)
    V = np.random.default_rng(2).standard_normal(X.shape)
    ref = fastgrad.hvp(t.jit, X, V)
    for scale in (1e-300, 1e-30, 1e30, 1e300):
        np.testing.assert_allclose(fastgrad.hvp(t.jit, X, scale * V) / scale, ref, rtol=1e-12)
    V0 = V.copy()
    V0[1] = 0.0
    got = fastgrad.hvp(t.jit, X, V0)
    np.testing.assert_array_equal(got[1], 0.0)
    np.testing.assert_array_equal(got[[0, 2]], ref[[0, 2]])


def test_inputs_are_not_modified_and_non_finite_is_reported():
    t = BY_NAME["rosenbrock"]
    X = t.points(5, n=3)
    V = np.ones_like(X)
    X0, V0 = X.copy(), V.copy()
    fastgrad.hvp(t.jit, X, V)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(V, V0)

    @numba.njit
    def log_sum(x):
        return np.sum(np.log(x))

    with pytest.raises(ValueError, match="non-finite"):
        # x[0] sits one step inside the domain: x - h e_0 - b leaves it
        fastgrad.hvp(log_sum, np.array([[1e-4, 1.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))


@pytest.mark.parametrize("shape,batched", [((4, 3), True), ((3,), True), ((1, 3), True), ((3,), False)])
def test_directions_are_private_writeable_copies(shape, batched):
    # the drivers take the checked directions as they are (no further copy)
    # only if they are writeable and C-contiguous; they must never be the caller's
    from fastgrad import _validation as val

    X = np.zeros((4, 3)) if batched else np.zeros((1, 3))
    v = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    V = val.check_direction(v, X, batched)
    assert V.shape == X.shape and V.flags.writeable and V.flags.c_contiguous
    assert not np.shares_memory(V, v)
    np.testing.assert_array_equal(V, np.broadcast_to(v, X.shape))
