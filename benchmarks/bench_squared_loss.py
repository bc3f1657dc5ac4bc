"""Fused least-squares kernel vs the plain-numpy two-pass version.

Run with::

    python -m pytest benchmarks/bench_squared_loss.py --benchmark-enable -q

Each group holds one problem (dtype, weights); compare the rows inside a
group, which ran in the same process one after the other. The numpy version
uses multi-threaded BLAS and the kernel OpenMP; both get the same number of
threads (``N_THREADS``), and BLAS is limited to it so the two never compete.

After a BLAS call OpenBLAS keeps its worker threads spinning for ~0.15 s;
on a 2-core machine a kernel started in that window shares a core with a
spinner and runs at one-thread speed. Each benchmark therefore starts after
a pause (``_settle``), and the ``interleaved`` test, which alternates numpy
and the kernel call by call (robust to drifting machine load), pauses before
every call; it stores the ratio of the best times in ``extra_info`` (see the
JSON from ``--benchmark-json``).
"""

import importlib.util
import os
import time
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from fastgrad.linear_model._squared_loss import squared_loss_gradient
from fastgrad.linear_model._squared_loss_fast import py_squared_loss, py_squared_loss_gradient


def _load_naive():
    # The reference lives with the tests (tests/naive_losses.py); load it by
    # path so this file runs without tests/ on sys.path.
    path = Path(__file__).resolve().parents[1] / "tests" / "naive_losses.py"
    spec = importlib.util.spec_from_file_location("naive_losses", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.naive_squared_loss_gradient


naive_squared_loss_gradient = _load_naive()

N_SAMPLES, N_FEATURES = 200_000, 50
N_THREADS = int(os.environ.get("FASTGRAD_BENCH_THREADS", min(2, os.cpu_count() or 1)))


SETTLE_SECONDS = 0.3


@pytest.fixture(scope="module", autouse=True)
def _limit_blas_threads():
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def _settle():
    # let the previous test's BLAS / OpenMP worker threads go to sleep
    time.sleep(SETTLE_SECONDS)


@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["f64", "f32"])
def problem(request):
    rng = np.random.default_rng(0)
    dtype = request.param
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)).astype(dtype)
    y = rng.standard_normal(N_SAMPLES).astype(dtype)
    coef = rng.standard_normal(N_FEATURES).astype(dtype)
    sw = rng.uniform(0.5, 1.5, N_SAMPLES).astype(dtype)
    return dtype, coef, X, y, sw


def _group(benchmark, dtype, weighted):
    name = np.dtype(dtype).name
    benchmark.group = f"squared_loss {N_SAMPLES}x{N_FEATURES} {name} " + (
        "weighted" if weighted else "unweighted"
    )


IMPLEMENTATIONS = {
    # name: function(coef, X, y, sw) -> result
    "numpy-two-pass": lambda coef, X, y, sw: naive_squared_loss_gradient(
        coef, X, y, sample_weight=sw
    ),
    "fused": lambda coef, X, y, sw: squared_loss_gradient(
        coef, X, y, sample_weight=sw, n_threads=N_THREADS
    ),
    "fused-hook": lambda coef, X, y, sw: py_squared_loss_gradient(
        X, y, coef, sw, 0.0, 0.0, N_THREADS
    ),
    "fused-1-thread": lambda coef, X, y, sw: py_squared_loss_gradient(
        X, y, coef, sw, 0.0, 0.0, 1
    ),
    "loss-only-hook": lambda coef, X, y, sw: py_squared_loss(
        X, y, coef, sw, 0.0, 0.0, N_THREADS
    ),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("impl", list(IMPLEMENTATIONS), ids=list(IMPLEMENTATIONS))
def test_squared_loss_gradient(benchmark, problem, impl, weighted):
    dtype, coef, X, y, sw = problem
    sw = sw if weighted else None
    _group(benchmark, dtype, weighted)
    benchmark.extra_info["n_threads"] = N_THREADS
    benchmark.extra_info["bytes_X"] = X.nbytes
    benchmark.pedantic(IMPLEMENTATIONS[impl], args=(coef, X, y, sw), rounds=30, warmup_rounds=3)


def test_read_X_once_numpy_sum(benchmark, problem):
    """Memory-bandwidth yardstick: one np.sum pass over X (single-threaded)."""
    dtype, _, X, _, _ = problem
    _group(benchmark, dtype, False)
    benchmark.extra_info["bytes_X"] = X.nbytes
    benchmark.pedantic(np.sum, args=(X,), rounds=30, warmup_rounds=3)


def test_read_X_once_blas_gemv(benchmark, problem):
    """Memory-bandwidth yardstick: X @ coef on N_THREADS BLAS threads."""
    dtype, coef, X, _, _ = problem
    _group(benchmark, dtype, False)
    benchmark.extra_info["bytes_X"] = X.nbytes
    benchmark.pedantic(np.dot, args=(X, coef), rounds=30, warmup_rounds=3)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ratio_interleaved(benchmark, problem, weighted):
    """numpy / fused ratio with the two timed alternately, best of 15 each."""
    dtype, coef, X, y, sw = problem
    sw = sw if weighted else None
    _group(benchmark, dtype, weighted)
    numpy_impl = IMPLEMENTATIONS["numpy-two-pass"]
    fused_impl = IMPLEMENTATIONS["fused"]
    best = {"numpy": float("inf"), "fused": float("inf")}
    for _ in range(15):
        for name, impl in (("numpy", numpy_impl), ("fused", fused_impl)):
            time.sleep(0.2)
            start = time.perf_counter()
            impl(coef, X, y, sw)
            best[name] = min(best[name], time.perf_counter() - start)
    benchmark.extra_info["numpy_over_fused"] = round(best["numpy"] / best["fused"], 3)
    benchmark.extra_info["bytes_X"] = X.nbytes
    benchmark.pedantic(fused_impl, args=(coef, X, y, sw), rounds=5, warmup_rounds=1)
