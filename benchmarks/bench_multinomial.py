"""Fused multinomial loss + gradient vs scikit-learn's ``LinearModelLoss``.

Run with::

    python -m pytest benchmarks/bench_multinomial.py --benchmark-enable -q

or, for the ratio alone (no pytest-benchmark)::

    python benchmarks/bench_multinomial.py [rounds]

One problem: 200000 x 50 float64, K = 3 classes, with intercepts.
scikit-learn's ``loss_gradient`` computes ``X @ W.T`` (BLAS), the pointwise
softmax loss and gradient (its own OpenMP loop) and ``G.T @ X`` (BLAS):
two passes over X. ``MultinomialObjective.py_value_grad`` makes one.
Both get ``N_THREADS`` threads, and BLAS is limited to that many.
scikit-learn's own pointwise loop is also timed on one thread
(``sklearn-1-thread``, BLAS still on ``N_THREADS``): on a busy 2-core machine
that variant is often the faster one, and the ratio is taken against the
better of the two.

A second, serial comparison is steadier on a shared machine: everything on
the calling thread (``sklearn-serial``: BLAS limited to one thread too, vs
``fused-1-thread``), timed by that thread's CPU time (``time.thread_time``),
which does not count the time another process holds the core.

As in ``bench_squared_loss.py``: OpenBLAS keeps its workers spinning for
~0.15 s after a call, so each timed call comes after a pause, and the ratio
is taken from the two timed alternately (robust to drifting machine load).
"""

import os
import sys
import time

import numpy as np
import pytest
from sklearn._loss.loss import HalfMultinomialLoss
from sklearn.linear_model._linear_loss import LinearModelLoss
from threadpoolctl import threadpool_limits

from fastgrad.linear_model._solvers_fast import MultinomialObjective

N_SAMPLES, N_FEATURES, N_CLASSES = 200_000, 50, 3
N_THREADS = int(os.environ.get("FASTGRAD_BENCH_THREADS", min(2, os.cpu_count() or 1)))
L2 = 1e-3
PAUSE_SECONDS = 0.2


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    B = 0.1 * rng.standard_normal((N_CLASSES, N_FEATURES + 1))  # sklearn: (K, p + 1)
    coef = np.r_[B[:, :N_FEATURES].ravel(), B[:, N_FEATURES]]   # ours: W class-major, then c
    return X, y, B, coef


def implementations(X, y, B, coef):
    """name -> zero-argument callable; the first three are the ones compared."""
    loss = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=N_CLASSES), fit_intercept=True)
    y_float = y.astype(np.float64)
    fused = MultinomialObjective(X, y, N_CLASSES, None, None, L2, True, N_THREADS)
    serial = MultinomialObjective(X, y, N_CLASSES, None, None, L2, True, 1)
    return {
        "sklearn": lambda: loss.loss_gradient(B, X, y_float, None, L2, n_threads=N_THREADS),
        "sklearn-1-thread": lambda: loss.loss_gradient(B, X, y_float, None, L2, n_threads=1),
        "fused": lambda: fused.py_value_grad(coef),
        "fused-1-thread": lambda: serial.py_value_grad(coef),
        "value-only": lambda: fused.py_value(coef),
        "sklearn-serial": serial_sklearn(loss, B, X, y_float),
    }


def serial_sklearn(loss, B, X, y_float):
    def run():
        with threadpool_limits(limits=1, user_api="blas"):
            return loss.loss_gradient(B, X, y_float, None, L2, n_threads=1)
    return run


def interleaved_best(impls, names, rounds, clock=time.perf_counter):
    """Best time of each named callable, timed alternately after pauses."""
    best = dict.fromkeys(names, float("inf"))
    for _ in range(rounds):
        for name in names:
            time.sleep(PAUSE_SECONDS)
            start = clock()
            impls[name]()
            best[name] = min(best[name], clock() - start)
    return best


@pytest.fixture(scope="module")
def impls():
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        yield implementations(*make_problem())


@pytest.fixture(autouse=True)
def _settle():
    time.sleep(0.3)


@pytest.mark.parametrize(
    "name",
    ["sklearn", "sklearn-1-thread", "fused", "fused-1-thread", "value-only", "sklearn-serial"],
)
def test_multinomial_loss_gradient(benchmark, impls, name):
    benchmark.group = f"multinomial {N_SAMPLES}x{N_FEATURES} K={N_CLASSES} float64"
    benchmark.extra_info["n_threads"] = N_THREADS
    benchmark.pedantic(impls[name], rounds=20, warmup_rounds=2)


def test_ratio_interleaved(benchmark, impls):
    """(better sklearn) / fused ratio, timed alternately, best of 15 each."""
    benchmark.group = f"multinomial {N_SAMPLES}x{N_FEATURES} K={N_CLASSES} float64"
    best = interleaved_best(impls, ["sklearn", "sklearn-1-thread", "fused"], 15)
    reference = min(best["sklearn"], best["sklearn-1-thread"])
    benchmark.extra_info["sklearn_over_fused"] = round(reference / best["fused"], 3)
    serial = interleaved_best(impls, ["sklearn-serial", "fused-1-thread"], 15, time.thread_time)
    benchmark.extra_info["serial_sklearn_over_fused_cpu"] = round(
        serial["sklearn-serial"] / serial["fused-1-thread"], 3
    )
    benchmark.pedantic(impls["fused"], rounds=5, warmup_rounds=1)


def main(rounds):
    X, y, B, coef = make_problem()
    with threadpool_limits(limits=N_THREADS, user_api="blas"):
        impls = implementations(X, y, B, coef)
        # same numbers first (sklearn's gradient has (K, p + 1) layout)
        f_ours, g_ours = impls["fused"]()
        f_sk, g_sk = impls["sklearn"]()
        assert abs(f_ours - f_sk) <= 1e-12 * abs(f_sk)
        assert np.allclose(g_ours[:N_CLASSES * N_FEATURES], g_sk[:, :N_FEATURES].ravel(),
                           rtol=1e-10, atol=1e-13)
        best = interleaved_best(impls, list(impls), rounds)
        serial = interleaved_best(impls, ["sklearn-serial", "fused-1-thread"], rounds,
                                  time.thread_time)
    print(f"{N_SAMPLES} x {N_FEATURES} float64, K={N_CLASSES}, {N_THREADS} threads, "
          f"best of {rounds} (interleaved, {PAUSE_SECONDS} s pauses)")
    for name, t in best.items():
        print(f"  {name:16s} {t * 1e3:8.2f} ms wall")
    for name, t in serial.items():
        print(f"  {name:16s} {t * 1e3:8.2f} ms CPU (thread_time)")
    reference = min(best["sklearn"], best["sklearn-1-thread"])
    print(f"  better sklearn / fused, wall: {reference / best['fused']:.2f}x")
    print(f"  serial sklearn / fused-1-thread, CPU: "
          f"{serial['sklearn-serial'] / serial['fused-1-thread']:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
