"""Scaling runs for ``fastgrad bench --report``: time against ``n`` and against ``d``.

A :class:`Study` times fastgrad and its references at a sweep of sizes, one
sweep over the number of points / samples ``n`` (``d`` fixed) and one over
the dimension / number of features ``d`` (``n`` fixed), and where a machine
limit applies it measures that limit at every size in the same run:

* evaluation-count limit (gradients, Hessians): a central stencil needs a
  fixed number of evaluations of the user function per point (``2d`` for a
  gradient, ``d*d + d + 1`` for a Hessian), so it cannot be faster than those
  evaluations alone (:func:`fastgrad.bench.eval_bound.bare_evaluations`,
  the same yardstick as the registry cases', timed at every size);
* memory-bandwidth limit (estimators): every pass reads all of ``X``, so a
  fit cannot be faster than (passes) x ``8 n d`` bytes / bandwidth, with the
  bandwidth measured once per run by a BLAS ``X @ v`` on a 64 MiB matrix.

Scaling runs are timed, not compared: the agreement of the results is what
the registry cases (:mod:`fastgrad.bench.cases`) check.  Each size records
the median and the fastest of its timed calls; the plots show the fastest,
which a busy, shared machine disturbs least.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .runner import measure

#: (time budget per implementation and size in seconds, maximum timed calls)
BUDGETS = {"tiny": (0.005, 3), "quick": (0.05, 20), "full": (0.3, 200)}
#: bytes of the matrix the bandwidth probe reads (large against the caches)
BANDWIDTH_BYTES = 64 * 2**20


@dataclass
class Study:
    """One scaling study.

    Parameters
    ----------
    name : str
        Unique; ``--filter`` matches it as it matches case names.
    description : str
        One line for the report.
    sweeps : dict
        ``{"n": sizes, "d": sizes}``, each ``sizes`` a dict mode ->
        list of ``(n, d)``.
    setup : callable
        ``setup(n, d) -> data`` (seeded).
    impls : dict
        Label -> ``func(data)``; the first is fastgrad.
    limit : callable, optional
        ``limit(data, probes) -> seconds``: the machine limit at this size.
    limit_label : str
        What the limit line means.
    """

    name: str
    description: str
    sweeps: dict
    setup: Callable[[int, int], dict]
    impls: dict
    limit: Callable | None = None
    limit_label: str = ""
    units: dict = field(default_factory=lambda: {"n": "points", "d": "dimension"})


# ------------------------------------------------------------------ probes


def memory_bandwidth(repeats=10):
    """Bytes per second of a BLAS ``X @ v`` over a 64 MiB float64 matrix (best of ``repeats``)."""
    n = BANDWIDTH_BYTES // (8 * 64)
    X = np.random.default_rng(0).standard_normal((n, 64))
    v = np.ones(64)
    X @ v  # warm-up: page faults and thread start-up are not bandwidth
    best = min(_timed(lambda: X @ v) for _ in range(repeats))
    return X.nbytes / best


def _timed(func):
    t0 = time.perf_counter()
    func()
    return time.perf_counter() - t0


# ----------------------------------------------------------------- studies


def _rosen_points(n, d):
    return {"X": np.random.default_rng(n * 1000 + d).uniform(-2.0, 2.0, (n, d))}


def _regression(n, d):
    rng = np.random.default_rng(n + 7 * d)
    X = rng.standard_normal((n, d))
    return {"X": X, "y": X @ rng.standard_normal(d) + 0.5 + rng.standard_normal(n)}


def _classification(n, d):
    rng = np.random.default_rng(n + 11 * d)
    X = rng.standard_normal((n, d))
    logits = X @ (rng.standard_normal(d) / np.sqrt(d)) + 0.3
    return {"X": X, "y": (rng.random(n) < 1.0 / (1.0 + np.exp(-2.0 * logits))).astype(np.int64)}


def build_studies():
    """The scaling studies, in run order."""
    import sklearn.linear_model as sk

    import fastgrad

    from . import naive
    from .cases_derivatives import rosenbrock, steps
    from .eval_bound import bare_evaluations

    def fd_limit(kind):
        def limit(data, probes):
            ((timing, _),) = measure([(lambda d: bare_evaluations(rosenbrock, d["X"], kind), data)],
                                     probes["budget"], 50)
            return timing.min  # as the plotted times: the fastest call
        return limit

    def read_limit(passes):
        def limit(data, probes):
            return passes(data) * data["X"].nbytes / probes["bandwidth"]
        return limit

    def logistic_passes(data):
        # each iteration evaluates the loss and gradient at least once: one read of X
        est = fastgrad.LogisticRegression(C=1.0, tol=1e-8).fit(data["X"], data["y"])
        return int(np.max(est.n_iter_)) + 1

    return [
        Study("scaling/gradient/central/rosen",
              "fastgrad.gradient(rosenbrock, X), central differences, d=10 against n and n=2000 against d",
              {"n": {"tiny": [(20, 10), (80, 10)], "quick": [(500, 10), (2000, 10), (8000, 10)],
                     "full": [(500, 10), (1000, 10), (2000, 10), (4000, 10), (8000, 10), (16000, 10)]},
               "d": {"tiny": [(20, 3), (20, 12)], "quick": [(2000, 3), (2000, 10), (2000, 40)],
                     "full": [(2000, 2), (2000, 5), (2000, 10), (2000, 20), (2000, 40), (2000, 80)]}},
              _rosen_points,
              {"fastgrad": lambda d: fastgrad.gradient(rosenbrock, d["X"]),
               "numpy": lambda d: naive.grad_central(naive.rosenbrock_vec, d["X"], steps(d["X"], 1 / 3))},
              fd_limit("gradient"), "evaluation-count limit: the stencil's evaluations of f alone, same threads"),
        Study("scaling/hessian/central/rosen",
              "fastgrad.hessian(rosenbrock, X), central 2-D stencil, d=10 against n and n=100 against d",
              {"n": {"tiny": [(5, 4), (20, 4)], "quick": [(50, 10), (200, 10), (800, 10)],
                     "full": [(50, 10), (100, 10), (200, 10), (400, 10), (800, 10), (1600, 10)]},
               "d": {"tiny": [(5, 3), (5, 8)], "quick": [(100, 3), (100, 10), (100, 30)],
                     "full": [(100, 2), (100, 5), (100, 10), (100, 20), (100, 40)]}},
              _rosen_points,
              {"fastgrad": lambda d: fastgrad.hessian(rosenbrock, d["X"]),
               "numpy": lambda d: naive.hessian_central(naive.rosenbrock_vec, d["X"], steps(d["X"], 0.25))},
              fd_limit("hessian"), "evaluation-count limit: the stencil's evaluations of f alone, same threads"),
        Study("scaling/ridge-fit/auto",
              "Ridge(alpha=1).fit on dense float64 X, d=50 against n and n=20000 against d",
              {"n": {"tiny": [(200, 5), (800, 5)], "quick": [(10_000, 50), (40_000, 50), (160_000, 50)],
                     "full": [(10_000, 50), (30_000, 50), (100_000, 50), (300_000, 50), (1_000_000, 50)]},
               "d": {"tiny": [(200, 3), (200, 12)], "quick": [(20_000, 10), (20_000, 50), (20_000, 200)],
                     "full": [(20_000, 10), (20_000, 20), (20_000, 50), (20_000, 100), (20_000, 200),
                              (20_000, 400)]}},
              _regression,
              {"fastgrad": lambda d: fastgrad.Ridge(alpha=1.0).fit(d["X"], d["y"]).coef_,
               "sklearn": lambda d: sk.Ridge(alpha=1.0).fit(d["X"], d["y"]).coef_},
              read_limit(lambda d: 1), "memory-bandwidth limit: one read of X",
              {"n": "samples", "d": "features"}),
        Study("scaling/logistic-fit/auto",
              "LogisticRegression(C=1, tol=1e-8).fit, binary, d=20 against n and n=10000 against d",
              {"n": {"tiny": [(200, 5), (800, 5)], "quick": [(2000, 20), (10_000, 20), (50_000, 20)],
                     "full": [(2000, 20), (5000, 20), (20_000, 20), (50_000, 20), (200_000, 20)]},
               "d": {"tiny": [(200, 3), (200, 10)], "quick": [(10_000, 5), (10_000, 20), (10_000, 80)],
                     "full": [(10_000, 5), (10_000, 10), (10_000, 20), (10_000, 40), (10_000, 80),
                              (10_000, 160)]}},
              _classification,
              {"fastgrad": lambda d: fastgrad.LogisticRegression(C=1.0, tol=1e-8).fit(d["X"], d["y"]).coef_,
               "sklearn": lambda d: sk.LogisticRegression(C=1.0, tol=1e-8, max_iter=1000).fit(d["X"], d["y"]).coef_},
              read_limit(logistic_passes), "memory-bandwidth limit: (fastgrad's n_iter_ + 1) reads of X",
              {"n": "samples", "d": "features"}),
    ]


def select(studies, pattern):
    """Studies whose name contains ``pattern`` (case-insensitive), as for cases."""
    if not pattern:
        return list(studies)
    return [s for s in studies if pattern.lower() in s.name.lower()]


# ------------------------------------------------------------------ runner


def run_study(study, mode, probes, stream):
    """Time one study's sweeps; return its JSON-ready record."""
    budget, max_repeats = BUDGETS[mode]
    record = {"name": study.name, "description": study.description, "limit_label": study.limit_label,
              "units": study.units, "implementations": list(study.impls), "sweeps": {}}
    for axis, sizes in study.sweeps.items():
        points = []
        for n, d in sizes[mode]:
            print(f"    {study.name}: {axis} sweep at n={n}, d={d}", file=stream, flush=True)
            data = study.setup(n, d)
            timed = measure([(f, data) for f in study.impls.values()], budget, max_repeats)
            point = {"n": n, "d": d, "median_s": {k: t.median for k, (t, _) in zip(study.impls, timed)},
                     "min_s": {k: t.min for k, (t, _) in zip(study.impls, timed)},
                     "first_call_s": {k: t.first_call for k, (t, _) in zip(study.impls, timed)}}
            if study.limit is not None:
                point["limit_s"] = float(study.limit(data, probes))
            points.append(point)
        record["sweeps"][axis] = points
    return record


def run_studies(studies, mode="quick", *, stream=None):
    """Run ``studies`` with a progress line per study and per size; return the JSON-ready result.

    A study that raises is recorded with its ``error`` and the run goes on.
    """
    stream = sys.stderr if stream is None else stream
    budget = BUDGETS[mode][0]
    probes = {"budget": budget, "bandwidth": memory_bandwidth(3 if mode == "tiny" else 10) if studies else None}
    records = []
    for i, study in enumerate(studies, 1):
        print(f"[scaling {i}/{len(studies)}] {study.name} ...", file=stream, flush=True)
        t0 = time.perf_counter()
        try:
            records.append(run_study(study, mode, probes, stream))
            status = "done"
        except Exception as exc:  # report and continue
            records.append({"name": study.name, "error": f"{type(exc).__name__}: {exc}"})
            status = "FAILED: " + records[-1]["error"]
        print(f"[scaling {i}/{len(studies)}] {study.name} {status} ({time.perf_counter() - t0:.1f} s)",
              file=stream, flush=True)
    return {"mode": mode, "memory_bandwidth_bytes_per_s": probes["bandwidth"], "studies": records}
