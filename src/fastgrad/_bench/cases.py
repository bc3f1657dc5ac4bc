"""The benchmark registry: one list of cases drives ``fastgrad bench``, the
pytest-benchmark suite (``benchmarks/``) and ``tests/test_bench.py``.

A :class:`Case` is one job (e.g. "central gradients of Rosenbrock at 2000
points") done by fastgrad and by one or more references that do the same job
another way: the plain numpy version from :mod:`fastgrad._bench.naive`
always, and scipy / numdifftools / jax when they are installed (missing ones
are left out silently).

Data sizes come in three flavours, chosen by the ``size`` argument of
``Case.setup``: ``"full"`` (the sizes the targets are stated for),
``"quick"`` (``fastgrad bench --quick``; same sizes except the squared-loss
data, but slow Python-loop references are timed on a subset of the points)
and ``"tiny"`` (a handful of points, for the tests).  All data is seeded.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Callable

import numba
import numpy as np

import fastgrad

from . import naive
from .cases_glm import glm_cases
from .cases_linear import linear_model_cases
from .cases_sparse_ridge import sparse_ridge_cases
from .cases_sparse_cd import sparse_cd_cases
from .cases_sparse_sgd import sparse_sgd_cases
from .cases_sparse_glm import sparse_glm_cases

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


@dataclass
class Reference:
    """Another implementation of a case's job.

    Parameters
    ----------
    func : callable
        ``func(data) -> ndarray``, the same quantity as the case's ``fastgrad``.
    label : str
        What it is, shown in ``--list`` and stored in the JSON report.
    subset : int, optional
        For a Python loop over the points: in quick mode and in the
        pytest-benchmark suite it is timed on only this many points and its
        time is scaled to the whole batch (time per point x points).
    rtol, atol : float, optional
        How closely fastgrad must agree with this reference in the tests
        (default: the case's tolerances).
    compare : bool
        False for a yardstick that does a different job at a comparable
        cost (e.g. one read of X for memory bandwidth): timed, not compared.
    """

    func: Callable
    label: str = ""
    subset: int | None = None
    rtol: float | None = None
    atol: float | None = None
    compare: bool = True


@dataclass
class Case:
    """One benchmarked job: fastgrad versus its references.

    Parameters
    ----------
    name : str
        Unique, readable, stable across sizes (``--filter`` matches it).
    group : str
        The kind of job ("gradient", "hessian", ...).
    setup : callable
        ``setup(size) -> dict`` with ``size`` in ``{"full", "quick", "tiny"}``.
    fastgrad : callable
        ``fastgrad(data) -> ndarray``.
    references : dict
        Name -> :class:`Reference` (a bare callable is wrapped in one).
    truth : callable, optional
        ``truth(data) -> ndarray``, the analytic answer errors are measured
        against.  Without it, errors are measured against the ``"numpy"``
        reference.
    rtol, atol : float
        Tolerance of fastgrad's result against ``truth`` (tests).
    point_keys : tuple of str
        Entries of ``data`` whose first axis runs over the points (they are
        sliced when a reference runs on a subset); empty for cases that are
        not batches.
    first_call : bool
        Time the first (compiling) call: every timed call of ``fastgrad``
        builds a fresh jitted function, and the references give the
        steady-state time for comparison.
    description : str
        One line for ``--list`` and the JSON report.
    objective : callable, optional
        ``objective(data, out) -> float``, the value a fit case minimises, at
        any implementation's result ``out``.  With it, the runner records
        every result's objective and its relative gap to fastgrad's, and
        the speed-ups only count when every compared reference is within
        ``objective_rtol`` of fastgrad (equal final objective).
    objective_rtol : float
        Largest accepted ``|f_ref - f_fastgrad| / |f_fastgrad|``.
    """

    name: str
    group: str
    setup: Callable[[str], dict]
    fastgrad: Callable[[dict], np.ndarray]
    references: dict = field(default_factory=dict)
    truth: Callable | None = None
    rtol: float = 1e-7
    atol: float = 1e-6
    point_keys: tuple = ("X",)
    first_call: bool = False
    description: str = ""
    objective: Callable | None = None
    objective_rtol: float = 1e-10

    def __post_init__(self):
        self.references = {
            k: r if isinstance(r, Reference) else Reference(r) for k, r in self.references.items()
        }

    def n_points(self, data: dict) -> int:
        """Number of points in the batch (1 for non-batch cases)."""
        return len(data[self.point_keys[0]]) if self.point_keys else 1

    def take(self, data: dict, k: int) -> dict:
        """The data restricted to the first ``k`` points."""
        return {key: (v[:k] if key in self.point_keys else v) for key, v in data.items()}

    def tolerance(self, ref_name: str) -> tuple[float, float]:
        """``(rtol, atol)`` for fastgrad against reference ``ref_name``."""
        ref = self.references[ref_name]
        return (self.rtol if ref.rtol is None else ref.rtol, self.atol if ref.atol is None else ref.atol)

    @staticmethod
    def objective_gap(f_ref: float, f_fastgrad: float) -> float:
        """``(f_ref - f_fastgrad) / |f_fastgrad|``: positive when the reference ended higher."""
        return (f_ref - f_fastgrad) / max(abs(f_fastgrad), np.finfo(np.float64).tiny)


# --------------------------------------------------------------------- helpers


def available(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _squared_loss_module():
    try:
        from fastgrad import _squared_loss
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


# -------------------------------------------------------------------- registry

_N = {"full": 2000, "quick": 2000, "tiny": 6}
_NUMPY_FD = "numpy central differences, all perturbed copies of all points at once"
# approx_fprime is a forward difference: error ~ sqrt(eps) |f''| (about 1e-4 here)
_SCIPY_TOL = {"rtol": 1e-5, "atol": 1e-3}


def _gradient_cases(has_scipy, has_jax):
    refs = {"numpy": Reference(_grad_numpy, _NUMPY_FD)}
    if has_scipy:
        refs["scipy_loop"] = Reference(
            _grad_scipy_loop, "scipy.optimize.approx_fprime (forward differences) in a Python loop over the points",
            subset=200, **_SCIPY_TOL)
    if has_jax:
        refs["jax"] = Reference(_grad_jax, "jax.jit(jax.vmap(jax.grad(f))): automatic differentiation")
    yield Case("gradient/central/rosen10/n=2000", "gradient", _batch(_N, 0),
               lambda d: fastgrad.gradient(rosenbrock, d["X"]), refs, _rosen_grad_truth,
               description="central-difference gradients of a jitted Rosenbrock (d=10) at 2000 points")

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


def _second_order_cases(has_nd):
    refs = {"numpy": Reference(_hess_numpy, "numpy 4-point stencil for every (i, j), all points at once")}
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
               {"numpy": Reference(_hvp_numpy, "numpy central difference of central-difference gradients along v")},
               _hvp_truth, rtol=1e-6, atol=5e-3, point_keys=("X", "V"),
               description="Hessian-vector products at 2000 points, one direction per point")


def _other_cases():
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


def build_cases() -> list[Case]:
    """All cases whose dependencies are importable, in run order."""
    has_scipy, has_nd, has_jax = available("scipy"), available("numdifftools"), available("jax")
    return [*_gradient_cases(has_scipy, has_jax), *_second_order_cases(has_nd), *_other_cases(),
            *_minimize_cases(has_scipy), *linear_model_cases(Case, Reference), *glm_cases(Case, Reference),
            *sparse_ridge_cases(Case, Reference), *sparse_cd_cases(Case, Reference),
            *sparse_sgd_cases(Case, Reference), *sparse_glm_cases(Case, Reference)]


def select(cases: list[Case], pattern: str | None) -> list[Case]:
    """Cases whose name contains ``pattern`` (case-insensitive)."""
    if not pattern:
        return list(cases)
    return [c for c in cases if pattern.lower() in c.name.lower()]


# ------------------------------------------------------ minimize (issue 3)
# fastgrad.minimize with jitted objectives against scipy.optimize.minimize on
# the same numpy objective and start, and the fixed-step loops against the
# same loops written in plain numpy (fastgrad._bench.naive_optim).  Every
# job runs to the same gradient tolerance (or iteration count), so the
# ratios compare whole minimisations doing the same work.

MIN_TOL = 1e-8
GD_ITERS = 2000
GD_LR = 1e-4


@numba.njit
def rosenbrock_grad_point(x):
    """Analytic gradient of :func:`rosenbrock` at one point."""
    d = x.shape[0]
    g = np.zeros(d)
    for i in range(d - 1):
        a = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * a
    return g


def _rosen_np(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def _rosen_grad_np(x):
    return naive.rosenbrock_grad(x[None, :])[0]


def _scipy_options(method):
    # L-BFGS-B also stops on a small relative decrease of f; switch that off
    # so that both stop on the gradient tolerance alone
    return {"gtol": MIN_TOL, "ftol": 0.0} if method == "L-BFGS-B" else {"gtol": MIN_TOL}


def _minimize_one(method):
    return lambda d: fastgrad.minimize(rosenbrock, d["x0"], method=method, jac=rosenbrock_grad_point,
                                       tol=MIN_TOL).x


def _minimize_many(method):
    return lambda d: fastgrad.minimize(rosenbrock, d["X"], method=method, jac=rosenbrock_grad_point,
                                       tol=MIN_TOL, history=False).x


def _scipy_one(method):
    def ref(d):
        from scipy.optimize import minimize
        return minimize(_rosen_np, d["x0"], jac=_rosen_grad_np, method=method, options=_scipy_options(method)).x
    return ref


def _scipy_many(method):
    def ref(d):
        from scipy.optimize import minimize
        return np.array([minimize(_rosen_np, x, jac=_rosen_grad_np, method=method,
                                  options=_scipy_options(method)).x for x in d["X"]])
    return ref


def _fixed_step_fastgrad(method):
    return lambda d: fastgrad.minimize(rosenbrock, d["x0"], method=method, jac=rosenbrock_grad_point,
                                       learning_rate=GD_LR, max_iter=d["iters"], tol=0.0).x


def _fixed_step_numpy(method):
    from . import naive_optim
    return lambda d: naive_optim.LOOPS[method](_rosen_np, _rosen_grad_np, d["x0"], GD_LR, d["iters"])[0]


def _minimize_first_call(d):
    # fresh dispatchers: the loop, adapters and line search compile for them
    return fastgrad.minimize(numba.njit(rosenbrock.py_func), d["x0"], method="bfgs",
                             jac=numba.njit(rosenbrock_grad_point.py_func), tol=MIN_TOL).x


def _minimize_cases(has_scipy):
    def one_start(size):
        return {"x0": _points(1, D, 21, -1.5, 1.5)[0]}

    def starts(size):
        # a box whose starts (nearly) all lead to the global minimum; the few
        # that end in the local one near (-1, 1, ..., 1) do so for scipy too
        return {"X": _points({"full": 1000, "quick": 1000, "tiny": 4}[size], D, 22, 0.25, 1.75)}

    ones = lambda d: np.ones(D)  # noqa: E731
    if has_scipy:
        for method, sname in (("bfgs", "BFGS"), ("lbfgs", "L-BFGS-B")):
            yield Case(f"minimize/{method}/rosen10/jitted+analytic-grad", "minimize", one_start,
                       _minimize_one(method),
                       {"numpy_scipy": Reference(_scipy_one(sname), f"scipy.optimize.minimize(method='{sname}') "
                                                 "on the numpy objective and gradient, same start and gtol")},
                       ones, rtol=0.0, atol=1e-6, point_keys=(),
                       description=f"one {method} minimisation of Rosenbrock d=10 to gtol 1e-8 (whole loop compiled)")
            yield Case(f"minimize/{method}/rosen10/multistart=1000", "minimize", starts, _minimize_many(method),
                       {"numpy_scipy_loop": Reference(_scipy_many(sname), f"scipy.optimize.minimize(method="
                                                      f"'{sname}') in a Python loop over the starts", subset=20)},
                       None, rtol=0.0, atol=1e-6,
                       description=f"{method} from 1000 starts in one call (parallel over starts)")
    for method in ("gd", "momentum", "nesterov"):
        yield Case(f"minimize/{method}/rosen10/iters={GD_ITERS}", "minimize",
                   lambda size: {"x0": np.full(D, 0.5), "iters": {"tiny": 50}.get(size, GD_ITERS)},
                   _fixed_step_fastgrad(method),
                   {"numpy": Reference(_fixed_step_numpy(method), f"the same {method} loop in plain numpy "
                                       "(f, gradient, norm test, history per iteration)")},
                   None, rtol=1e-12, atol=1e-14, point_keys=(),
                   description=f"{GD_ITERS} {method} iterations on Rosenbrock d=10 (same iterates as numpy)")
    yield Case("first-call/minimize/bfgs/rosen10", "first-call", one_start, _minimize_first_call,
               {"steady_state": Reference(_minimize_one("bfgs"), "the same call with already compiled functions")},
               ones, rtol=0.0, atol=1e-6, point_keys=(), first_call=True,
               description="first fastgrad.minimize(method='bfgs') call on fresh numba.njit functions (compile latency)")
