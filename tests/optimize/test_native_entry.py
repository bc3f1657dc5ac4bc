"""The two compiled routes of minimize (native, specialised) and the Python
loops give the same minimisation.

A jitted ``fun`` of the point alone with finite-difference derivatives runs
through the native entry: its address goes to a loop compiled once per
(method, line search) and cached on disk.  The same ``fun`` with ``args``
runs through the entry specialised on it; a plain Python ``fun`` runs the
same loop source interpreted.  Same arithmetic, so the same iterates.
"""
import subprocess
import sys

import numba
import numpy as np
import pytest

import fastgrad
from fastgrad.optimize._loops import run as loops_run


def _rosen_py(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return s


_rosen = numba.njit(_rosen_py)


@numba.njit
def _rosen_scaled(x, a):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return a * s


X0 = np.random.default_rng(5).uniform(-1.5, 1.5, size=(3, 4))


@pytest.mark.parametrize("method", ["bfgs", "lbfgs", "newton", "gd"])
def test_routes_agree(method):
    kw = {"max_iter": 60} if method == "gd" else {}
    kw.update({"learning_rate": 1e-3} if method == "gd" else {})
    native = fastgrad.minimize(_rosen, X0, method=method, **kw)
    specialised = fastgrad.minimize(_rosen_scaled, X0, method=method, args=(1.0,), **kw)
    interpreted = fastgrad.minimize(_rosen_py, X0[:1], method=method, **kw)
    # (fixed-step methods take the "none" Hessian piece: they need no curvature with a given learning rate)
    assert (method, "wolfe" if method in ("bfgs", "lbfgs") else
            ("backtracking" if method == "newton" else "none"), "none" if method == "gd" else "fd",
            False) in loops_run._NATIVE
    for a, b in zip(native, specialised):
        np.testing.assert_array_equal(a.x, b.x)
        assert (a.nit, a.nfev, a.status) == (b.nit, b.nfev, b.status)
    np.testing.assert_allclose(native[0].x, interpreted[0].x, rtol=1e-9, atol=1e-12)
    assert native[0].nit == interpreted[0].nit


@pytest.mark.parametrize("method,loop", [("lbfgs", "lbfgs-box"), ("nesterov", "momentum-box")])
def test_bounded_routes_agree(method, loop):
    # bounded runs (box-respecting differences, automatic step) take the native route too
    bounds = [(0.0, 0.7)] + [(None, None)] * 3
    kw = {"max_iter": 60} if method == "nesterov" else {}
    native = fastgrad.minimize(_rosen, X0, method=method, bounds=bounds, **kw)
    specialised = fastgrad.minimize(_rosen_scaled, X0, method=method, args=(1.0,), bounds=bounds, **kw)
    hf = "lipschitz" if method == "nesterov" else "fd"
    assert (loop, "projected", hf, False) in loops_run._NATIVE
    for a, b in zip(native, specialised):
        np.testing.assert_array_equal(a.x, b.x)
        assert (a.nit, a.nfev, a.status) == (b.nit, b.nfev, b.status)


def test_single_start_uses_the_native_entry():
    res = fastgrad.minimize(_rosen, np.full(5, 0.5), method="bfgs")
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(5), atol=1e-5)
    assert ("bfgs", "wolfe", "fd", None) in loops_run._NATIVE


@numba.njit
def _quad_grad(x):
    return 2.0 * (x - 1.0)


@numba.njit
def _quad(x):
    return np.sum((x - 1.0) ** 2)


def test_a_user_gradient_takes_the_specialised_route():
    loops_run._NATIVE.clear()
    res = fastgrad.minimize(_quad, np.zeros(3), jac=_quad_grad, method="bfgs")
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-8)
    assert res.njev >= 1 and not loops_run._NATIVE  # exact gradients: no native entry


_FRESH = """
import numba, numpy as np, fastgrad
from fastgrad.optimize._loops import run
@numba.njit
def f(x):
    return np.sum((x - 2.0) ** 2)
r = fastgrad.minimize(f, np.zeros(3), method="lbfgs")
assert np.allclose(r.x, 2.0, atol=1e-6), r.x
print(sum(sum(d.stats.cache_hits.values()) for d in run._NATIVE.values()))
"""


@pytest.mark.slow
def test_a_second_process_loads_the_entry_from_the_disk_cache():
    # The first process may compile (or already hit a cache left by another
    # run); the second must find the entry on disk.
    out = [subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, timeout=300)
           for _ in range(2)]
    for o in out:
        assert o.returncode == 0, o.stderr
    assert int(out[1].stdout.strip().splitlines()[-1]) >= 1
