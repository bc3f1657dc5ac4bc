"""Benchmark cases of ``fastgrad.dask`` on a local dask.distributed cluster.

* ``dask-logistic-fit`` / ``dask-poisson-fit``: the unpenalised binary
  logistic / Poisson fit on Dask arrays persisted on a 2-worker
  ``LocalCluster`` (processes, one thread each), fastgrad.dask against
  fastgrad's in-memory fit of the same data (the overhead yardstick) and
  the numpy Newton reference, at equal objective.

The cluster is started once per process, on the first setup, and closed
at exit. Registered only when dask and distributed are importable; the
full 2M x 50 comparison (with every dask-ml solver and the scaling table)
is ``benchmarks/dask_fit.py``. dask-ml is not timed here: its fits take
seconds even on the quick data (several dask computations per iteration),
more than ``fastgrad bench --quick`` can spend on one case.
"""
from __future__ import annotations

import atexit

import numpy as np

from .cases_linear import _params
from .naive_glm import logistic_newton, logistic_objective, poisson_newton, poisson_objective

__all__ = ["dask_cases"]

# (n_samples, n_features, chunks) per size
_SIZES = {"full": (400_000, 50, 20), "quick": (40_000, 20, 8), "tiny": (300, 4, 3)}
FIT_TOL = 1e-8
OBJECTIVE_RTOL = 1e-6

_STATE = {}


def _client():
    """One 2-worker LocalCluster per process (closed at exit)."""
    if "client" not in _STATE:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster, set_as_default=False)
        _STATE.update(cluster=cluster, client=client)

        def close():
            client.close()
            cluster.close()

        atexit.register(close)
    return _STATE["client"]


def _setup(kind, seed):
    def setup(size):
        import dask.array as da

        n, p, chunks = _SIZES[size]
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p))
        w = rng.standard_normal(p) / np.sqrt(p)
        if kind == "logistic":
            y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w + 0.5)))).astype(np.float64)
        else:
            y = rng.poisson(np.exp(0.5 * (X @ w) + 0.3)).astype(np.float64)
        client = _client()
        rows = int(np.ceil(n / chunks))
        Xd, yd = client.persist([da.from_array(X, chunks=(rows, p)), da.from_array(y, chunks=rows)])
        return {"X": X, "y": y, "Xd": Xd, "yd": yd, "client": client}
    return setup


def _on_cluster(d, fit):
    with d["client"].as_current():
        return fit()


def dask_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import fastgrad

    problems = {
        "logistic": ("LogisticRegression", {"C": np.inf},
                     lambda d: logistic_newton(d["X"], d["y"], np.inf),
                     lambda d, out: logistic_objective(d["X"], d["y"], np.asarray(out), 0.0)),
        "poisson": ("PoissonRegressor", {"alpha": 0.0},
                    lambda d: poisson_newton(d["X"], d["y"], 0.0),
                    lambda d, out: poisson_objective(d["X"], d["y"], np.asarray(out), 0.0)),
    }
    for seed, (kind, (name, params, newton, objective)) in enumerate(problems.items(), 40):
        def fit_dask(d, name=name, params=params):
            import fastgrad.dask as fd

            return _params(_on_cluster(d, lambda: getattr(fd, name)(tol=FIT_TOL, **params)
                                       .fit(d["Xd"], d["yd"])))

        refs = {
            "numpy": Reference(newton, "numpy damped Newton on the gathered data, to rounding level"),
            "fastgrad_in_memory": Reference(
                (lambda d, name=name, params=params: _params(
                    getattr(fastgrad, name)(tol=FIT_TOL, **params).fit(d["X"], d["y"]))),
                f"fastgrad.{name}(tol={FIT_TOL:g}) on the same data in memory (the overhead yardstick)"),
        }
        n, p, c = _SIZES["full"]
        yield Case(
            f"dask-{kind}-fit/localcluster-2x1", "dask", _setup(kind, seed), fit_dask, refs,
            rtol=1e-5, atol=1e-6, point_keys=(), objective=objective, objective_rtol=OBJECTIVE_RTOL,
            description=f"fastgrad.dask.{name} (unpenalised) on a 2-worker LocalCluster, "
                        f"{n} x {p} float64 in {c} persisted chunks (quick: 40 000 x 20 in 8)",
        )
