"""Time the registry's cases and measure their errors.

Every implementation is called once as a warm-up (that time is reported as
``first_call_s``: it includes numba / jax compilation and lazy imports), then
repeatedly until a time budget or a maximum count is reached; the median and
the minimum per call are reported.  fastgrad and its references are measured
in the same process with their calls interleaved, so their ratio is the
number to trust on a noisy machine, not the absolute times.
"""
from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass

import numpy as np

#: (time budget per implementation in seconds, maximum number of timed calls)
BUDGETS = {"quick": (0.2, 200), "full": (1.0, 1000)}
#: Timed cold calls for a ``first_call`` case (each compiles from scratch).
FIRST_CALL_REPEATS = {"quick": 1, "full": 3}


@dataclass
class Timing:
    """Seconds per call: ``median`` and ``min`` of ``repeats`` timed calls, plus the warm-up."""

    median: float
    min: float
    first_call: float | None
    repeats: int

    def as_dict(self, scale=1.0):
        """JSON fields; ``scale`` converts a subset's time to the whole batch's."""
        return {"median_s": self.median * scale, "min_s": self.min * scale,
                "first_call_s": self.first_call, "repeats": self.repeats}


def _timed(func, data):
    t0 = time.perf_counter()
    out = func(data)
    return time.perf_counter() - t0, out


def measure(calls, budget, max_repeats, *, warm_up=True):
    """Time several ``(func, data)`` pairs, interleaved; return ``[(Timing, result)]``.

    After one warm-up call each (timed apart, skipped with ``warm_up=False``
    where every call is a cold one), the calls are made in rounds, one call
    of each unfinished pair per round, so a change in the machine's load
    affects fastgrad and its references alike.  A pair is finished after
    ``budget`` seconds of timed calls or ``max_repeats`` calls, and at least
    one timed call.
    """
    first, results = [], []
    for func, data in calls:
        t, out = _timed(func, data) if warm_up else (None, None)
        first.append(t)
        results.append(out)
    times = [[] for _ in calls]
    while True:
        todo = [i for i, ts in enumerate(times) if not ts or (sum(ts) < budget and len(ts) < max_repeats)]
        if not todo:
            break
        for i in todo:
            t, out = _timed(*calls[i])
            times[i].append(t)
            if results[i] is None:
                results[i] = out
    return [(Timing(float(np.median(ts)), float(np.min(ts)), f, len(ts)), np.asarray(r))
            for ts, f, r in zip(times, first, results)]


def max_error(value, truth):
    """Largest absolute difference, or None when there is nothing to compare with."""
    if truth is None:
        return None
    return float(np.max(np.abs(np.asarray(value) - np.asarray(truth)))) if np.size(truth) else 0.0


def _points_timed(ref, n, subsets):
    """How many of the ``n`` points reference ``ref`` is timed on."""
    return ref.subset if (subsets and ref.subset and ref.subset < n) else n


def _objective_fields(case, data, r, out, f_fg):
    """Add a reference's final objective and its gap to fastgrad's to its record ``r``.

    ``equal_objective`` is None for results not held to it (a yardstick, or a
    reference timed on a subset of the data), else whether the relative gap
    is within the case's ``objective_rtol``.
    """
    whole = r["points_timed"] == r["points"]
    f = float(case.objective(data, out)) if whole else None
    gap = None if f is None else case.objective_gap(f, f_fg)
    r["objective"], r["objective_gap"] = f, gap
    held = whole and case.references[r["name"]].compare
    r["equal_objective"] = bool(abs(gap) <= case.objective_rtol) if held else None


