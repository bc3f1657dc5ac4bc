"""critical_points and mean_value_points on textbook functions with known answers."""
import numba
import numpy as np
import pytest

import fastgrad

SQ = [(-2.0, 2.0), (-2.0, 2.0)]


def _kinds(points):
    return [(p.kind, tuple(np.round(p.x, 6) + 0.0)) for p in points]


def test_cubic_minimum_and_saddle_with_textbook_D():
    pts = fastgrad.critical_points(lambda p: p[0] ** 3 - 3 * p[0] + p[1] ** 2, SQ)
    assert _kinds(pts) == [("minimum", (1.0, 0.0)), ("saddle", (-1.0, 0.0))]
    mn, sd = pts
    assert mn.fxx == pytest.approx(6.0, rel=1e-6) and mn.fyy == pytest.approx(2.0, rel=1e-6)
    assert mn.fxy == pytest.approx(0.0, abs=1e-5) and mn.D == pytest.approx(12.0, rel=1e-5)
    assert sd.D == pytest.approx(-12.0, rel=1e-5)
    assert mn.value == pytest.approx(-2.0) and sd.value == pytest.approx(2.0)
    np.testing.assert_allclose(mn.eigenvalues, [2.0, 6.0], rtol=1e-5)
    assert mn.hessian.shape == (2, 2) and mn.gradient_norm <= 1e-8


def test_quartic_two_minima_one_saddle():
    # f = x^4 + y^4 - 4xy + 1: minima at (1, 1), (-1, -1) (D = 128), saddle at 0 (D = -16)
    @numba.njit
    def f(p):
        return p[0] ** 4 + p[1] ** 4 - 4.0 * p[0] * p[1] + 1.0

    pts = fastgrad.critical_points(f, SQ)
    assert sorted(_kinds(pts)) == [("minimum", (-1.0, -1.0)), ("minimum", (1.0, 1.0)), ("saddle", (0.0, 0.0))]
    for p in pts:
        assert p.D == pytest.approx(128.0 if p.kind == "minimum" else -16.0, rel=1e-5)


def test_maximum_degenerate_and_higher_dimensions():
    (mx,) = fastgrad.critical_points(lambda p: 3.0 - p[0] ** 2 - 2 * p[1] ** 2, SQ)
    assert mx.kind == "maximum" and mx.value == pytest.approx(3.0)
    # monkey saddle and x^4 + y^2: the Hessian test is inconclusive at 0
    (ms,) = fastgrad.critical_points(lambda p: p[0] ** 3 - 3 * p[0] * p[1] ** 2, SQ)
    assert ms.kind == "degenerate" and np.max(np.abs(ms.x)) < 1e-2
    (dg,) = fastgrad.critical_points(lambda p: p[0] ** 4 + p[1] ** 2, SQ)
    assert dg.kind == "degenerate"
    (s3,) = fastgrad.critical_points(lambda p: p[0] ** 2 + p[1] ** 2 - p[2] ** 2, [(-1, 1)] * 3, n_starts=20)
    assert s3.kind == "saddle" and s3.D is None and s3.fxx is None
    np.testing.assert_allclose(s3.eigenvalues, [-2.0, 2.0, 2.0], rtol=1e-5)


def test_one_variable_and_points_only_inside_the_box():
    pts = fastgrad.critical_points(lambda p: np.sin(p[0]), [(0.0, 2 * np.pi)])
    assert [(p.kind, round(float(p.x[0]), 8)) for p in pts] == [("minimum", round(1.5 * np.pi, 8)),
                                                                 ("maximum", round(0.5 * np.pi, 8))]
    assert fastgrad.critical_points(lambda p: (p[0] - 5.0) ** 2, [(0.0, 1.0)]) == []


