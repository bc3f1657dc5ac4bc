"""Benchmark cases of the differentiation kernels: gradients, Jacobians,
Hessians, Hessian-vector products, derivatives and the squared-loss kernel,
against plain numpy (:mod:`fastgrad.bench.naive`) and scipy / numdifftools /
jax when they are installed."""
from __future__ import annotations

import numba
import numpy as np

import fastgrad

from . import naive
from .case import Case, Reference
from .eval_bound import bare_evaluations

EPS = float(np.finfo(np.float64).eps)
D = 10  # dimension of every Rosenbrock case


@numba.njit
def rosenbrock(x):
    """Rosenbrock function of one point; complex-safe for the complex step."""
    s = 0.0 * x[0]
    for i in range(x.shape[0] - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        s += 100.0 * a * a + b * b
    return s


@numba.njit
def rosenbrock_residuals(x):
    """The ``2 (d - 1)`` residuals whose sum of squares is :func:`rosenbrock`."""
    d = x.shape[0]
    r = np.empty(2 * (d - 1), dtype=x.dtype)
    for i in range(d - 1):
        r[i] = 10.0 * (x[i + 1] - x[i] * x[i])
        r[d - 1 + i] = 1.0 - x[i]
    return r


@numba.njit
def gauss_sine(t):
    """A smooth scalar test function ``exp(-t**2 / 2) sin(3 t)``."""
    return np.exp(-0.5 * t * t) * np.sin(3.0 * t)


def gauss_sine_vec(t):
    return np.exp(-0.5 * t * t) * np.sin(3.0 * t)


def gauss_sine_prime(t):
    return np.exp(-0.5 * t * t) * (3.0 * np.cos(3.0 * t) - t * np.sin(3.0 * t))


def _squared_loss_module():
    try:
        from fastgrad.linear_model import _squared_loss
    except Exception:  # not built yet, or broken: the case is left out
        return None
    return _squared_loss


def steps(X, power):
    """Default steps of DESIGN.md section 3: ``eps**power * max(1, |x|)``, made exact."""
    H = EPS**power * np.maximum(1.0, np.abs(X))
    return (X + H) - X


def _points(n, d, seed, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=(n, d))


def _batch(sizes, seed, with_directions=False):
    """``setup`` for a batch of Rosenbrock points, ``sizes[size]`` of them."""

    def setup(size):
        X = _points(sizes[size], D, seed)
        data = {"X": X}
        if with_directions:
            data["V"] = np.random.default_rng(seed + 1).standard_normal(X.shape)
        return data

    return setup


def _rosen_grad_truth(data):
    return naive.rosenbrock_grad(data["X"])


# ------------------------------------------------------- the implementations
# Each takes the data dict and returns an ndarray.  The numpy references
# compute their steps inside the timed call, as fastgrad does.


def _grad_numpy(data):
    X = data["X"]
    return naive.grad_central(naive.rosenbrock_vec, X, steps(X, 1 / 3))


def _grad_numpy_one(data):
    return _grad_numpy({"X": data["X"][None, :]})[0]


def _grad_forward_numpy(data):
    X = data["X"]
    return naive.grad_forward(naive.rosenbrock_vec, X, steps(X, 1 / 2))


def _grad_complex_numpy(data):
    X = data["X"]
    return naive.grad_complex(naive.rosenbrock_vec, X, 1e-20 * np.maximum(1.0, np.abs(X)))


def _grad_richardson_numpy(data, levels=3):
    # fastgrad's start step (2**-4 max(1, |x|)), halved per level, then Neville.
    X = data["X"]
    H = 2.0**-4 * np.maximum(1.0, np.abs(X))
    D_k = [naive.grad_central(naive.rosenbrock_vec, X, (X + H / 2**k) - X) for k in range(levels)]
    return naive.neville(D_k)


def _grad_scipy_loop(data):
    from scipy.optimize import approx_fprime

    return np.array([approx_fprime(x, rosenbrock) for x in data["X"]])


def _grad_scipy_one(data):
    from scipy.optimize import approx_fprime

    return approx_fprime(data["X"], rosenbrock)


_JAX = {}


def _grad_jax(data):
    # Imported and compiled on first use: the warm-up call (reported apart)
    # pays for it, and building the registry stays cheap.
    if not _JAX:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)  # float64 against float64

        def rosen(x):
            return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

        _JAX["grad"] = jax.jit(jax.vmap(jax.grad(rosen)))
    return np.asarray(_JAX["grad"](data["X"]).block_until_ready())


def _hess_numpy(data):
    X = data["X"]
    return naive.hessian_central(naive.rosenbrock_vec, X, steps(X, 0.25))


def _hess_numdifftools_loop(data):
    import numdifftools as nd

    hess = nd.Hessian(rosenbrock)
    return np.array([hess(x) for x in data["X"]])


def _jac_numpy(data):
    X = data["X"]
    return naive.jacobian_central(naive.rosenbrock_residuals_vec, X, steps(X, 1 / 3))