def run_case(case, mode="quick", *, subsets=None):
    """Run one case; return its JSON-ready record.

    ``mode`` is ``"quick"`` or ``"full"`` (data size and time budget).  Loop
    references with a ``subset`` are timed on that many points when
    ``subsets`` is true (default: in quick mode) and their time is scaled to
    the whole batch; the record says so (``points_timed`` < ``points``).
    For a case with an ``objective``, every result's final objective and
    its relative gap to fastgrad's are recorded, and ``equal_objective``
    says whether all compared references are within ``objective_rtol``.
    """
    budget, max_repeats = BUDGETS[mode]
    subsets = (mode == "quick") if subsets is None else subsets
    data = case.setup(mode)
    n = case.n_points(data)
    names = list(case.references)
    points = [_points_timed(case.references[k], n, subsets) for k in names]
    calls = [(case.references[k].func, case.take(data, p) if p < n else data) for k, p in zip(names, points)]
    if case.first_call:
        # every fastgrad call compiles afresh: time cold calls on their own
        ((fg_t, fg_out),) = measure([(case.fastgrad, data)], budget, FIRST_CALL_REPEATS[mode], warm_up=False)
        measured = measure(calls, budget, max_repeats)
    else:
        (fg_t, fg_out), *measured = measure([(case.fastgrad, data), *calls], budget, max_repeats)
    truth = None if case.truth is None else np.asarray(case.truth(data))
    error_vs = "analytic" if truth is not None else "numpy"

    refs = []
    for name, k, (r_t, r_out) in zip(names, points, measured):
        if truth is None and name == "numpy":
            truth = r_out  # no analytic answer: numpy is the yardstick
        scale = n / k  # time for the whole batch, from the time per point
        refs.append({
            "name": name, "label": case.references[name].label, "compare": case.references[name].compare,
            "points": n, "points_timed": k,
            **r_t.as_dict(scale), "median_s_per_point": r_t.median / k,
            "ratio": None if case.first_call else r_t.median * scale / fg_t.median,
            "ratio_of_min": None if case.first_call else r_t.min * scale / fg_t.min,
            "_out": r_out,
        })
    # fit cases: the objective each result reaches (outside the timed calls)
    f_fg = None if case.objective is None else float(case.objective(data, fg_out))
    for r in refs:
        out = r.pop("_out")
        is_yardstick = (case.truth is None and r["name"] == "numpy") or not case.references[r["name"]].compare
        sub = truth[: r["points_timed"]] if (truth is not None and case.point_keys) else truth
        r["max_error"] = None if is_yardstick else max_error(out, sub)
        if f_fg is not None:
            _objective_fields(case, data, r, out, f_fg)
        if case.certificate is not None and not is_yardstick:
            r["certificate"] = float(case.certificate(data, out))

    record = {
        "name": case.name, "group": case.group, "description": case.description, "points": n,
        "error_vs": error_vs,
        "fastgrad": {**fg_t.as_dict(), "median_s_per_point": fg_t.median / n, "max_error": max_error(fg_out, truth)},
        "references": refs,
    }
    if f_fg is not None:
        record["fastgrad"]["objective"] = f_fg
        record["objective_rtol"] = case.objective_rtol
        record["equal_objective"] = all(r["equal_objective"] is not False for r in refs)
    if case.certificate is not None:
        record["fastgrad"]["certificate"] = float(case.certificate(data, fg_out))
        record["certificate_max"] = case.certificate_max
    if "notes" in data:  # what setup chose (e.g. calibrated tolerances)
        record["notes"] = data["notes"]
    if case.first_call and refs:
        record["first_call_over_steady"] = fg_t.median / refs[0]["median_s"]
    return record


def environment():
    """Versions and threading facts that explain the numbers."""
    import os

    import numba
    from threadpoolctl import threadpool_info

    import fastgrad
    from fastgrad import _config

    return {
        "fastgrad": fastgrad.__version__, "numpy": np.__version__, "numba": numba.__version__,
        "python": platform.python_version(), "platform": platform.platform(),
        "machine": platform.machine(), "numba_threads": numba.get_num_threads(),
        "threading_layer": _config.threading_layer(), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "thread_pools": [f"{p['internal_api']} x{p['num_threads']}" for p in threadpool_info()],
    }


def run_all(cases, mode="quick", *, stream=None):
    """Run every case with one progress line per start / finish on ``stream``.

    A case that raises is recorded with its ``error`` and the run goes on.
    ``stream`` defaults to the current ``sys.stderr``.
    """
    stream = sys.stderr if stream is None else stream
    records = []
    total = len(cases)
    for i, case in enumerate(cases, 1):
        print(f"[{i}/{total}] {case.name} ...", file=stream, flush=True)
        t0 = time.perf_counter()
        try:
            rec = run_case(case, mode)
            status = "done"
        except Exception as exc:  # report and continue; the CLI exits non-zero
            rec = {"name": case.name, "group": case.group, "error": f"{type(exc).__name__}: {exc}"}
            status = "FAILED: " + rec["error"]
        print(f"[{i}/{total}] {case.name} {status} ({time.perf_counter() - t0:.1f} s)", file=stream, flush=True)
        records.append(rec)
    return {"mode": mode, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "environment": environment(), "cases": records}