def test_vectorized_and_args():
    def f(P, a):
        return (P[:, 0] - a) ** 2 + P[:, 1] ** 2

    (p,) = fastgrad.critical_points(f, SQ, args=(0.5,), vectorized=True, n_starts=10)
    assert p.kind == "minimum" and np.allclose(p.x, [0.5, 0.0], atol=1e-7)


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"bounds": [(1.0, 0.0)]}, ValueError, "low < high"),
    ({"bounds": [0.0, 1.0]}, ValueError, r"shape \(d, 2\)"),
    ({"bounds": [(0.0, np.inf)]}, ValueError, "finite"),
    ({"bounds": [("a", "b")]}, TypeError, "bounds"),
    ({"n_starts": 0}, ValueError, "n_starts"),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"f": 3}, TypeError, "f must be callable"),
])
def test_critical_points_bad_input(kwargs, exc, match):
    kw = {"f": lambda p: p[0] ** 2, "bounds": [(-1.0, 1.0)]}
    kw.update(kwargs)
    with pytest.raises(exc, match=match):
        fastgrad.critical_points(kw.pop("f"), kw.pop("bounds"), **kw)


# ------------------------------------------------------------ mean value points


def test_lagrange_mean_value_points():
    np.testing.assert_allclose(fastgrad.mean_value_points(lambda t: t ** 3, 0.0, 3.0), [np.sqrt(3.0)], rtol=1e-9)
    np.testing.assert_allclose(fastgrad.mean_value_points(np.sin, 0.0, np.pi), [np.pi / 2], rtol=1e-9)
    np.testing.assert_allclose(fastgrad.mean_value_points(np.sin, 0.0, 4 * np.pi),
                               np.pi * np.array([0.5, 1.5, 2.5, 3.5]), rtol=1e-9)
    # t^3 on [-1, 2]: 3 c^2 = 3 at c = +-1, and c = -1 is an endpoint, not inside
    np.testing.assert_allclose(fastgrad.mean_value_points(lambda t: t ** 3, -1.0, 2.0), [1.0], rtol=1e-9)


def test_cauchy_mean_value_points():
    # f = t^2, g = t^3 on [0, 1]: 2c * 1 = 3c^2 * 1 at c = 2/3 (c = 0 is the endpoint)
    c = fastgrad.mean_value_points(lambda t: t * t, 0.0, 1.0, g=lambda t: t ** 3)
    np.testing.assert_allclose(c, [2.0 / 3.0], rtol=1e-9)
    c = fastgrad.mean_value_points(np.cos, 0.0, np.pi / 2, g=np.sin)  # -sin c = -cos c
    np.testing.assert_allclose(c, [np.pi / 4], rtol=1e-9)


def test_touching_root_is_found():
    # f' - slope = (t - 1)^2 (t - 2.25) on [0, 3]: a double root at 1, a simple one at 2.25
    def f(t):
        return (t - 1) ** 4 / 4 - 1.25 * (t - 1) ** 3 / 3

    np.testing.assert_allclose(fastgrad.mean_value_points(f, 0.0, 3.0), [1.0, 2.25], atol=1e-5)


@pytest.mark.parametrize("args,exc,match", [
    ((lambda t: t, 1.0, 0.0), ValueError, "a < b"),
    ((lambda t: t, np.nan, 1.0), ValueError, "a must be a finite"),
    ((lambda t: t, 0.0, "b"), ValueError, "b must be a finite"),
    ((3, 0.0, 1.0), TypeError, "f must be callable"),
    ((lambda t: 2 * t + 1, 0.0, 1.0), ValueError, "every point"),
    ((lambda t: np.log(t), 0.0, 1.0), ValueError, "finite at a and b"),
])
def test_mean_value_points_bad_input(args, exc, match):
    with np.errstate(divide="ignore"), pytest.raises(exc, match=match):
        fastgrad.mean_value_points(*args)


def test_mean_value_points_bad_g():
    with pytest.raises(TypeError, match="g must be callable"):
        fastgrad.mean_value_points(np.sin, 0.0, 1.0, g=2)
