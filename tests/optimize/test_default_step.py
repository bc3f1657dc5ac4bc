"""The automatic step of the fixed-step methods (``learning_rate`` unset) and
the advice of every method's divergence message."""
import re

import numba
import numpy as np
import pytest

import fastgrad
from fastgrad.optimize._loops.codes import DIVERGED
from fastgrad.optimize._minimize import METHODS
from fastgrad.optimize._result import status_message

_QD = np.logspace(0, 4, 10)  # condition number 1e4


def quad(x):
    return 0.5 * np.dot(_QD * x, x) - x.sum()


def quad_grad(x):
    return _QD * x - 1.0


@numba.njit
def quad_jit(x):
    s = 0.0
    for i in range(x.shape[0]):
        q = 10.0 ** (4.0 * i / (x.shape[0] - 1))
        s += 0.5 * q * x[i] * x[i] - x[i]
    return s


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def rosen_grad(x):
    g = np.zeros_like(x)
    a = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * a - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * a
    return g


def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_default_step_on_ill_conditioned_quadratic(method):
    # the former default learning_rate=0.01 diverged here for every method
    # (0.01 * 1e4 > 2); the step from the curvature at the start converges
    old = fastgrad.minimize(quad, np.ones(10), method=method, jac=quad_grad, learning_rate=0.01)
    assert old.status == 2
    if method == "gd":  # ~7e4 iterations to converge (kappa log(1/tol)): check that it is on its way
        res = fastgrad.minimize(quad, np.ones(10), method=method, jac=quad_grad, max_iter=2000)
        assert res.status == 1 and np.all(np.diff(res.history.fun) < 0)
    else:
        res = fastgrad.minimize(quad, np.ones(10), method=method, jac=quad_grad, max_iter=100000, tol=1e-8)
        assert res.success, res.message
        np.testing.assert_allclose(res.x, 1.0 / _QD, atol=1e-7)
    # the step is 1/L (Nesterov: 1.9/2.8 of it) with L = 1e4 the largest curvature
    factor = 1.9 / 2.8 if method == "nesterov" else 1.0
    assert res.history.step_size[1] == pytest.approx(factor / 1e4, rel=1e-3)
    assert res.njev > res.nit + 1  # the curvature estimate costs gradients, and they are counted


def test_default_step_compiled_matches_python():
    # (one compiled loop: each costs seconds to compile)
    res = fastgrad.minimize(quad_jit, np.ones(10), method="nesterov", max_iter=300, tol=0.0)
    py = fastgrad.minimize(quad_jit.py_func, np.ones(10), method="nesterov", max_iter=300, tol=0.0)
    np.testing.assert_allclose(res.x, py.x, rtol=1e-12)
    assert res.nfev == py.nfev
    assert res.history.step_size[1] == pytest.approx(py.history.step_size[1], rel=1e-12)
    assert res.history.step_size[1] == pytest.approx(1.9 / 2.8 / 1e4, rel=1e-3)


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
@pytest.mark.parametrize("x0", [np.zeros(6), np.full(6, -1.0)], ids=["origin", "minus-one"])
def test_default_step_survives_rising_curvature(method, x0):
    # Rosenbrock is ~5x stiffer in its valley than at the origin: a step from
    # the start alone would diverge there; the safeguard halves it instead
    res = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, max_iter=60000, tol=1e-6)
    assert res.status != 2, res.message
    assert res.fun < 1e-6
    assert np.all(np.diff(res.history.step_size[1:]) <= 0)  # only ever halved
    assert res.history.step_size[-1] < res.history.step_size[1] or method != "gd" or x0[0] != 0.0


def test_default_step_with_bounds():
    lb, ub = np.full(10, -np.inf), np.full(10, np.inf)
    ub[-1] = 1e-5  # the stiffest variable's minimiser is 1e-4: this bound binds
    res = fastgrad.minimize(quad, np.zeros(10), method="momentum", jac=quad_grad, bounds=list(zip(lb, ub)),
                            max_iter=100000, tol=1e-8)
    assert res.success, res.message
    assert res.x[-1] == 1e-5 and res.active_mask[-1] == 1
    np.testing.assert_allclose(res.x[:-1], 1.0 / _QD[:-1], atol=1e-7)


def test_explicit_learning_rate_is_used_as_given():
    res = fastgrad.minimize(quad, np.ones(10), method="gd", jac=quad_grad, learning_rate=1e-5, max_iter=3, tol=0)
    np.testing.assert_array_equal(res.history.step_size[1:], 1e-5)
    assert res.nfev == 4


# ------------------------------------------------------- divergence advice


def _suggestions(message):
    """The keyword settings a message suggests, as ``(name, value)``."""
    found = []
    for name, value in re.findall(r"\b(\w+)=('[^']*'|[0-9]+(?:\.[0-9]+)?)?", message):
        if name in ("tol", "max_iter"):  # quoted current values, not advice
            continue
        found.append((name, eval(value) if value else None))
    return found


def _accepts(method, name, value, bounded):
    kw = {"bounds": [(-10.0, 10.0)] * 2} if bounded or name == "bounds" else {}
    if name != "bounds":
        kw[name] = value
    if method in ("gd", "momentum", "nesterov") and "learning_rate" not in kw:
        kw["learning_rate"] = 0.01
    fastgrad.minimize(booth, [0.0, 0.0], method=method, max_iter=5, **kw)  # must not raise


CASES = [(m, fixed, auto, bounded) for m in METHODS for fixed in (True, False) for auto in (True, False)
         for bounded in (True, False)
         if fixed == (m in ("gd", "momentum", "nesterov")) and (not auto or fixed)
         and (not bounded or m not in ("newton", "cg"))]


@pytest.mark.parametrize("method,fixed,auto,bounded", CASES)
def test_every_divergence_message_advises_accepted_options(method, fixed, auto, bounded):
    msg = status_message(DIVERGED, method=method, nit=7, max_iter=100, gnorm=1.0, tol=1e-6, fixed_step=fixed,
                         start_f=1.0, f=np.inf, bounded=bounded, auto_step=auto)
    assert msg.startswith("Diverged after 7 iterations")
    for name, value in _suggestions(msg):
        _accepts(method, name, value, bounded)
    if method in ("gd", "momentum", "nesterov"):
        assert "learning_rate" in msg or "learning rate" in msg
        assert ("line_search=" in msg) == (method == "gd")  # momentum methods refuse line searches


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_real_divergence_messages(method):
    res = fastgrad.minimize(booth, [0.0, 0.0], method=method, learning_rate=1.0)
    assert res.status == 2
    sugg = _suggestions(res.message)
    assert sugg
    for name, value in sugg:
        _accepts(method, name, value, False)
    if method != "gd":
        # following the advice (momentum=0.5 and the automatic step) converges
        ok = fastgrad.minimize(booth, [0.0, 0.0], method=method, momentum=0.5, tol=1e-8)
        assert ok.success and np.allclose(ok.x, [1.0, 3.0], atol=1e-6)
    else:
        ok = fastgrad.minimize(booth, [0.0, 0.0], method="gd", learning_rate=1.0, line_search="backtracking", tol=1e-8)
        assert ok.success
