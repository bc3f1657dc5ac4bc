"""fastgrad's GLM estimators vs scikit-learn's, timed at equal final objective.

Run the pytest-benchmark suite with::

    python -m pytest benchmarks/bench_glm.py --benchmark-enable -q

or print the interleaved ratio table (best of several fits each, the
implementations alternating so drifting machine load hits all alike)::

    python benchmarks/bench_glm.py [repeats_large] [repeats_small]

Every estimator fits the same seeded data with ``tol=1e-8`` and
``max_iter=1000``: fastgrad with ``solver="auto"``, scikit-learn with each
of its solvers (``lbfgs`` and ``newton-cholesky``; ``HuberRegressor`` has
only L-BFGS-B).  Tolerances do not mean the same thing in the two
libraries, so each fit is scored by the objective scikit-learn minimises
(from ``fastgrad.bench.naive_glm``), and a ratio only stands when the
final objectives agree to a relative gap of 1e-10; the table marks any
that do not with ``!``.  Both libraries keep their default thread
settings (BLAS and OpenMP): the fits are multi-threaded on both sides.
"""

import os
import sys
import time

import numpy as np
import pytest
import sklearn.linear_model as sk

import fastgrad
from fastgrad.bench.naive_glm import (
    huber_newton,
    huber_objective,
    logistic_newton,
    logistic_objective,
    poisson_newton,
    poisson_objective,
)

TOL, MAX_ITER = 1e-8, 1000
C, POISSON_ALPHA, HUBER_EPSILON, HUBER_ALPHA = 1.0, 1e-4, 1.35, 1e-4
GAP_RTOL = 1e-10
SHAPES = {"200000x50": (200_000, 50), "1000x10": (1000, 10)}
FIT = {"tol": TOL, "max_iter": MAX_ITER}