# ------------------------------------------------------------- stall probe
# numba's OpenMP pool can stall for milliseconds when OpenBLAS threads are
# still spinning after a numpy BLAS call (DESIGN.md section 4).  The probe
# runs in fresh processes, because the threading layer is chosen once per
# process, at import time.


def stall_child(calls=100, n=2000, d=10, blas_size=300):
    """Child side of ``fastgrad bench --stalls``: print one JSON line of call times.

    Imports fastgrad like a user script would, defines a jitted Rosenbrock,
    warms up, then times ``calls`` gradient calls on ``(n, d)`` points twice:
    back to back ("quiet") and each right after a ``blas_size`` square matmul
    ("after_blas").
    """
    import json
    import os

    import numba

    import fastgrad
    from fastgrad import _config

    @numba.njit
    def rosen(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        return s

    rng = np.random.default_rng(os.getpid())
    X = rng.uniform(-2.0, 2.0, (n, d))
    A = rng.standard_normal((blas_size, blas_size))
    t0 = time.perf_counter()
    fastgrad.gradient(rosen, X)
    first = time.perf_counter() - t0
    for _ in range(5):
        A @ A
        fastgrad.gradient(rosen, X)

    def timed():
        t = time.perf_counter()
        fastgrad.gradient(rosen, X)
        return time.perf_counter() - t

    quiet = [timed() for _ in range(calls)]
    after_blas = []
    for _ in range(calls):
        A @ A
        after_blas.append(timed())
    print(json.dumps({
        "pid": os.getpid(), "threading_layer": _config.threading_layer(),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"), "numba_threads": numba.get_num_threads(),
        "first_call_s": first, "quiet_s": quiet, "after_blas_s": after_blas,
    }))


def _child_env():
    import os

    env = dict(os.environ)
    # Importing fastgrad here set OMP_WAIT_POLICY=PASSIVE if it was unset; drop
    # that value so each child shows what *its* import does (a user's explicit
    # PASSIVE would be set again by the child's import: same behaviour).
    if env.get("OMP_WAIT_POLICY") == "PASSIVE":
        del env["OMP_WAIT_POLICY"]
    return env


def run_stalls(processes=20, calls=100, *, stream=None):
    """Run :func:`stall_child` in ``processes`` fresh interpreters, one after another.

    One at a time, so that the processes do not compete for the two cores and
    fake stalls.  Returns the per-process records (times in seconds) and a
    summary of the call times measured after a BLAS call.
    """
    import json
    import subprocess

    stream = sys.stderr if stream is None else stream
    code = f"from fastgrad.bench.runner import stall_child; stall_child({int(calls)})"
    env = _child_env()
    records = []
    for i in range(processes):
        print(f"[{i + 1}/{processes}] stall probe process ...", file=stream, flush=True)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900)
        if proc.returncode != 0:
            records.append({"error": proc.stderr.strip().splitlines()[-1:] or ["exit %d" % proc.returncode]})
            continue
        rec = json.loads(proc.stdout.strip().splitlines()[-1])
        for key in ("quiet", "after_blas"):
            t = np.asarray(rec[key + "_s"])
            rec[key] = {"median_s": float(np.median(t)), "max_s": float(t.max()),
                        "max_over_median": float(t.max() / np.median(t))}
        records.append(rec)
    good = [r for r in records if "error" not in r]
    summary = {"processes": processes, "failed": len(records) - len(good)}
    if good:
        allt = np.concatenate([r["after_blas_s"] for r in good])
        quiet = np.concatenate([r["quiet_s"] for r in good])
        summary.update({
            "median_s": float(np.median(allt)), "max_s": float(allt.max()),
            "max_over_median": float(allt.max() / np.median(allt)),
            "quiet_median_s": float(np.median(quiet)),
            "calls_over_2x_median": int(np.sum(allt > 2 * np.median(allt))), "calls": int(allt.size),
            "threading_layers": sorted({r["threading_layer"] for r in good}),
        })
    return {"summary": summary, "processes": records}
