"""Bound-constrained first-order methods (gd, momentum, nesterov): the
first-order loops run with their box switch on.

References: plain numpy transcriptions of the projected recurrences (same
iterates), scipy's L-BFGS-B (same minimiser, same active set), and the
unbounded loops (an infinite box changes nothing).
"""
import numpy as np
import pytest
import scipy.optimize as so

import fastgrad
from functions import _rosenbrock_grad as rosen_grad, rosen_jit
from fastgrad.optimize._bounds import active_mask


def rosen(x):
    a = x[1:] - x[:-1] ** 2
    return float(np.sum(100.0 * a * a + (1.0 - x[:-1]) ** 2))






def rosen_box(d):
    lb, ub = np.zeros(d), np.full(d, 2.0)
    ub[::3] = 0.7  # caps x_0 = 0.7 < 1: the valley is cut off
    lb[d // 2 + 1] = 1.2  # (never a capped index for d = 6 or 8)
    return lb, ub


def _convex_problem(d, seed):
    # a well-conditioned SPD quadratic whose unconstrained minimiser lies
    # partly outside the box, so that some bounds bind
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    Q = M @ M.T / d + np.eye(d)
    c = 3.0 * rng.standard_normal(d)
    lb, ub = -np.ones(d), np.ones(d)
    lb[0] = -np.inf  # a one-sided bound
    return (lambda x: 0.5 * x @ Q @ x - c @ x), (lambda x: Q @ x - c), lb, ub, np.linalg.eigvalsh(Q)[-1]


def _numpy_projected_momentum(grad, x0, lb, ub, lr, mu, nesterov, iters):
    x = np.clip(x0, lb, ub)
    v = np.zeros_like(x)
    for _ in range(iters):
        g = grad(x)
        vn = mu * v - lr * g
        t = x + (mu * vn - lr * g if nesterov else vn)
        xn = np.minimum(np.maximum(t, lb), ub)
        v = np.where(xn == t, vn, 0.0)  # a clipped coordinate loses its velocity
        x = xn
    return x


def _scipy(fun, grad, x0, lb, ub):
    return so.minimize(fun, x0, jac=grad, method="L-BFGS-B", bounds=so.Bounds(lb, ub),
                       options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 20000})


def _projected_grad_norm(x, g, lb, ub):
    return np.max(np.abs(np.clip(x - g, lb, ub) - x))


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
def test_projected_momentum_matches_numpy(method):
    lb, ub = rosen_box(8)
    x0 = np.full(8, 0.5)
    ref = _numpy_projected_momentum(rosen_grad, x0, lb, ub, 2e-4, 0.9, method == "nesterov", 300)
    res = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, bounds=list(zip(lb, ub)),
                            learning_rate=2e-4, momentum=0.9, max_iter=300, tol=0.0)
    assert res.nit == 300
    np.testing.assert_allclose(res.x, ref, rtol=1e-12, atol=1e-14)
    # the iterates stayed in the box and the bounds are hit exactly
    assert np.all(res.x >= lb) and np.all(res.x <= ub)
    assert res.x[0] == 0.7


@pytest.mark.parametrize("method,kw", [("gd", {"line_search": "backtracking", "learning_rate": 1.0}),
                                       ("gd", {}),  # automatic fixed step
                                       ("momentum", {}),
                                       ("nesterov", {})])
@pytest.mark.parametrize("d,seed", [(5, 0), (12, 1)])
def test_reach_the_active_set_of_scipy_lbfgsb(method, kw, d, seed):
    fun, grad, lb, ub, L = _convex_problem(d, seed)
    x0 = np.zeros(d)
    ref = _scipy(fun, grad, x0, lb, ub)
    if method != "gd" and not kw:
        kw = {"learning_rate": 0.5 / L}
    res = fastgrad.minimize(fun, x0, method=method, jac=grad, bounds=list(zip(lb, ub)), tol=1e-10,
                            max_iter=50000, **kw)
    assert res.success, res.message
    expected = active_mask(ref.x, lb, ub)
    assert np.any(expected != 0)  # the problem really is constrained
    np.testing.assert_array_equal(res.active_mask, expected)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-8)
    on = expected != 0
    np.testing.assert_array_equal(res.x[on], np.where(expected[on] < 0, lb[on], ub[on]))
    # the stopping quantity is the projected gradient, recorded in the history
    pg = _projected_grad_norm(res.x, grad(res.x), lb, ub)
    assert pg <= 1e-10
    np.testing.assert_allclose(res.history.grad_norm[-1], pg, rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_binding_rosenbrock_box_matches_scipy(method):
    lb, ub = rosen_box(6)
    x0 = np.clip(np.full(6, 0.5), lb, ub)
    ref = _scipy(rosen, rosen_grad, x0, lb, ub)
    kw = {"line_search": "backtracking", "learning_rate": 1.0} if method == "gd" else {"learning_rate": 5e-4}
    res = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, bounds=list(zip(lb, ub)), tol=1e-8,
                            max_iter=200000, **kw)
    assert res.success, res.message
    np.testing.assert_array_equal(res.active_mask, active_mask(ref.x, lb, ub))
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)


@pytest.mark.parametrize("method,kw", [("gd", {"learning_rate": 1e-3}), ("gd", {"line_search": "backtracking"}),
                                       ("momentum", {"learning_rate": 2e-4}), ("nesterov", {})])
def test_an_infinite_box_changes_nothing(method, kw):
    x0 = np.array([-1.2, 1.0, 0.3])
    free = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, bounds=[(None, None)] * 3,
                             tol=1e-6, max_iter=3000, **kw)
    plain = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, tol=1e-6, max_iter=3000, **kw)
    np.testing.assert_array_equal(free.x, plain.x)
    np.testing.assert_array_equal(free.history.fun, plain.history.fun)
    assert free.nit == plain.nit and free.nfev == plain.nfev


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_compiled_route_matches_python_route_in_a_box(method):
    lb, ub = rosen_box(6)
    x0 = np.full(6, 0.5)
    kw = dict(method=method, bounds=list(zip(lb, ub)), learning_rate=3e-4, max_iter=2000, tol=1e-9)
    native = fastgrad.minimize(rosen_jit, x0, **kw)  # jitted f, finite differences inside the box
    python = fastgrad.minimize(rosen_jit.py_func, x0, **kw)
    np.testing.assert_allclose(native.x, python.x, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(native.active_mask, python.active_mask)
    assert native.nit == python.nit