def make_problem(model, n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X @ (rng.standard_normal(p) / np.sqrt(p))  # unit variance
    if model == "logistic":
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(eta + 0.5)))).astype(np.float64)
    elif model == "poisson":
        y = rng.poisson(np.exp(0.5 * eta + 0.3)).astype(np.float64)
    else:  # huber: Gaussian noise plus 5% gross outliers
        y = eta + 0.5 + rng.standard_normal(n)
        bad = rng.choice(n, size=max(n // 20, 1), replace=False)
        y[bad] += 10.0 * rng.standard_normal(bad.size)
    return X, y


def _params(est):
    extra = [est.scale_] if hasattr(est, "scale_") else []
    return np.r_[np.ravel(est.coef_), np.ravel(est.intercept_), extra]


# model -> (the objective at np.r_[coef, intercept(, scale)], the numpy
# Newton optimum, {implementation: estimator factory})
MODELS = {
    "logistic": (
        lambda X, y, w: logistic_objective(X, y, w, 1.0 / (C * len(y))),
        lambda X, y: logistic_newton(X, y, C),
        {"fastgrad": lambda: fastgrad.LogisticRegression(C=C, **FIT),
         "sklearn_lbfgs": lambda: sk.LogisticRegression(C=C, solver="lbfgs", **FIT),
         "sklearn_newton_cholesky": lambda: sk.LogisticRegression(C=C, solver="newton-cholesky", **FIT)},
    ),
    "poisson": (
        lambda X, y, w: poisson_objective(X, y, w, POISSON_ALPHA),
        lambda X, y: poisson_newton(X, y, POISSON_ALPHA),
        {"fastgrad": lambda: fastgrad.PoissonRegressor(alpha=POISSON_ALPHA, **FIT),
         "sklearn_lbfgs": lambda: sk.PoissonRegressor(alpha=POISSON_ALPHA, solver="lbfgs", **FIT),
         "sklearn_newton_cholesky": lambda: sk.PoissonRegressor(alpha=POISSON_ALPHA, solver="newton-cholesky",
                                                                **FIT)},
    ),
    "huber": (
        lambda X, y, w: huber_objective(X, y, w, HUBER_EPSILON, HUBER_ALPHA),
        lambda X, y: huber_newton(X, y, HUBER_EPSILON, HUBER_ALPHA),
        {"fastgrad": lambda: fastgrad.HuberRegressor(epsilon=HUBER_EPSILON, alpha=HUBER_ALPHA, **FIT),
         "sklearn_lbfgs": lambda: sk.HuberRegressor(epsilon=HUBER_EPSILON, alpha=HUBER_ALPHA, **FIT)},
    ),
}


def fit(model, impl, X, y):
    return MODELS[model][2][impl]().fit(X, y)


def objective(model, X, y, est):
    return MODELS[model][0](X, y, _params(est))


def relative_gap(f, f_ref):
    return (f - f_ref) / abs(f_ref)


def interleaved(model, X, y, repeats):
    """Best fit time of each implementation, alternating, and its final objective."""
    impls = MODELS[model][2]
    best = dict.fromkeys(impls, float("inf"))
    final = {}
    for _ in range(repeats):
        for impl in impls:
            start = time.perf_counter()
            est = fit(model, impl, X, y)
            best[impl] = min(best[impl], time.perf_counter() - start)
            final[impl] = objective(model, X, y, est)
    return best, final


# ---------------------------------------------------------------------------
# pytest-benchmark
# ---------------------------------------------------------------------------

_PROBLEMS = [(m, s) for m in MODELS for s in SHAPES]


@pytest.fixture(scope="module", params=_PROBLEMS, ids=[f"{m}-{s}" for m, s in _PROBLEMS])
def problem(request):
    """(model, shape, X, y, objective at the numpy Newton optimum)."""
    model, shape = request.param
    X, y = make_problem(model, *SHAPES[shape])
    return model, shape, X, y, MODELS[model][0](X, y, MODELS[model][1](X, y))


@pytest.mark.parametrize("impl", ["fastgrad", "sklearn_lbfgs", "sklearn_newton_cholesky"])
def test_fit(benchmark, problem, impl):
    model, shape, X, y, f_opt = problem
    if impl not in MODELS[model][2]:
        pytest.skip(f"no {impl} for {model}")
    benchmark.group = f"{model} {shape} (tol={TOL:g})"
    rounds = 5 if X.shape[0] > 10_000 else 50
    est = benchmark.pedantic(fit, args=(model, impl, X, y), rounds=rounds, warmup_rounds=1)
    gap = relative_gap(objective(model, X, y, est), f_opt)
    benchmark.extra_info["final_objective"] = objective(model, X, y, est)
    benchmark.extra_info["gap_to_newton_optimum"] = gap
    assert abs(gap) <= GAP_RTOL, f"{impl} stopped {gap:.1e} (relative) above the optimum"


def test_ratio_interleaved(benchmark, problem):
    """sklearn / fastgrad time ratios (best of each, alternating) and objective gaps in extra_info."""
    model, shape, X, y, _ = problem
    benchmark.group = f"{model} {shape} (tol={TOL:g})"
    best, final = interleaved(model, X, y, repeats=5 if X.shape[0] > 10_000 else 30)
    others = [k for k in best if k != "fastgrad"]
    benchmark.extra_info["sklearn_over_fastgrad"] = {k: round(best[k] / best["fastgrad"], 3) for k in others}
    benchmark.extra_info["objective_gap_vs_fastgrad"] = {k: relative_gap(final[k], final["fastgrad"]) for k in others}
    benchmark.pedantic(fit, args=(model, "fastgrad", X, y), rounds=3, warmup_rounds=1)
    for k in others:
        assert abs(relative_gap(final[k], final["fastgrad"])) <= GAP_RTOL, f"{k}: not at equal objective"


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------

def main(repeats_large=5, repeats_small=30):
    print(f"tol={TOL:g}, max_iter={MAX_ITER}; best of N interleaved fits "
          f"(N={repeats_large} large / {repeats_small} small); {os.cpu_count()} cpus")
    print(f"gap = (f_sklearn - f_fastgrad) / |f_fastgrad| of the final objectives; "
          f"'!' marks a ratio not at equal objective (|gap| > {GAP_RTOL:g})")
    print(f"{'model':>8} {'shape':>10} {'sklearn solver':>24} | {'sk ms':>9} {'fg ms':>9} {'sk/fg':>7} "
          f"| {'gap':>9} {'fastgrad objective':>19}")
    for model in MODELS:
        for shape, (n, p) in SHAPES.items():
            X, y = make_problem(model, n, p)
            best, final = interleaved(model, X, y, repeats_large if n > 10_000 else repeats_small)
            fg = best["fastgrad"]
            for impl in best:
                if impl == "fastgrad":
                    continue
                gap = relative_gap(final[impl], final["fastgrad"])
                flag = "!" if not abs(gap) <= GAP_RTOL else " "
                print(f"{model:>8} {shape:>10} {impl[len('sklearn_'):]:>24} | {best[impl] * 1e3:9.2f} "
                      f"{fg * 1e3:9.2f} {best[impl] / fg:6.2f}{flag} | {gap:+9.1e} {final['fastgrad']:19.12g}",
                      flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
