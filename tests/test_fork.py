"""Fork safety: fastgrad calls in fork-started workers after parallel calls in the parent.

Each test runs a fresh interpreter (so the fork really happens after OpenMP
threads were started, whatever the pytest process did before) with a hard
timeout: before the fix, the children hung (Cython kernels) or were
terminated by numba's OpenMP layer.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no fork() on Windows")

_PRELUDE = textwrap.dedent(
    """
    import json, multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    import numba
    import numpy as np
    from fastgrad import gradient, minimize, LogisticRegression, Lasso, PoissonRegressor
    from fastgrad import _threads

    @numba.njit
    def rosen(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
        return s

    rng = np.random.default_rng(0)
    P = rng.normal(size=(3000, 8))           # enough evaluations for the parallel driver
    X = rng.normal(size=(40000, 10))         # enough rows for the threaded Cython passes
    y_bin = (X[:, 0] + 0.5 * rng.normal(size=len(X)) > 0).astype(int)
    y_cnt = rng.poisson(np.exp(0.3 * X[:, 1]))
    y_lin = X @ rng.normal(size=10) + 0.1 * rng.normal(size=len(X))

    def job(kind):
        if kind == "gradient":
            return gradient(rosen, P).tolist()
        if kind == "minimize":
            return minimize(rosen, np.zeros((8, 8)), method="bfgs").x.tolist()
        if kind == "logistic":
            return LogisticRegression(C=0.5).fit(X, y_bin).coef_.tolist()
        if kind == "poisson":
            return PoissonRegressor(alpha=0.1).fit(X, y_cnt).coef_.tolist()
        if kind == "lasso":
            return Lasso(alpha=0.01).fit(X, y_lin).coef_.tolist()
        if kind == "forked":
            return [_threads.in_forked_child()]
        raise ValueError(kind)

    KINDS = ["gradient", "minimize", "logistic", "poisson", "lasso"]
    """
)


def _run(body: str, timeout: float = 420.0) -> dict:
    script = _PRELUDE + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


_PARENT_FIRST = """
    # parallel calls in the parent start numba's and the Cython kernels' OpenMP threads
    expected = {k: job(k) for k in KINDS}
    assert numba.threading_layer() in ("omp", "tbb", "workqueue")
"""


def test_multiprocessing_fork_pool_after_parallel_calls():
    out = _run(_PARENT_FIRST + """
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        got = {k: pool.apply_async(job, (k,)).get(timeout=300) for k in KINDS}
        forked = pool.apply_async(job, ("forked",)).get(timeout=60)
    print(json.dumps({"expected": expected, "got": got, "forked": forked,
                      "parent_forked": _threads.in_forked_child(),
                      "threads": numba.get_num_threads()}))
    """)
    assert out["forked"] == [True] and out["parent_forked"] is False
    # one thread instead of several changes only the order of the float sums
    for kind, value in out["expected"].items():
        np.testing.assert_allclose(out["got"][kind], value, rtol=1e-6, atol=1e-9, err_msg=kind)


def test_process_pool_executor_fork_after_parallel_calls():
    out = _run(_PARENT_FIRST + """
    with ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as ex:
        futures = {k: ex.submit(job, k) for k in KINDS}
        got = {k: f.result(timeout=300) for k, f in futures.items()}
    print(json.dumps({"expected": expected, "got": got}))
    """)
    for kind, value in out["expected"].items():
        np.testing.assert_allclose(out["got"][kind], value, rtol=1e-6, atol=1e-9, err_msg=kind)


def test_forked_child_resolves_one_thread_even_when_asked_for_more():
    out = _run("""
    from fastgrad.linear_model._squared_loss import _resolve_n_threads
    job("logistic")  # threads started in the parent
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        child = pool.apply_async(_resolve_n_threads, (4,)).get(timeout=60)
    print(json.dumps({"parent": _resolve_n_threads(4), "child": child}))
    """)
    assert out == {"parent": 4, "child": 1}
