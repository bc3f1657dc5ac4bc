"""Tests of fastgrad.minimize: known minima, scipy's iteration counts, compiled
vs Python runs, numpy reference loops, batches, divergence and bad input.

numba compiles one loop per (method, way of getting derivatives, user
function), ~1-5 s each, so the compiled tests reuse the module-level jitted
objectives below and most problem sweeps run the (identical) Python loops.
"""
import numba
import numpy as np
import pytest
import scipy.optimize as so

import fastgrad
from fastgrad.bench import naive_optim
from functions import rosen_jit

# ----------------------------------------------------------------- objectives


rosen = rosen_jit  # the shared jitted objective (tests/functions.py)


@numba.njit
def rosen_grad(x):
    d = x.shape[0]
    g = np.zeros(d)
    for i in range(d - 1):
        a = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * a
    return g


@numba.njit
def rosen_pair(x):
    return rosen(x), rosen_grad(x)


@numba.njit
def rosen_hess(x):
    d = x.shape[0]
    H = np.zeros((d, d))
    for i in range(d - 1):
        H[i, i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0
        H[i + 1, i + 1] += 200.0
        H[i, i + 1] -= 400.0 * x[i]
        H[i + 1, i] -= 400.0 * x[i]
    return H


def beale(x):
    a, b = x
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b * b) ** 2 + (2.625 - a + a * b ** 3) ** 2


def beale_grad(x):
    a, b = x
    t1, t2, t3 = 1.5 - a + a * b, 2.25 - a + a * b * b, 2.625 - a + a * b ** 3
    return np.array([2 * t1 * (b - 1) + 2 * t2 * (b * b - 1) + 2 * t3 * (b ** 3 - 1),
                     2 * t1 * a + 4 * t2 * a * b + 6 * t3 * a * b * b])


def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


def booth_grad(x):
    u, v = x[0] + 2 * x[1] - 7, 2 * x[0] + x[1] - 5
    return np.array([2 * u + 4 * v, 4 * u + 2 * v])


_QD = np.logspace(0, 4, 10)  # condition number 1e4


def quad(x):
    return 0.5 * np.dot(_QD * x, x) - x.sum()


def quad_grad(x):
    return _QD * x - 1.0


_rng = np.random.default_rng(0)
_XL = _rng.standard_normal((200, 5))
_YL = (_XL @ _rng.standard_normal(5) + 0.5 * _rng.standard_normal(200) > 0).astype(float)


def logreg(w):
    z = _XL @ w
    return np.mean(np.logaddexp(0.0, z) - _YL * z) + 5e-3 * (w @ w)


def logreg_grad(w):
    z = _XL @ w
    return _XL.T @ (1.0 / (1.0 + np.exp(-z)) - _YL) / len(_YL) + 1e-2 * w


def _logreg_solution():
    return so.minimize(logreg, np.zeros(5), jac=logreg_grad, method="BFGS", options={"gtol": 1e-13}).x


# name -> (fun, grad, x0, x*, tol)
PROBLEMS = {
    "rosen2": (rosen.py_func, rosen_grad.py_func, np.array([-1.2, 1.0]), np.ones(2), 1e-8),
    "rosen10": (rosen.py_func, rosen_grad.py_func, np.zeros(10), np.ones(10), 1e-8),
    "rosen100": (rosen.py_func, rosen_grad.py_func, np.zeros(100), np.ones(100), 1e-8),
    "beale": (beale, beale_grad, np.array([1.0, 1.0]), np.array([3.0, 0.5]), 1e-8),
    "booth": (booth, booth_grad, np.array([0.0, 0.0]), np.array([1.0, 3.0]), 1e-8),
    "quad-cond1e4": (quad, quad_grad, np.ones(10), 1.0 / _QD, 1e-7),
    "logreg": (logreg, logreg_grad, np.zeros(5), None, 1e-8),
}
SCIPY = {"bfgs": ("BFGS", "gtol"), "lbfgs": ("L-BFGS-B", "gtol"), "newton": ("Newton-CG", "xtol"), "cg": ("CG", "gtol")}