def _hvp_numpy(data):
    X, V = data["X"], data["V"]
    # displacement along v scaled like fastgrad's: eps**(1/4) max(1, |x|_inf) / |v|_inf
    r = EPS**0.25 * np.maximum(1.0, np.abs(X).max(axis=1)) / np.abs(V).max(axis=1)
    return naive.hvp_central(naive.rosenbrock_vec, X, V, steps(X, 0.25), r)


def _hvp_truth(data):
    return np.einsum("nij,nj->ni", naive.rosenbrock_hess(data["X"]), data["V"])


def _derivative_numpy(data):
    t = data["t"]
    return naive.derivative_central(gauss_sine_vec, t, steps(t, 1 / 3))


def _squared_loss_setup(size):
    n, p = {"full": (200_000, 50), "quick": (20_000, 50), "tiny": (40, 5)}[size]
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n, p))
    coef = rng.standard_normal(p)
    y = X @ coef + 0.1 * rng.standard_normal(n)
    return {"X": X, "y": y, "coef": 0.5 * coef, "intercept": 0.3, "alpha": 0.01}


def _squared_loss_args(data):
    return (data["coef"], data["X"], data["y"]), {"intercept": data["intercept"], "alpha": data["alpha"]}


def _squared_loss_fastgrad(data):
    args, kw = _squared_loss_args(data)
    loss, g, gb = _squared_loss_module().squared_loss_gradient(*args, **kw)
    return np.concatenate([[loss], g, [gb]])


def _squared_loss_numpy(data):
    args, kw = _squared_loss_args(data)
    loss, g, gb = naive.squared_loss_gradient(*args, **kw)
    return np.concatenate([[loss], g, [gb]])


def _read_once(data):
    return data["X"] @ data["coef"]


def _first_call(data):
    # A new dispatcher is a new numba type, so fastgrad's drivers compile
    # again for it: the cost a user pays for every new function passed in.
    return fastgrad.gradient(numba.njit(rosenbrock.py_func), data["X"])


def _bound(kind):
    """The evaluation-bound yardstick of a central ``kind`` stencil (not compared)."""
    count = {"gradient": "2d", "hessian": "d*d + d + 1", "hvp": "4d"}[kind]
    return Reference(lambda d: bare_evaluations(rosenbrock, d["X"], kind),
                     f"the {count} evaluations of f per point alone, same threads (ratio = the fraction of "
                     "this bound fastgrad reaches; goal >= 0.8)", compare=False)


# -------------------------------------------------------------------- registry

_N = {"full": 2000, "quick": 2000, "tiny": 6}
_NUMPY_FD = "numpy central differences, all perturbed copies of all points at once"
# approx_fprime is a forward difference: error ~ sqrt(eps) |f''| (about 1e-4 here)
_SCIPY_TOL = {"rtol": 1e-5, "atol": 1e-3}


def gradient_cases(has_scipy, has_jax):
    refs = {"numpy": Reference(_grad_numpy, _NUMPY_FD), "evaluations": _bound("gradient")}
    if has_scipy:
        refs["scipy_loop"] = Reference(
            _grad_scipy_loop, "scipy.optimize.approx_fprime (forward differences) in a Python loop over the points",
            subset=200, **_SCIPY_TOL)
    if has_jax:
        refs["jax"] = Reference(_grad_jax, "jax.jit(jax.vmap(jax.grad(f))): automatic differentiation")
    yield Case("gradient/central/rosen10/n=2000", "gradient", _batch(_N, 0),
               lambda d: fastgrad.gradient(rosenbrock, d["X"]), refs, _rosen_grad_truth,
               description="central-difference gradients of a jitted Rosenbrock (d=10) at 2000 points")

    sizes = {"full": 500, "quick": 500, "tiny": 4}
    yield Case("gradient/central/rosen100/n=500", "gradient",
               lambda size: {"X": _points(sizes[size], 100, 10)},
               lambda d: fastgrad.gradient(rosenbrock, d["X"]),
               {"numpy": Reference(_grad_numpy, _NUMPY_FD), "evaluations": _bound("gradient")},
               _rosen_grad_truth, rtol=1e-6, atol=1e-4,
               description="central-difference gradients of Rosenbrock at d=100, 500 points")

    # approx_fprime is a forward difference: the like-for-like comparison.
    refs = {"numpy": Reference(_grad_forward_numpy, "numpy forward differences, all perturbed copies at once",
                               **_SCIPY_TOL)}
    if has_scipy:
        refs["scipy_loop"] = Reference(
            _grad_scipy_loop, "scipy.optimize.approx_fprime (forward differences) in a Python loop over the points",
            subset=200, **_SCIPY_TOL)
    yield Case("gradient/forward/rosen10/n=2000", "gradient", _batch(_N, 0),
               lambda d: fastgrad.gradient(rosenbrock, d["X"], method="forward"), refs, _rosen_grad_truth,
               **_SCIPY_TOL, description="forward-difference gradients at 2000 points (the same stencil as scipy's)")

    yield Case("gradient/complex/rosen10/n=2000", "gradient", _batch(_N, 1),
               lambda d: fastgrad.gradient(rosenbrock, d["X"], method="complex"),
               {"numpy": Reference(_grad_complex_numpy, "numpy complex step, all perturbed copies at once")},
               _rosen_grad_truth, rtol=1e-13, atol=1e-12,
               description="complex-step gradients at 2000 points")

    yield Case("gradient/richardson/rosen10/n=2000", "gradient", _batch(_N, 2),
               lambda d: fastgrad.gradient(rosenbrock, d["X"], method="richardson"),
               {"numpy_richardson": Reference(_grad_richardson_numpy, "numpy central differences at 3 halved "
                                              "steps + Neville extrapolation (no error estimate)"),
                "numpy_central_unextrapolated": Reference(_grad_numpy, "numpy central differences, NOT extrapolated "
                                           "(a cheaper, less accurate job)", atol=1e-5)},
               _rosen_grad_truth, rtol=1e-10, atol=1e-9,
               description="Richardson-extrapolated gradients (with error estimates) at 2000 points")

    refs = {"numpy": Reference(_grad_numpy_one, "numpy central differences on a batch of one point")}
    if has_scipy:
        refs["scipy"] = Reference(_grad_scipy_one, "scipy.optimize.approx_fprime (forward differences)",
                                  **_SCIPY_TOL)
    yield Case("gradient/central/rosen10/single-point", "gradient", lambda size: {"X": _points(1, D, 3)[0]},
               lambda d: fastgrad.gradient(rosenbrock, d["X"]), refs,
               lambda d: naive.rosenbrock_grad(d["X"][None, :])[0], point_keys=(),
               description="gradient at one point: per-call overhead (validation, dispatch)")


