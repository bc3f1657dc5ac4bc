"""One loss-and-gradient evaluation of the GLM objectives vs scikit-learn.

Run with::

    python -m pytest benchmarks/bench_glm_objective.py --benchmark-enable -q

or, for a plain interleaved timing table (best of several calls, the two
implementations alternating so that drifting machine load hits both
alike)::

    python benchmarks/bench_glm_objective.py

fastgrad: ``LogisticObjective`` / ``PoissonObjective`` ``py_value_grad``
(one fused pass over X). scikit-learn: ``LinearModelLoss.loss_gradient``
with the matching half loss (``X @ coef``, the pointwise loss, then
``X.T @ gradient``: two passes). Both get ``N_THREADS`` threads (BLAS is
limited to the same number), and each call starts after a pause, as
OpenBLAS keeps its workers spinning for ~0.15 s after a call, which on a
2-core machine would slow whatever runs next. The two gradients are
checked against each other before timing.
"""

import os
import sys
import time

import numpy as np
import pytest
from sklearn._loss.loss import HalfBinomialLoss, HalfPoissonLoss
from sklearn.linear_model._linear_loss import LinearModelLoss
from threadpoolctl import threadpool_limits

from fastgrad.linear_model._solvers_fast import LogisticObjective, PoissonObjective

N_THREADS = int(os.environ.get("FASTGRAD_BENCH_THREADS", min(2, os.cpu_count() or 1)))
N_SAMPLES, N_FEATURES = 200_000, 50
SETTLE_SECONDS = 0.2
LOSSES = {
    # name: (fastgrad objective, scikit-learn half loss)
    "logistic": (LogisticObjective, HalfBinomialLoss),
    "poisson": (PoissonObjective, HalfPoissonLoss),
}


def make_problem(loss, n=N_SAMPLES, p=N_FEATURES, dtype=np.float64):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p)).astype(dtype)
    coef = 0.1 * rng.standard_normal(p + 1)
    eta = X @ coef[:p] + coef[p]
    if loss == "logistic":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(dtype)
    else:
        y = rng.poisson(np.exp(eta)).astype(dtype)
    return X, y, coef


def implementations(loss, X, y):
    """{name: callable(coef) -> (f, grad)} for the two implementations."""
    objective_cls, half_loss = LOSSES[loss]
    l2 = 1.0 / len(y)
    obj = objective_cls(X, y, None, np.zeros(X.shape[1]), l2, True, N_THREADS)
    lml = LinearModelLoss(base_loss=half_loss(), fit_intercept=True)
    return {
        "fastgrad": obj.py_value_grad,
        "sklearn": lambda coef: lml.loss_gradient(
            coef, X, y, l2_reg_strength=l2, n_threads=N_THREADS
        ),
    }


def interleaved(loss, X, y, coef, repeats=15):
    """Best time of each implementation, calls alternating."""
    impls = implementations(loss, X, y)
    g_ours, g_theirs = impls["fastgrad"](coef)[1], impls["sklearn"](coef)[1]
    # scikit-learn keeps float32 data's pointwise gradient and X.T @ it in
    # float32; fastgrad sums in float64
    tol = 1e-8 if X.dtype == np.float64 else 1e-4
    np.testing.assert_allclose(g_ours, g_theirs, rtol=tol, atol=tol * np.abs(g_ours).max())
    best = {name: float("inf") for name in impls}
    for _ in range(repeats):
        for name in ("sklearn", "fastgrad"):
            time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            impls[name](coef)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


@pytest.fixture(scope="module", autouse=True)
def _limit_blas_threads():
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def _settle():
    time.sleep(SETTLE_SECONDS)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("impl", ["fastgrad", "sklearn"])
def test_value_grad(benchmark, loss, impl):
    X, y, coef = make_problem(loss)
    benchmark.group = f"{loss} value_grad {N_SAMPLES}x{N_FEATURES}"
    benchmark.extra_info["n_threads"] = N_THREADS
    benchmark.pedantic(implementations(loss, X, y)[impl], args=(coef,), rounds=30,
                       warmup_rounds=3)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_ratio_interleaved(benchmark, loss):
    X, y, coef = make_problem(loss)
    best = interleaved(loss, X, y, coef)
    benchmark.group = f"{loss} value_grad {N_SAMPLES}x{N_FEATURES}"
    benchmark.extra_info["sklearn_over_fastgrad"] = round(best["sklearn"] / best["fastgrad"], 3)
    benchmark.pedantic(implementations(loss, X, y)["fastgrad"], args=(coef,), rounds=5,
                       warmup_rounds=1)


def main():
    """Print the interleaved table (no pytest-benchmark needed)."""
    print(f"{N_THREADS} threads; best of 15 interleaved calls; {N_SAMPLES}x{N_FEATURES}")
    print(f"{'loss':>9} {'dtype':>8} {'sklearn ms':>11} {'fastgrad ms':>12} {'ratio':>6}")
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        for loss in LOSSES:
            for dtype in (np.float64, np.float32):
                X, y, coef = make_problem(loss, dtype=dtype)
                best = interleaved(loss, X, y, coef)
                print(f"{loss:>9} {np.dtype(dtype).name:>8} {1e3 * best['sklearn']:11.2f} "
                      f"{1e3 * best['fastgrad']:12.2f} "
                      f"{best['sklearn'] / best['fastgrad']:6.2f}")


if __name__ == "__main__":
    sys.exit(main())
