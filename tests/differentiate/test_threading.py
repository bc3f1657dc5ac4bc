"""Threading configuration: layer choice, user overrides, BLAS limits, thread safety.

Stall timings are measured by ``fastgrad bench --stalls`` (20 fresh
processes), not here: tests never assert on time.
"""
import os
import subprocess
import sys
import textwrap
import threading

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info

import fastgrad
from fastgrad import _config

CHILD = textwrap.dedent("""
    import json, os, numba, numpy as np, fastgrad
    from fastgrad import _config
    @numba.njit
    def f(x):
        return np.sum(x * x)
    X = np.random.default_rng(0).standard_normal((4000, 4))
    g = fastgrad.gradient(f, X)  # large enough for the parallel kernel
    print(json.dumps({"layer": numba.threading_layer(), "wait": os.environ.get("OMP_WAIT_POLICY"),
                      "ok": bool(np.allclose(g, 2 * X, rtol=1e-8))}))
""")


def _child(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_THREADING_LAYER", "OMP_WAIT_POLICY")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
def test_fresh_processes_use_omp_with_passive_wait():
    for _ in range(3):
        info = _child({})
        assert info == {"layer": "omp", "wait": "PASSIVE", "ok": True}


def test_user_choices_win():
    info = _child({"NUMBA_THREADING_LAYER": "workqueue", "OMP_WAIT_POLICY": "ACTIVE"})
    assert info == {"layer": "workqueue", "wait": "ACTIVE", "ok": True}


def test_blas_is_single_threaded_inside_parallel_kernels():
    blas = [m for m in threadpool_info() if m["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library loaded")
    with _config.blas_single_threaded():
        assert all(m["num_threads"] == 1 for m in threadpool_info() if m["user_api"] == "blas")
    assert [m["num_threads"] for m in threadpool_info() if m["user_api"] == "blas"] == [m["num_threads"] for m in blas]


@numba.njit
def _quartic(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** 4
    return s


def test_concurrent_calls_from_python_threads(monkeypatch):
    monkeypatch.setattr(_config, "PARALLEL_MIN_EVALS", 0)  # force the parallel kernel
    X = np.random.default_rng(1).standard_normal((500, 5))
    expected = fastgrad.gradient(_quartic, X)
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(fastgrad.gradient(_quartic, X))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 20
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_threading_layer_helper_reports_the_layer():
    assert _config.threading_layer() == numba.threading_layer()
