"""Tests of ``minimize(..., bounds=...)``: the projected loops against scipy's
L-BFGS-B (same point, same active set), the compiled against the Python runs,
batches, the first-order methods, and bad bounds.
"""
import numba
import numpy as np
import pytest
import scipy.optimize as so

import fastgrad
from functions import _rosenbrock_grad as rosen_grad, rosen_jit
from fastgrad.optimize._bounds import active_mask


rosen = rosen_jit  # the shared jitted objective (tests/functions.py)




def rosen_box(d):
    """A box that binds: every third variable capped at 0.7, one raised to >= 1.2."""
    lb, ub = np.zeros(d), np.full(d, 2.0)
    ub[::3] = 0.7
    lb[3 * (d // 6) + 1] = 1.2
    return lb, ub


_Q = np.diag(np.linspace(1.0, 20.0, 6)) + 0.3 * (np.eye(6, k=1) + np.eye(6, k=-1))
_C = np.array([3.0, -2.0, 0.5, 1.0, -4.0, 0.2])


def quad(x):
    return 0.5 * x @ _Q @ x - _C @ x


def quad_grad(x):
    return _Q @ x - _C


def _scipy(fun, grad, x0, lb, ub, tol=1e-10):
    return so.minimize(fun, x0, jac=grad, method="L-BFGS-B", bounds=so.Bounds(lb, ub),
                       options={"gtol": tol, "ftol": 0.0, "maxiter": 10000})


def _check_against_scipy(res, ref, lb, ub, atol=1e-6):
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=atol)
    np.testing.assert_array_equal(res.active_mask, active_mask(ref.x, lb, ub))
    # variables on a bound sit exactly on it, and the box holds
    assert np.all(res.x >= lb) and np.all(res.x <= ub)
    on = res.active_mask != 0
    np.testing.assert_array_equal(res.x[on], np.where(res.active_mask[on] < 0, lb[on], ub[on]))


# ------------------------------------------------------------ against scipy


@pytest.mark.parametrize("d,seed", [(2, 0), (5, 1), (10, 2), (10, 3)])
def test_rosenbrock_with_binding_bounds_matches_lbfgsb(d, seed):
    lb, ub = rosen_box(d)
    x0 = np.random.default_rng(seed).uniform(0.0, 1.5, d)
    ref = _scipy(rosen.py_func, rosen_grad, x0, lb, ub)
    res = fastgrad.minimize(rosen.py_func, x0, method="lbfgs", jac=rosen_grad, bounds=list(zip(lb, ub)), tol=1e-10)
    _check_against_scipy(res, ref, lb, ub)
    assert (res.active_mask != 0).any()  # the bounds do bind
    assert res.history.grad_norm[-1] <= 1e-10


def test_quadratic_known_active_set():
    # the box [-0.1, 0.1]^6 cuts the unconstrained minimiser Q^-1 c; the KKT
    # conditions fix which variables sit on which side
    lb, ub = np.full(6, -0.1), np.full(6, 0.1)
    res = fastgrad.minimize(quad, np.zeros(6), method="lbfgs", jac=quad_grad, bounds=so.Bounds(lb, ub), tol=1e-12)
    ref = _scipy(quad, quad_grad, np.zeros(6), lb, ub, tol=1e-12)
    _check_against_scipy(res, ref, lb, ub, atol=1e-9)
    free = res.active_mask == 0
    g = quad_grad(res.x)
    assert np.all(np.abs(g[free]) <= 1e-10)  # stationary in the free variables
    assert np.all(g[res.active_mask < 0] >= 0) and np.all(g[res.active_mask > 0] <= 0)  # KKT signs
    assert free.sum() < 6 and (res.active_mask < 0).any() and (res.active_mask > 0).any()


@pytest.mark.parametrize("bounds", [
    [(None, 0.5), (0.2, None), (None, None), (-np.inf, 0.0), (None, np.inf), (1.0, 1.0)],  # one-sided, open, fixed
    so.Bounds([-np.inf, 0.2, -np.inf, -np.inf, -np.inf, 1.0], [0.5, np.inf, np.inf, 0.0, np.inf, 1.0]),
])
def test_one_sided_infinite_and_fixed_bounds(bounds):
    lb = np.array([-np.inf, 0.2, -np.inf, -np.inf, -np.inf, 1.0])
    ub = np.array([0.5, np.inf, np.inf, 0.0, np.inf, 1.0])
    x0 = np.full(6, 0.3)
    res = fastgrad.minimize(quad, x0, method="lbfgs", jac=quad_grad, bounds=bounds, tol=1e-11)
    ref = _scipy(quad, quad_grad, x0, lb, ub, tol=1e-11)
    _check_against_scipy(res, ref, lb, ub, atol=1e-8)
    assert res.x[5] == 1.0 and res.active_mask[5] == -1


@pytest.mark.parametrize("method", ["bfgs", "L-BFGS-B", "gd"])
def test_other_methods_reach_the_same_bounded_minimum(method):
    lb, ub = np.full(6, -0.1), np.full(6, 0.1)
    ref = _scipy(quad, quad_grad, np.zeros(6), lb, ub, tol=1e-12)
    kw = {"learning_rate": 0.04, "max_iter": 20000} if method == "gd" else {}
    res = fastgrad.minimize(quad, np.zeros(6), method=method, jac=quad_grad, bounds=list(zip(lb, ub)), tol=1e-9, **kw)
    _check_against_scipy(res, ref, lb, ub, atol=1e-7)


@pytest.mark.parametrize("method,kw", [("gd", {"line_search": "backtracking", "learning_rate": 1.0}),
                                       ("momentum", {"learning_rate": 0.02}),
                                       ("nesterov", {"learning_rate": 0.02})])
def test_first_order_methods_with_bounds(method, kw):
    lb, ub = np.full(6, -0.1), np.full(6, 0.1)
    ref = _scipy(quad, quad_grad, np.zeros(6), lb, ub, tol=1e-12)
    res = fastgrad.minimize(quad, np.zeros(6), method=method, jac=quad_grad, bounds=list(zip(lb, ub)), tol=1e-9,
                            max_iter=20000, **kw)
    _check_against_scipy(res, ref, lb, ub, atol=1e-7)
    hist = res.history.fun
    if method == "gd":
        assert np.all(np.diff(hist) <= 1e-15)  # Armijo along the arc never increases f


def test_projected_gradient_descent_matches_numpy():
    # fixed steps x <- clip(x - a g): the iterates of the plain numpy loop
    lb, ub = rosen_box(10)
    x = np.clip(np.full(10, 0.5), lb, ub)  # the start is clipped into the box first
    for _ in range(200):
        x = np.clip(x - 1e-4 * rosen_grad(x), lb, ub)
    for fun in (rosen, rosen.py_func):
        res = fastgrad.minimize(fun, np.full(10, 0.5), method="gd", jac="central" if fun is rosen else rosen_grad,
                                bounds=list(zip(lb, ub)), learning_rate=1e-4, max_iter=200, tol=0.0)
        np.testing.assert_allclose(res.x, x, rtol=1e-8, atol=1e-10)


# ------------------------------------------------- compiled, batches, reporting


def test_compiled_matches_python_and_scipy_with_fd_gradients():
    lb, ub = rosen_box(10)
    x0 = np.random.default_rng(4).uniform(0.0, 1.5, 10)
    b = so.Bounds(lb, ub)
    res = fastgrad.minimize(rosen, x0, method="lbfgs", bounds=b, tol=1e-7)  # central differences, compiled
    py = fastgrad.minimize(rosen.py_func, x0, method="lbfgs", bounds=b, tol=1e-7)
    assert (res.nit, res.nfev) == (py.nit, py.nfev)
    np.testing.assert_allclose(res.x, py.x, rtol=1e-12)
    ref = so.minimize(rosen.py_func, x0, method="L-BFGS-B", jac="3-point", bounds=b, options={"gtol": 1e-7, "ftol": 0})
    _check_against_scipy(res, ref, lb, ub, atol=1e-5)


def test_batched_starts_with_bounds():
    lb, ub = rosen_box(10)
    X0 = np.random.default_rng(5).uniform(0.0, 1.5, size=(9, 10))  # >= 8 starts: the parallel driver
    many = fastgrad.minimize(rosen, X0, method="lbfgs", bounds=list(zip(lb, ub)), tol=1e-7, history=False)
    assert len(many) == 9 and many.success.all()
    for x0, r in zip(X0[:3], many):
        one = fastgrad.minimize(rosen, x0, method="lbfgs", bounds=list(zip(lb, ub)), tol=1e-7)
        np.testing.assert_array_equal(r.x, one.x)
        np.testing.assert_array_equal(r.active_mask, one.active_mask)
    assert np.all(many.x >= lb) and np.all(many.x <= ub)


def test_start_outside_the_box_is_clipped_and_not_mutated():
    x0 = np.array([5.0, -5.0, 0.0, 0.0, 0.0, 0.0])
    lb, ub = np.full(6, -0.1), np.full(6, 0.1)
    res = fastgrad.minimize(quad, x0, method="lbfgs", jac=quad_grad, bounds=list(zip(lb, ub)), max_iter=0)
    np.testing.assert_array_equal(res.x, np.clip(x0, lb, ub))
    assert res.fun == quad(np.clip(x0, lb, ub))
    assert x0[0] == 5.0
    full = fastgrad.minimize(quad, x0, method="lbfgs", jac=quad_grad, bounds=list(zip(lb, ub)), tol=1e-12)
    ref = _scipy(quad, quad_grad, x0, lb, ub, tol=1e-12)
    _check_against_scipy(full, ref, lb, ub, atol=1e-9)


def test_unbounded_box_runs_the_plain_loop():
    x0 = np.array([-1.2, 1.0])
    free = fastgrad.minimize(rosen.py_func, x0, jac=rosen_grad, bounds=[(None, None)] * 2, tol=1e-8)
    plain = fastgrad.minimize(rosen.py_func, x0, jac=rosen_grad, tol=1e-8)
    np.testing.assert_array_equal(free.x, plain.x)
    np.testing.assert_array_equal(free.active_mask, [0, 0])
    assert "projected" not in plain.message


def test_messages_speak_of_the_projected_gradient():
    res = fastgrad.minimize(quad, np.zeros(6), jac=quad_grad, bounds=[(-0.1, 0.1)] * 6, tol=1e-9)
    assert "projected gradient norm" in res.message
    short = fastgrad.minimize(quad, np.zeros(6), jac=quad_grad, bounds=[(-0.1, 0.1)] * 6, max_iter=1)
    assert short.status == 1 and "projected gradient norm" in short.message


# ----------------------------------------------------------------- bad bounds


@pytest.mark.parametrize("bounds,exc,match", [
    ([(0.0, 1.0)], ValueError, "bounds has 1 pairs but x0 has d=2"),
    ([(0.0, 1.0)] * 3, ValueError, "bounds has 3 pairs"),
    ([(1.0, 0.0), (0.0, 1.0)], ValueError, "variable 0 has lower bound 1 > upper bound 0"),
    ([(0.0, 1.0), (np.nan, 1.0)], ValueError, "lower bound of variable 1 is NaN"),
    ([(0.0, np.nan), (0.0, 1.0)], ValueError, "upper bound of variable 0 is NaN"),
    ([(np.inf, None), (0.0, 1.0)], ValueError, "empty range"),
    ([(0.0, 1.0), (0.0, 1.0, 2.0)], ValueError, r"bounds\[1\] must be a \(low, high\) pair"),
    ([(0.0, 1.0), 3.0], ValueError, r"bounds\[1\] must be a \(low, high\) pair"),
    ([("a", 1.0), (0.0, 1.0)], TypeError, r"bounds\[0\] lower bound must be a number"),
    (5.0, TypeError, "bounds must be a Bounds object or a sequence"),
    ("box", TypeError, "bounds must be"),
    (so.Bounds([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]), ValueError, r"bounds.lb has shape \(3,\)"),
    (so.Bounds([0.0, 2.0], [1.0, 1.0]), ValueError, "variable 1 has lower bound 2 > upper bound 1"),
    (so.Bounds(0.0, [1.0, np.nan]), ValueError, "upper bound of variable 1 is NaN"),
])
def test_bad_bounds_raise_clear_errors(bounds, exc, match):
    with pytest.raises(exc, match=match):
        fastgrad.minimize(lambda x: x @ x, [0.0, 0.0], bounds=bounds, jac=lambda x: 2.0 * x)


@pytest.mark.parametrize("method", ["newton", "cg", "Newton-CG"])
def test_methods_without_bounds_say_which_accept_them(method):
    with pytest.raises(ValueError, match=r"cannot honour bounds; methods that accept bounds are 'lbfgs'"):
        fastgrad.minimize(lambda x: x @ x, [1.0, 1.0], method=method, bounds=[(0.0, 1.0)] * 2)


def test_line_searches_with_bounds_are_checked():
    with pytest.raises(ValueError, match="line_search='wolfe' is not available with method='lbfgs' and bounds"):
        fastgrad.minimize(lambda x: x @ x, [1.0, 1.0], method="lbfgs", line_search="wolfe", bounds=[(0, 1)] * 2)
    with pytest.raises(ValueError, match="line_search='backtracking' is not available with method='momentum'"):
        fastgrad.minimize(lambda x: x @ x, [1.0, 1.0], method="momentum", line_search="backtracking",
                          bounds=[(0, 1)] * 2)


# ------------------------------------------- finite differences inside the box


def pow15(x):
    # undefined (nan) below 0: the box [0, inf) is what makes it usable
    return float(np.sum(x ** 1.5 - np.array([1.0, -1.0, 0.5]) * x))


@numba.njit
def pow15_jit(x):
    c = np.array([1.0, -1.0, 0.5])
    s = 0.0
    for i in range(3):
        s += x[i] ** 1.5 - c[i] * x[i]
    return s


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a nan from outside the box would warn
@pytest.mark.parametrize("jac", [None, "forward", "backward"])
def test_finite_differences_never_leave_the_box(jac):
    lb, ub = np.zeros(3), np.array([np.inf, np.inf, 0.05])
    x0 = np.array([0.0, 0.5, 0.05])  # on the lower bound, inside, on the upper bound
    res = fastgrad.minimize(pow15, x0, method="lbfgs", jac=jac, bounds=list(zip(lb, ub)), tol=1e-6)
    ref = so.minimize(pow15, x0, method="L-BFGS-B", bounds=list(zip(lb, ub)), jac="3-point",
                      options={"gtol": 1e-9, "ftol": 0.0})
    assert res.success, res.message
    # x1 = (1 / 1.5)^2 inside; x2 on its lower bound 0 (gradient -(-1) > 0); x3 capped at 0.05
    np.testing.assert_allclose(res.x, [(1 / 1.5) ** 2, 0.0, 0.05], atol=1e-5)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    np.testing.assert_array_equal(res.active_mask, [0, -1, 1])


def test_fixed_step_with_box_and_automatic_step_stays_inside():
    with np.errstate(invalid="raise"):
        for method in ("gd", "momentum"):
            res = fastgrad.minimize(pow15, [0.0, 0.0, 0.0], method=method, bounds=[(0, None)] * 3, tol=1e-6,
                                    max_iter=20000)
            assert res.success, (method, res.message)
            np.testing.assert_allclose(res.x, [(1 / 1.5) ** 2, 0.0, (0.5 / 1.5) ** 2], atol=1e-5)


def test_box_differences_compiled_match_python():
    # also the one compiled run of the projected momentum loop (each compile costs seconds)
    b = [(0.0, None), (0.0, None), (0.0, 0.05)]
    res = fastgrad.minimize(pow15_jit, [0.0, 0.5, 0.05], method="nesterov", bounds=b, tol=1e-7, max_iter=20000)
    py = fastgrad.minimize(pow15_jit.py_func, [0.0, 0.5, 0.05], method="nesterov", bounds=b, tol=1e-7,
                           max_iter=20000)
    assert res.success and (res.nit, res.nfev) == (py.nit, py.nfev)
    np.testing.assert_allclose(res.x, py.x, rtol=1e-12)
    np.testing.assert_allclose(res.x, [(1 / 1.5) ** 2, 0.0, 0.05], atol=1e-6)


def test_callback_sees_feasible_iterates_and_array_bounds_work():
    lb, ub = np.full(6, -0.1), np.full(6, 0.1)
    seen = []
    res = fastgrad.minimize(quad, np.ones(6), method="lbfgs", jac=quad_grad, bounds=np.column_stack([lb, ub]),
                            tol=1e-10, callback=lambda r: seen.append(r.x.copy()))
    assert res.success and len(seen) == res.nit
    assert all(np.all((x >= lb) & (x <= ub)) for x in seen)
    ref = _scipy(quad, quad_grad, np.ones(6), lb, ub, tol=1e-12)
    _check_against_scipy(res, ref, lb, ub, atol=1e-8)