def second_order_cases(has_nd):
    refs = {"numpy": Reference(_hess_numpy, "numpy 4-point stencil for every (i, j), all points at once"),
            "evaluations": _bound("hessian")}
    if has_nd:
        refs["numdifftools_loop"] = Reference(
            _hess_numdifftools_loop, "numdifftools.Hessian (Richardson-extrapolated) in a Python loop over the points",
            subset=10)
    yield Case("hessian/central/rosen10/n=200", "hessian", _batch({"full": 200, "quick": 200, "tiny": 4}, 4),
               lambda d: fastgrad.hessian(rosenbrock, d["X"]), refs,
               lambda d: naive.rosenbrock_hess(d["X"]), rtol=1e-6, atol=2e-3,
               description="central-difference Hessians at 200 points")

    yield Case("hvp/central/rosen10/n=2000", "hvp", _batch(_N, 6, with_directions=True),
               lambda d: fastgrad.hvp(rosenbrock, d["X"], d["V"]),
               {"numpy": Reference(_hvp_numpy, "numpy central difference of central-difference gradients along v"),
                "evaluations": _bound("hvp")},
               _hvp_truth, rtol=1e-6, atol=5e-3, point_keys=("X", "V"),
               description="Hessian-vector products at 2000 points, one direction per point")


def other_cases():
    yield Case("jacobian/central/rosen-residuals10/n=2000", "jacobian", _batch(_N, 5),
               lambda d: fastgrad.jacobian(rosenbrock_residuals, d["X"]),
               {"numpy": Reference(_jac_numpy, _NUMPY_FD)},
               lambda d: naive.rosenbrock_residuals_jac(d["X"]), rtol=1e-7, atol=1e-8,
               description="Jacobians (18 x 10) of the Rosenbrock residuals at 2000 points")

    sizes = {"full": 100_000, "quick": 100_000, "tiny": 9}
    yield Case("derivative/central/gauss-sine/n=100000", "derivative",
               lambda size: {"t": np.random.default_rng(8).uniform(-3.0, 3.0, sizes[size])},
               lambda d: fastgrad.derivative(gauss_sine, d["t"]),
               {"numpy": Reference(_derivative_numpy, "numpy central difference of the vectorized function")},
               lambda d: gauss_sine_prime(d["t"]), rtol=1e-8, atol=1e-9, point_keys=("t",),
               description="first derivative of a jitted scalar function at 100 000 points")

    if _squared_loss_module() is not None:
        yield Case("squared-loss/fused-gradient/50-features", "squared-loss", _squared_loss_setup,
                   _squared_loss_fastgrad,
                   {"numpy": Reference(_squared_loss_numpy, "numpy two passes: r = X @ w + b - y, then X.T @ r"),
                    "read_X_once": Reference(_read_once, "BLAS X @ v: one read of X at memory bandwidth "
                                             "(ratio >= 0.7 means the fused pass reaches 70% of it)",
                                             compare=False)},
                   None, rtol=1e-10, atol=1e-12, point_keys=("X", "y"),
                   description="least-squares loss + gradient, 200 000 x 50 float64 (quick: 20 000 x 50)")

    yield Case("first-call/gradient/rosen10/n=2000", "first-call", _batch(_N, 9), _first_call,
               {"steady_state": Reference(lambda d: fastgrad.gradient(rosenbrock, d["X"]),
                                          "the same call on an already compiled function")},
               _rosen_grad_truth, first_call=True,
               description="first fastgrad.gradient call on a freshly created numba.njit function (compile latency)")