def _solution(name):
    xs = PROBLEMS[name][3]
    return _logreg_solution() if xs is None else xs


# ---------------------------------------------------------- correctness vs scipy


@pytest.mark.parametrize("method", ["bfgs", "lbfgs", "newton", "cg"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_line_search_methods_reach_known_minima(name, method):
    fun, grad, x0, _, tol = PROBLEMS[name]
    hess = rosen_hess.py_func if (method == "newton" and fun is rosen.py_func) else None
    res = fastgrad.minimize(fun, x0, method=method, jac=grad, hess=hess, tol=tol)
    assert res.success, res.message
    assert np.max(np.abs(res.x - _solution(name))) <= 1e-6
    assert res.fun == pytest.approx(fun(res.x))
    np.testing.assert_allclose(res.jac, grad(res.x), atol=1e-12)


@pytest.mark.parametrize("method", ["bfgs", "lbfgs", "newton"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_iterations_within_1_2_of_scipy(name, method):
    # Newton's counterpart is Newton-CG (line-search Newton with the exact
    # Hessian, its system solved by CG); it stops on the step size, so it is
    # run to a step of 1e-12 and compared with our gradient-norm stop.
    fun, grad, x0, _, tol = PROBLEMS[name]
    smethod, key = SCIPY[method]
    opts = {key: 1e-12 if method == "newton" else tol}
    if method == "lbfgs":
        opts["ftol"] = 0.0  # stop on the gradient only, as fastgrad does
    kw = {}
    if method == "newton":
        exact = fun is rosen.py_func
        kw["hess"] = rosen_hess.py_func if exact else (lambda x: so.approx_fprime(x, grad, 1e-7))
    ref = so.minimize(fun, x0, jac=grad, method=smethod, options=opts, **kw)
    res = fastgrad.minimize(fun, x0, method=method, jac=grad, tol=tol,
                            hess=kw["hess"] if method == "newton" and exact else None)
    assert res.success, res.message
    assert res.nit <= 1.2 * ref.nit + 1, (res.nit, ref.nit)


@pytest.mark.parametrize("method", ["bfgs", "lbfgs", "newton", "cg"])
def test_compiled_rosen10_matches_scipy_and_python(method):
    x0 = np.linspace(-1.0, 0.5, 10)
    res = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, tol=1e-8)
    py = fastgrad.minimize(rosen.py_func, x0, method=method, jac=rosen_grad.py_func, tol=1e-8)
    assert res.success and np.max(np.abs(res.x - 1.0)) <= 1e-6
    # the same loop source and arithmetic: the same iterates
    assert (res.nit, res.nfev, res.njev) == (py.nit, py.nfev, py.njev)
    np.testing.assert_allclose(res.history.fun, py.history.fun, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(res.x, py.x, rtol=1e-12)
    if method in ("bfgs", "lbfgs"):
        ref = so.minimize(rosen.py_func, x0, jac=rosen_grad.py_func, method=SCIPY[method][0],
                          options={"gtol": 1e-8, "ftol": 0.0} if method == "lbfgs" else {"gtol": 1e-8})
        assert res.nit <= 1.2 * ref.nit + 1


@pytest.mark.parametrize("jac", [None, "forward", True])
def test_gradient_sources_agree_compiled_and_python(jac):
    fun = rosen_pair if jac is True else rosen
    tol = 1e-5 if jac == "forward" else 1e-7  # forward differences: errors ~ sqrt(eps) |f''|
    res = fastgrad.minimize(fun, [-1.2, 1.0], method="bfgs", jac=jac, tol=tol)
    py = fastgrad.minimize(fun.py_func, [-1.2, 1.0], method="bfgs", jac=jac, tol=tol)
    assert res.success and np.max(np.abs(res.x - 1.0)) <= (1e-6 if jac != "forward" else 1e-4)
    assert res.nit == py.nit and res.nfev == py.nfev
    np.testing.assert_allclose(res.x, py.x, rtol=1e-12)
    if jac is None:
        assert res.nfev > res.njev * 4  # central differences: 2d + 1 calls per gradient


def test_newton_hessian_sources():
    x0 = np.array([-1.2, 1.0])
    fd = fastgrad.minimize(rosen, x0, method="newton", tol=1e-8)  # Hessian by 2-D stencil on fun
    exact = fastgrad.minimize(rosen, x0, method="newton", jac=rosen_grad, hess=rosen_hess, tol=1e-8)
    py = fastgrad.minimize(rosen.py_func, x0, method="newton", jac=rosen_grad.py_func,
                           hess=rosen_hess.py_func, tol=1e-8)
    for r in (fd, exact, py):
        assert r.success and np.max(np.abs(r.x - 1.0)) <= 1e-6
        assert r.nhev == r.nit and r.hessian_modified == 0
    assert exact.nit == py.nit
    np.testing.assert_allclose(exact.x, py.x, rtol=1e-12)


def test_newton_shifts_indefinite_hessians_and_says_so():
    def f(x):
        return x[0] ** 4 - 2.0 * x[0] ** 2 + x[1] ** 2 + 0.5 * x[0]

    res = fastgrad.minimize(f, [0.1, 1.0], method="newton", tol=1e-9)
    assert res.success
    assert res.hessian_modified >= 1
    assert "not positive definite" in res.message and "shifted" in res.message
    g = fastgrad.gradient(f, res.x)
    assert np.max(np.abs(g)) <= 1e-6 and res.x[0] < -0.5  # the global minimum, a true minimum


# ----------------------------------------------------- fixed-step methods vs numpy


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_fixed_step_methods_match_numpy_loops(method):
    x0 = np.full(10, 0.5)
    xn, hist = naive_optim.LOOPS[method](rosen.py_func, rosen_grad.py_func, x0, 1e-4, 300)
    res = fastgrad.minimize(rosen, x0, method=method, jac=rosen_grad, learning_rate=1e-4, max_iter=300, tol=0.0)
    py = fastgrad.minimize(rosen.py_func, x0, method=method, jac=rosen_grad.py_func, learning_rate=1e-4,
                           max_iter=300, tol=0.0)
    assert res.status == 1 and res.nit == 300 and "max_iter=300" in res.message
    for r in (res, py):
        np.testing.assert_allclose(r.x, xn, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(r.history.fun, hist[:, 0], rtol=1e-12)
        np.testing.assert_allclose(r.history.grad_norm, hist[:, 1], rtol=1e-11)
        np.testing.assert_allclose(r.history.step_size, hist[:, 2])


@pytest.mark.parametrize("method,lr", [("gd", 0.1), ("momentum", 0.05), ("nesterov", 0.05)])
@pytest.mark.parametrize("name", ["booth", "logreg"])
def test_fixed_step_methods_converge(name, method, lr):
    fun, grad, x0, _, _ = PROBLEMS[name]
    res = fastgrad.minimize(fun, x0, method=method, jac=grad, learning_rate=lr, tol=1e-9, max_iter=20000)
    assert res.success, res.message
    assert np.max(np.abs(res.x - _solution(name))) <= 1e-6


def test_line_searches_on_quadratics():
    q = np.logspace(0, 2, 10)  # GD needs ~ condition number x log(1/tol) iterations
    for ls in ("backtracking", "wolfe"):
        res = fastgrad.minimize(lambda x: 0.5 * np.dot(q * x, x) - x.sum(), np.ones(10), method="gd",
                                jac=lambda x: q * x - 1.0, line_search=ls, learning_rate=1.0, tol=1e-7,
                                max_iter=20000)
        assert res.success and np.max(np.abs(res.x - 1.0 / q)) <= 1e-6, (ls, res.message)
    fun, grad, x0, xs, _ = PROBLEMS["quad-cond1e4"]
    for method in ("bfgs", "lbfgs", "newton"):
        res = fastgrad.minimize(fun, x0, method=method, jac=grad, line_search="backtracking", tol=1e-7)
        assert res.success and np.max(np.abs(res.x - xs)) <= 1e-6, (method, res.message)


def test_schedules_drive_the_learning_rate():
    x0 = np.full(10, 0.5)
    sched = fastgrad.ExponentialDecay(2e-4, rate=0.99)
    lr = sched.values(np.arange(100))
    xn, hist = naive_optim.gd(rosen.py_func, rosen_grad.py_func, x0, lr, 100)
    res = fastgrad.minimize(rosen, x0, method="gd", jac=rosen_grad, learning_rate=sched, max_iter=100, tol=0.0)
    np.testing.assert_allclose(res.x, xn, rtol=1e-13)
    np.testing.assert_allclose(res.history.step_size[1:], lr)
    res2 = fastgrad.minimize(rosen, x0, method="gd", jac=rosen_grad, learning_rate=lambda t: 2e-4 * 0.99 ** t,
                             max_iter=100, tol=0.0)
    np.testing.assert_allclose(res2.x, res.x, rtol=1e-13)


@pytest.mark.parametrize("sched,expected", [
    (fastgrad.Constant(0.5), [0.5, 0.5, 0.5]),
    (fastgrad.InverseScaling(1.0, decay=1.0, power=1.0), [1.0, 0.5, 1 / 3]),
    (fastgrad.ExponentialDecay(1.0, rate=0.5), [1.0, 0.5, 0.25]),
    (fastgrad.StepDecay(1.0, factor=0.1, every=2), [1.0, 1.0, 0.1]),
    (fastgrad.Cosine(1.0, period=2, lr_min=0.0), [1.0, 0.5, 0.0]),
])
def test_schedule_values(sched, expected):
    np.testing.assert_allclose(sched.values(np.arange(3)), expected, atol=1e-15)
    assert sched(1) == pytest.approx(expected[1])


def test_default_cosine_schedule_outlasts_its_period():
    # a default Cosine keeps a positive floor, so runs longer than the period work
    res = fastgrad.minimize(lambda x: np.sum(x ** 2), np.ones(3), method="gd",
                            learning_rate=fastgrad.Cosine(0.1, period=50), max_iter=500)
    assert res.nit == 500 and res.history.step_size[-1] == pytest.approx(1e-3) and res.fun < 1e-4
    with pytest.raises(ValueError, match="at t=50 it is 0.0; give the schedule a positive floor"):
        fastgrad.minimize(lambda x: np.sum(x ** 2), np.ones(3), method="gd",
                          learning_rate=fastgrad.Cosine(0.1, period=50, lr_min=0.0), max_iter=500)


# ------------------------------------------------------------------ batches


def test_batched_multistart_matches_single_runs():
    X0 = np.random.default_rng(3).uniform(-2.0, 2.0, size=(12, 10))  # parallel driver
    many = fastgrad.minimize(rosen, X0, method="lbfgs", jac=rosen_grad, tol=1e-8)
    assert isinstance(many, fastgrad.OptimizeResults) and len(many) == 12
    for x0, r in zip(X0[:3], many):
        one = fastgrad.minimize(rosen, x0, method="lbfgs", jac=rosen_grad, tol=1e-8)
        np.testing.assert_array_equal(r.x, one.x)
        assert r.nit == one.nit
    assert many.success.all()
    assert many.best.fun == many.fun.min()
    assert many.x.shape == (12, 10)
    # small batches take the serial driver, Python functions the Python loop
    few = fastgrad.minimize(rosen, X0[:3], method="lbfgs", jac=rosen_grad, tol=1e-8)
    py = fastgrad.minimize(rosen.py_func, X0[:3], method="lbfgs", jac=rosen_grad.py_func, tol=1e-8)
    np.testing.assert_array_equal(few.x, many.x[:3])
    np.testing.assert_allclose(py.x, many.x[:3], rtol=1e-12)


def test_batch_of_one_returns_a_list():
    res = fastgrad.minimize(booth, [[0.0, 0.0]], jac=booth_grad)
    assert len(res) == 1 and res[0].success


# --------------------------------------------------------- stops and reporting


def test_divergence_is_reported_with_advice():
    for fun, grad in [(rosen, rosen_grad), (rosen.py_func, rosen_grad.py_func)]:
        res = fastgrad.minimize(fun, np.full(10, 0.5), method="gd", jac=grad, learning_rate=0.1, max_iter=1000)
        assert not res.success and res.status == 2
        assert "Diverged" in res.message and "learning rate" in res.message
        assert res.nit < 1000
    res = fastgrad.minimize(booth, [0.0, 0.0], method="momentum", jac=booth_grad, learning_rate=1.0)
    assert res.status == 2 and "momentum" in res.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_unbounded_objective_is_reported():
    res = fastgrad.minimize(lambda x: -np.exp(x[0]) + x[1] ** 2, [0.0, 1.0], method="bfgs")
    assert not res.success and res.status in (2, 3, 4)
    assert res.message


def test_max_iter_is_reported_not_hidden():
    res = fastgrad.minimize(rosen, [-1.2, 1.0], method="bfgs", jac=rosen_grad, max_iter=5)
    assert not res.success and res.status == 1 and res.nit == 5
    assert "max_iter=5" in res.message and "increase max_iter" in res.message
    assert len(res.history) == 6


def test_history_records_every_iteration():
    res = fastgrad.minimize(rosen, [-1.2, 1.0], method="bfgs", jac=rosen_grad, tol=1e-8)
    h = res.history
    assert len(h) == res.nit + 1
    assert h.fun[0] == pytest.approx(rosen(np.array([-1.2, 1.0])))
    assert h.fun[-1] == res.fun and h.step_size[0] == 0.0
    assert np.all(np.diff(h.fun) < 0)  # Wolfe steps always decrease f
    assert h.grad_norm[-1] <= 1e-8 < h.grad_norm[-2]
    assert fastgrad.minimize(rosen, [-1.2, 1.0], jac=rosen_grad, history=False).history is None


def test_callback_sees_iterates_and_can_stop():
    seen = []

    def cb(r):
        seen.append((r.nit, r.fun, r.x.copy()))
        return r.nit >= 4

    res = fastgrad.minimize(rosen, [-1.2, 1.0], method="bfgs", jac=rosen_grad, callback=cb)
    assert res.status == 5 and res.nit == 4 and "callback" in res.message
    assert [s[0] for s in seen] == [1, 2, 3, 4]
    np.testing.assert_array_equal(seen[-1][2], res.x)

    def stop(r):
        raise StopIteration

    assert fastgrad.minimize(booth, [0.0, 0.0], method="gd", callback=stop).nit == 1


def test_args_and_no_mutation():
    def f(x, a, b):
        return (x[0] - a) ** 2 + (x[1] - b) ** 2

    x0 = np.array([0.0, 0.0])
    res = fastgrad.minimize(f, x0, args=(1.0, -2.0), method="lbfgs")
    np.testing.assert_allclose(res.x, [1.0, -2.0], atol=1e-6)
    assert np.all(x0 == 0.0)


def test_result_fields_and_repr():
    res = fastgrad.minimize(booth, [0.0, 0.0], jac=booth_grad)
    for key in ("x", "fun", "jac", "nit", "nfev", "njev", "success", "status", "message", "history"):
        assert key in res and getattr(res, key) is res[key]
    text = repr(res)
    assert "message" in text and "History(" in text
    with pytest.raises(AttributeError):
        res.no_such_field


def test_methods_are_case_insensitive():
    assert fastgrad.minimize(booth, [0.0, 0.0], method="L-BFGS").method == "lbfgs"


# ----------------------------------------------------------------- bad input


def _vec_fun(x):
    return x


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"x0": [[[0.0]]]}, ValueError, "x0"),
    ({"x0": []}, ValueError, "x0"),
    ({"x0": [np.nan, 0.0]}, ValueError, r"x0 must be finite"),
    ({"x0": [np.inf, 0.0]}, ValueError, r"x0 must be finite"),
    ({"x0": 1.0}, ValueError, "x0"),
    ({"x0": ["a", "b"]}, TypeError, "x0"),
    ({"x0": [1 + 1j, 0.0]}, TypeError, "x0"),
    ({"method": "adam"}, ValueError, "method='adam' is not supported"),
    ({"method": None}, ValueError, "method"),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"tol": np.nan}, ValueError, "tol"),
    ({"max_iter": -1}, ValueError, "max_iter"),
    ({"max_iter": 2.5}, ValueError, "max_iter"),
    ({"method": "gd", "learning_rate": -0.1}, ValueError, "learning_rate"),
    ({"method": "gd", "learning_rate": 0.0}, ValueError, "learning_rate"),
    ({"method": "gd", "learning_rate": np.inf}, ValueError, "learning_rate"),
    ({"method": "gd", "learning_rate": "fast"}, TypeError, "learning_rate"),
    ({"method": "gd", "learning_rate": lambda t: 0.1 - 0.01 * t}, ValueError, r"learning_rate.*t=10"),
    ({"method": "gd", "learning_rate": lambda t: "x"}, TypeError, "learning_rate"),
    ({"method": "momentum", "momentum": 1.0}, ValueError, "momentum"),
    ({"method": "momentum", "momentum": -0.1}, ValueError, "momentum"),
    ({"method": "momentum", "line_search": "wolfe"}, ValueError, "line_search='wolfe' is not available"),
    ({"method": "bfgs", "line_search": "none"}, ValueError, "line_search"),
    ({"method": "cg", "line_search": "backtracking"}, ValueError, "line_search"),
    ({"line_search": "exact"}, ValueError, "line_search"),
    ({"c1": 0.0}, ValueError, "c1"),
    ({"c1": 0.5, "c2": 0.4}, ValueError, "c2"),
    ({"c2": 1.0}, ValueError, "c2"),
    ({"memory": 0}, ValueError, "memory"),
    ({"max_line_search": 0}, ValueError, "max_line_search"),
    ({"args": 3.0}, TypeError, "args"),
    ({"callback": 3}, TypeError, "callback"),
    ({"history": "yes"}, TypeError, "history"),
    ({"jac": "exact"}, ValueError, "jac='exact' is not understood"),
    ({"jac": lambda x: np.zeros(3)}, ValueError, r"jac must return an array of shape \(2,\)"),
    ({"jac": lambda x: np.array([np.nan, 0.0])}, ValueError, "jac returned a non-finite"),
    ({"jac": lambda x: "g"}, TypeError, "jac must return numbers"),
    ({"jac": lambda x: 1 / 0}, TypeError, "jac failed"),
    ({"method": "newton", "hess": lambda x: np.eye(3)}, ValueError, r"hess must return an array of shape \(2, 2\)"),
    ({"method": "newton", "hess": 5}, TypeError, "hess must be callable"),
    ({"method": "bfgs", "hess": lambda x: np.eye(2)}, ValueError, "hess is only used by method='newton'"),
    ({"fun": 3}, TypeError, "fun must be callable"),
    ({"fun": _vec_fun}, ValueError, "fun must return a scalar"),
    ({"fun": lambda x: np.nan}, ValueError, "fun returned a non-finite"),
    ({"jac": True}, TypeError, r"jac=True, fun must return a pair"),
    ({"jac": True, "fun": lambda x: (1.0, np.zeros(5))}, ValueError, "fun's gradient"),
    ({"jac": True, "fun": lambda x: (np.nan, np.zeros(2))}, ValueError, "non-finite"),
])
def test_bad_input_raises_clear_errors(kwargs, exc, match):
    kw = {"fun": booth, "x0": [0.0, 0.0]}
    kw.update(kwargs)
    fun, x0 = kw.pop("fun"), kw.pop("x0")
    with pytest.raises(exc, match=match):
        fastgrad.minimize(fun, x0, **kw)


def test_numba_function_that_does_not_compile_is_reported():
    @numba.njit
    def bad(x):
        return x.no_such_attribute

    with pytest.raises(TypeError, match="fun"):
        fastgrad.minimize(bad, [0.0, 0.0])


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_schedule_parameters_are_checked(bad):
    with pytest.raises((ValueError, TypeError)):
        fastgrad.StepDecay(1.0, factor=0.5, every=bad)
    with pytest.raises(ValueError, match="lr"):
        fastgrad.Constant(-abs(bad) - 1.0)
