"""check_gradient finds wrong gradients and passes right ones."""
import numba
import numpy as np
import pytest

import fastgrad
from functions import SUITE


@pytest.mark.parametrize("t", SUITE, ids=lambda t: t.name)
def test_correct_gradients_pass_full_and_directional(t):
    d = max(t.dims)
    X = t.points(d, n=3)
    res = fastgrad.check_gradient(t.jit, t.grad, X)
    assert res.ok and bool(res) and res.max_rel_error < 1e-5
    assert res.analytic.shape == X.shape == res.numerical.shape
    res = fastgrad.check_gradient(t.jit, t.grad, X, directions=4, random_state=0)
    assert res.ok and res.analytic.shape == (3, 4) and res.directions.shape == (3, 4, d)


@pytest.mark.parametrize("t", SUITE, ids=lambda t: t.name)
def test_wrong_gradients_fail(t):
    d = max(t.dims)
    X = t.points(d, n=2)
    bad = lambda x: t.grad(x) * np.r_[1.0, np.ones(d - 1)] + np.r_[1e-3 * (1 + abs(t.grad(x)[0])), np.zeros(d - 1)]
    res = fastgrad.check_gradient(t.jit, bad, X)
    assert not res.ok and res.worst[-1] == 0 and res.max_abs_error > 1e-4
    res = fastgrad.check_gradient(t.jit, bad, X, directions=3, random_state=1)
    assert not res.ok


def test_single_point_result_shapes_and_worst_index():
    f = lambda x: x[0] ** 2 + np.sin(x[1]) + x[2] ** 3
    good = lambda x: np.array([2 * x[0], np.cos(x[1]), 3 * x[2] ** 2])
    wrong = lambda x: np.array([2 * x[0], np.cos(x[1]), 2 * x[2] ** 2])  # last entry wrong
    x = np.array([0.5, 1.0, -2.0])
    assert fastgrad.check_gradient(f, good, x).ok
    res = fastgrad.check_gradient(f, wrong, x)
    assert not res.ok and res.worst == (2,) and res.analytic.shape == (3,)
    assert res.max_abs_error == pytest.approx(4.0, rel=1e-6)


def test_vectorized_and_args():
    f = lambda P, a: a * np.sum(P**2, axis=1)
    g = lambda P, a: 2 * a * P
    X = np.random.default_rng(0).standard_normal((5, 4))
    assert fastgrad.check_gradient(f, g, X, args=(3.0,), vectorized=True).ok
    assert fastgrad.check_gradient(f, g, X, args=(3.0,), vectorized=True, directions=2).ok
    assert not fastgrad.check_gradient(f, lambda P, a: a * P, X, args=(3.0,), vectorized=True).ok


def test_directional_mode_is_cheaper():
    calls = []

    def f(x):
        calls.append(1)
        return float(np.sum(x**2))

    x = np.ones(200)
    fastgrad.check_gradient(f, lambda x: 2 * x, x, directions=2)
    assert len(calls) <= 2 * 2 + 2  # probe + 2 per direction, not 2 * 200
