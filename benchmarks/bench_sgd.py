"""fastgrad's SGDRegressor vs scikit-learn's, same settings, fixed epochs.

Run the pytest-benchmark suite with::

    python -m pytest benchmarks/bench_sgd.py --benchmark-enable -q

or print the interleaved ratio table (best of several runs each, the two
estimators alternating so drifting machine load hits both alike)::

    python benchmarks/bench_sgd.py

Both estimators run ``max_iter=5`` epochs with ``tol=None`` (no early stop)
from the same ``random_state``; fastgrad reproduces scikit-learn's shuffling
order, so the two make the same updates and reach the same final training
loss up to rounding. Both loops are single-threaded; BLAS (used only to
score the fit) is limited to one thread.
"""

import os
import sys
import time

import numpy as np
import pytest
from sklearn.linear_model import SGDRegressor as SkSGD
from threadpoolctl import threadpool_limits

from fastgrad.linear_model._sgd import SGDRegressor

EPOCHS = 5
SHAPES = {"200000x50": (200_000, 50), "1000x10": (1000, 10)}
SETTINGS = {
    "default": {},
    "no_shuffle": {"shuffle": False},
    "l1": {"penalty": "elasticnet"},
    "average": {"average": True},
}
IMPLEMENTATIONS = {"sklearn": SkSGD, "fastgrad": SGDRegressor}


def make_problem(n, p, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(dtype)
    y = (X @ rng.standard_normal(p) + 0.5 * rng.standard_normal(n)).astype(dtype)
    return X, y


def fit(cls, X, y, setting):
    return cls(tol=None, max_iter=EPOCHS, random_state=0, **SETTINGS[setting]).fit(X, y)


def training_loss(est, X, y):
    return 0.5 * float(np.mean((est.predict(X) - y) ** 2))


def interleaved(X, y, setting, repeats):
    """Best fit time of each implementation, alternating, and its final loss."""
    best = dict.fromkeys(IMPLEMENTATIONS, float("inf"))
    loss = {}
    for _ in range(repeats):
        for name, cls in IMPLEMENTATIONS.items():
            start = time.perf_counter()
            est = fit(cls, X, y, setting)
            best[name] = min(best[name], time.perf_counter() - start)
            loss[name] = training_loss(est, X, y)
    return best, loss


# ---------------------------------------------------------------------------
# pytest-benchmark
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module", params=list(SHAPES), ids=list(SHAPES))
def problem(request):
    return request.param, make_problem(*SHAPES[request.param])


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("impl", list(IMPLEMENTATIONS))
def test_fit_fixed_epochs(benchmark, problem, impl, setting):
    shape, (X, y) = problem
    benchmark.group = f"SGDRegressor {shape} {setting} ({EPOCHS} epochs)"
    rounds = 5 if X.shape[0] > 10_000 else 50
    est = benchmark.pedantic(fit, args=(IMPLEMENTATIONS[impl], X, y, setting), rounds=rounds, warmup_rounds=1)
    benchmark.extra_info["final_training_loss"] = training_loss(est, X, y)
    benchmark.extra_info["epochs"] = EPOCHS


@pytest.mark.parametrize("setting", ["default"])
def test_ratio_interleaved(benchmark, problem, setting):
    """sklearn / fastgrad time ratio (best of each, alternating) in extra_info."""
    shape, (X, y) = problem
    benchmark.group = f"SGDRegressor {shape} {setting} ({EPOCHS} epochs)"
    best, loss = interleaved(X, y, setting, repeats=5 if X.shape[0] > 10_000 else 30)
    benchmark.extra_info["sklearn_over_fastgrad"] = round(best["sklearn"] / best["fastgrad"], 3)
    benchmark.extra_info["ms_per_epoch"] = {k: round(v / EPOCHS * 1e3, 3) for k, v in best.items()}
    benchmark.extra_info["final_training_loss"] = loss
    benchmark.pedantic(fit, args=(SGDRegressor, X, y, setting), rounds=3, warmup_rounds=1)


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------

def main(repeats_large=7, repeats_small=50):
    print(f"{EPOCHS} epochs, tol=None, random_state=0; best of N interleaved fits "
          f"(N={repeats_large} large / {repeats_small} small); {os.cpu_count()} cpus")
    print(f"{'shape':>10} {'dtype':>8} {'setting':>11} | {'sk ms/ep':>9} {'fg ms/ep':>9} {'sk/fg':>6} "
          f"| {'sk loss':>10} {'fg loss':>10}")
    for shape, (n, p) in SHAPES.items():
        for dtype in (np.float64, np.float32):
            X, y = make_problem(n, p, dtype)
            for setting in SETTINGS:
                if dtype == np.float32 and setting != "default":
                    continue
                repeats = repeats_large if n > 10_000 else repeats_small
                best, loss = interleaved(X, y, setting, repeats)
                sk, fg = (best[k] / EPOCHS * 1e3 for k in ("sklearn", "fastgrad"))
                print(f"{shape:>10} {np.dtype(dtype).name:>8} {setting:>11} | {sk:9.3f} {fg:9.3f} "
                      f"{sk / fg:6.2f} | {loss['sklearn']:10.6f} {loss['fastgrad']:10.6f}", flush=True)


if __name__ == "__main__":
    with threadpool_limits(limits=1, user_api="blas"):
        main(*(int(a) for a in sys.argv[1:]))
