"""fastgrad Lasso / ElasticNet against scikit-learn's coordinate descent.

Run with::

    python -m pytest benchmarks/bench_coordinate_descent.py --benchmark-enable -q

or, for a plain interleaved timing table (best of several runs, the two
estimators alternating so that drifting machine load hits both alike)::

    python benchmarks/bench_coordinate_descent.py

Each group holds one problem; both estimators use the same alpha and the
default tol. Every benchmark also records, in ``extra_info``, the relative
difference between the objective fastgrad reaches and scikit-learn's
(``rel_objective_gap``; the target is |gap| <= 1e-8) and, for the
interleaved test, the ratio of best times (``fastgrad_over_sklearn``).
BLAS gets the same number of threads as the compiled kernels.
"""

import os
import sys
import time

import numpy as np
import pytest
import sklearn.linear_model as sklm
from threadpoolctl import threadpool_limits

from fastgrad.linear_model._coordinate_descent import ElasticNet, Lasso

N_THREADS = int(os.environ.get("FASTGRAD_BENCH_THREADS", min(2, os.cpu_count() or 1)))
SHAPES = [(200_000, 50), (1000, 10)]
ALPHA = 0.1
MODELS = {
    # name: (fastgrad class, scikit-learn class, extra params, l1_ratio)
    "lasso": (Lasso, sklm.Lasso, {}, 1.0),
    "enet": (ElasticNet, sklm.ElasticNet, {"l1_ratio": 0.5}, 0.5),
}
# let the previous fit's BLAS / OpenMP worker threads go to sleep
SETTLE_SECONDS = 0.2


def make_problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-1, 1, p)
    coef = rng.standard_normal(p)
    coef[: p // 3] = 0.0
    y = X @ coef + 1.0 + rng.standard_normal(n)
    return X, y


def objective(est, X, y, l1_ratio):
    """The elastic-net objective of a fitted estimator, from its definition."""
    r = y - X @ est.coef_ - est.intercept_
    w = est.coef_
    return (0.5 * np.mean(r**2) + ALPHA * l1_ratio * np.abs(w).sum()
            + 0.5 * ALPHA * (1 - l1_ratio) * w @ w)


def interleaved(X, y, model, repeats=7):
    """Best times of both fits, alternating, and the objectives they reach."""
    ours, theirs, params, l1_ratio = MODELS[model]
    best = {"fastgrad": float("inf"), "sklearn": float("inf")}
    fitted = {}
    for _ in range(repeats):
        for name, cls in (("sklearn", theirs), ("fastgrad", ours)):
            time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            fitted[name] = cls(alpha=ALPHA, **params).fit(X, y)
            best[name] = min(best[name], time.perf_counter() - start)
    obj = {name: objective(est, X, y, l1_ratio) for name, est in fitted.items()}
    rel_gap = (obj["fastgrad"] - obj["sklearn"]) / abs(obj["sklearn"])
    return best, rel_gap


@pytest.fixture(scope="module", autouse=True)
def _limit_blas_threads():
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        yield


@pytest.fixture(scope="module", params=SHAPES, ids=[f"{n}x{p}" for n, p in SHAPES])
def problem(request):
    return make_problem(*request.param)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("impl", ["fastgrad", "sklearn"])
def test_fit(benchmark, problem, model, impl):
    X, y = problem
    ours, theirs, params, l1_ratio = MODELS[model]
    cls = ours if impl == "fastgrad" else theirs
    benchmark.group = f"{model} {X.shape[0]}x{X.shape[1]}"
    time.sleep(SETTLE_SECONDS)
    est = benchmark.pedantic(
        lambda: cls(alpha=ALPHA, **params).fit(X, y), rounds=10 if X.shape[0] > 10_000 else 50,
        warmup_rounds=1,
    )
    benchmark.extra_info["objective"] = objective(est, X, y, l1_ratio)
    benchmark.extra_info["n_iter"] = int(est.n_iter_)


@pytest.mark.parametrize("model", MODELS)
def test_ratio_interleaved(benchmark, problem, model):
    """fastgrad / scikit-learn time ratio, both timed alternately."""
    X, y = problem
    benchmark.group = f"{model} {X.shape[0]}x{X.shape[1]}"
    best, rel_gap = interleaved(X, y, model)
    benchmark.extra_info["fastgrad_over_sklearn"] = round(best["fastgrad"] / best["sklearn"], 3)
    benchmark.extra_info["rel_objective_gap"] = rel_gap
    assert abs(rel_gap) <= 1e-8  # same accuracy, or the timing means nothing
    ours, _, params, _ = MODELS[model]
    benchmark.pedantic(lambda: ours(alpha=ALPHA, **params).fit(X, y), rounds=3)


def main():
    """Print the interleaved table (no pytest-benchmark needed)."""
    print(f"{N_THREADS} threads; best of 7 interleaved fits; alpha={ALPHA}, default tol")
    print(f"{'problem':>12} {'model':>6} {'sklearn s':>10} {'fastgrad s':>11} "
          f"{'ratio':>6} {'rel obj gap':>12}")
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        for n, p in SHAPES:
            X, y = make_problem(n, p)
            for model in MODELS:
                best, rel_gap = interleaved(X, y, model)
                print(f"{f'{n}x{p}':>12} {model:>6} {best['sklearn']:10.4f} "
                      f"{best['fastgrad']:11.4f} {best['fastgrad'] / best['sklearn']:6.2f} "
                      f"{rel_gap:12.1e}")


if __name__ == "__main__":
    sys.exit(main())
