"""Benchmark cases of ``fastgrad.minimize``."""
from __future__ import annotations

import numba
import numpy as np

import fastgrad

from . import naive
from .case import Case, Reference
from .cases_derivatives import D, _points, rosenbrock

# ------------------------------------------------------ minimize (issue 3)
# fastgrad.minimize with jitted objectives against scipy.optimize.minimize on
# the same numpy objective and start, and the fixed-step loops against the
# same loops written in plain numpy (fastgrad.bench.naive_optim).  Every
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


# ------------------------------------------- bound-constrained minimize (issue 12)
# Projected L-BFGS on a Rosenbrock whose box binds (every third variable
# capped at 0.7, one raised to 1.2), finite-difference gradients on both
# sides, against scipy's L-BFGS-B given the same jitted objective: with its
# default 2-point differences and, like for like, with 3-point (central)
# ones as fastgrad uses; the same projected-gradient tolerance and no
# f-decrease stop.  Starts are chosen from which both reach the same local
# minimum (the bounds create several).  The batched starts of the bounded
# loop share the parallel driver measured by the unbounded multistart cases.

BOX_TOL = 1e-5


def rosen_box(d):
    """The box of the bounded cases: ``(lb, ub)``."""
    lb, ub = np.zeros(d), np.full(d, 2.0)
    ub[::3] = 0.7
    lb[3 * (d // 6) + 1] = 1.2
    return lb, ub


def _box_data(d, seed):
    from scipy.optimize import Bounds, minimize
    lb, ub = rosen_box(d)
    x0 = np.random.default_rng(seed).uniform(0.0, 1.5, d)
    # the answer: scipy's L-BFGS-B with the analytic gradient, run to pgtol 1e-10
    xstar = minimize(_rosen_np, x0, jac=_rosen_grad_np, method="L-BFGS-B", bounds=Bounds(lb, ub),
                     options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 100000}).x
    return {"x0": x0, "lb": lb, "ub": ub, "xstar": xstar}


def _box_fastgrad(d):
    from scipy.optimize import Bounds
    return fastgrad.minimize(rosenbrock, d["x0"], method="lbfgs", bounds=Bounds(d["lb"], d["ub"]), tol=BOX_TOL,
                             history=False).x


def _box_scipy(jac):
    def run(d):
        from scipy.optimize import Bounds, minimize
        return minimize(rosenbrock, d["x0"], method="L-BFGS-B", jac=jac, bounds=Bounds(d["lb"], d["ub"]),
                        options={"gtol": BOX_TOL, "ftol": 0.0, "maxiter": 100000, "maxfun": 10**8}).x
    return run


def _box_objective(d, out):
    return float(rosenbrock(np.asarray(out, dtype=np.float64)))


def bounded_cases():
    refs = {
        "numpy_scipy_2point": Reference(_box_scipy(None), "scipy L-BFGS-B, its default 2-point finite "
                                        "differences, same jitted objective, start, box and pgtol", atol=1e-4),
        "numpy_scipy_3point": Reference(_box_scipy("3-point"), "scipy L-BFGS-B with jac='3-point' (central "
                                        "differences, as fastgrad), same objective, start, box and pgtol"),
    }
    for d, seed in ((10, 1), (50, 1)):
        yield Case(f"minimize/lbfgs-bounds/rosen{d}/fd-grad", "minimize",
                   lambda size, d=d, seed=seed: _box_data(d, seed), _box_fastgrad, refs,
                   lambda data: data["xstar"], rtol=0.0, atol=1e-5, point_keys=(),
                   objective=_box_objective, objective_rtol=1e-6,
                   description=f"projected L-BFGS, Rosenbrock d={d} in a binding box, central-difference gradients, "
                               f"pgtol {BOX_TOL:g} (whole loop compiled)")


def minimize_cases(has_scipy):
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
    if has_scipy:
        yield from bounded_cases()
    yield Case("first-call/minimize/bfgs/rosen10", "first-call", one_start, _minimize_first_call,
               {"steady_state": Reference(_minimize_one("bfgs"), "the same call with already compiled functions")},
               ones, rtol=0.0, atol=1e-6, point_keys=(), first_call=True,
               description="first fastgrad.minimize(method='bfgs') call on fresh numba.njit functions (compile latency)")
