"""Start-up probe (``fastgrad bench --startup``): first calls in fresh processes.

What a user meets in a new script is the time to ``import fastgrad`` plus the
first call, which includes compiling.  fastgrad compiles its own kernels once
and keeps them in numba's on-disk cache, so that a new process compiles only
the user's function.  The probe shows both sides of that design, each in a
fresh interpreter:

* **cold**: ``NUMBA_CACHE_DIR`` points to an empty folder, so every fastgrad
  kernel compiles, as on the very first run after installing;
* **warm**: a second process with the same cache folder (what every later
  run of a user's script sees).

For each job (gradient, Hessian, ``minimize`` with BFGS and L-BFGS of a 10-d
jitted Rosenbrock, and a gradient of the same function in plain Python, which
never compiles) the child reports the import time, the compile of the user's
function alone (its first plain call) and the first fastgrad call after it.
The ratio cold / warm is measured in the same run; the goals (import
<= 0.3 s, first gradient / Hessian <= 0.5 s, first ``minimize`` <= 1 s,
user compile included) are stated against the warm numbers.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

JOBS = ("gradient", "hessian", "minimize-bfgs", "minimize-lbfgs", "gradient-python")
QUICK_JOBS = ("gradient", "minimize-bfgs", "gradient-python")
#: the goal for the warm first call (user compile included), seconds
GOALS = {"import": 0.3, "gradient": 0.5, "hessian": 0.5, "minimize-bfgs": 1.0, "minimize-lbfgs": 1.0,
         "gradient-python": 0.5}


def startup_child(job: str) -> None:
    """Child side: time the import and the first call of ``job``; print one JSON line."""
    t0 = time.perf_counter()
    import numpy as np

    import fastgrad
    t_import = time.perf_counter() - t0

    def rosen_py(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        return s

    x = np.linspace(-0.5, 0.8, 10)
    t_user = 0.0
    if job.endswith("-python"):
        f = rosen_py
    else:
        import numba  # timed with the user's compile: fastgrad itself does not import it eagerly

        t1 = time.perf_counter()
        f = numba.njit(rosen_py)
        f(x)
        t_user = time.perf_counter() - t1
    t2 = time.perf_counter()
    if job.startswith("gradient"):
        out = fastgrad.gradient(f, x)
    elif job == "hessian":
        out = fastgrad.hessian(f, x)
    else:
        out = fastgrad.minimize(f, x, method=job.split("-")[1]).x
    t_first = time.perf_counter() - t2
    print(json.dumps({"job": job, "import_s": t_import, "user_compile_s": t_user, "first_call_s": t_first,
                      "result": np.asarray(out).ravel().tolist()}))


def _child(job, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    code = f"from fastgrad.bench.startup import startup_child; startup_child({job!r})"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"job": job, "error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    rec["process_s"] = wall
    rec["user_and_first_s"] = rec["user_compile_s"] + rec["first_call_s"]
    return rec


def run_startup(quick: bool = False, *, stream=None) -> dict:
    """Cold and warm fresh-process runs of every job; one progress line per process."""
    import numpy as np

    stream = sys.stderr if stream is None else stream
    jobs = QUICK_JOBS if quick else JOBS
    records = []
    for i, job in enumerate(jobs, 1):
        with tempfile.TemporaryDirectory(prefix="fastgrad-startup-") as cache:
            print(f"[{i}/{len(jobs)}] start-up {job}: cold, then warm ...", file=stream, flush=True)
            cold, warm = _child(job, cache), _child(job, cache)
        rec = {"job": job, "cold": cold, "warm": warm, "goal_s": GOALS[job]}
        if "error" not in cold and "error" not in warm:
            rec["cold_over_warm"] = cold["user_and_first_s"] / max(warm["user_and_first_s"], 1e-9)
            rec["same_result"] = bool(np.allclose(cold["result"], warm["result"], rtol=1e-12, atol=0))
            rec["meets_goal"] = warm["user_and_first_s"] <= GOALS[job]
        records.append(rec)
    imports = [r["warm"]["import_s"] for r in records if "error" not in r["warm"]]
    summary = {"import_median_s": float(np.median(imports)) if imports else None, "import_goal_s": GOALS["import"],
               "failed": sum(("error" in r["cold"]) + ("error" in r["warm"]) for r in records)}
    return {"summary": summary, "jobs": records}


def startup_text(result, fmt_time) -> str:
    """The table ``fastgrad bench --startup`` prints."""
    lines = ["job               cache   import     user f compile   first call   both      goal    cold/warm",
             "----------------  -----   --------   --------------   ----------   -------   -----   ---------"]
    for rec in result["jobs"]:
        for kind in ("cold", "warm"):
            r = rec[kind]
            if "error" in r:
                lines.append(f"{rec['job']:<16}  {kind:<5}   FAILED: {r['error']}")
                continue
            tail = ""
            if kind == "warm" and "cold_over_warm" in rec:
                mark = "" if rec["meets_goal"] else " (goal missed)"
                tail = f"{fmt_time(rec['goal_s']):>7}   {rec['cold_over_warm']:8.1f}x{mark}"
            lines.append(f"{rec['job']:<16}  {kind:<5}   {fmt_time(r['import_s']):>8}   "
                         f"{fmt_time(r['user_compile_s']):>14}   {fmt_time(r['first_call_s']):>10}   "
                         f"{fmt_time(r['user_and_first_s']):>7}   {tail}")
    s = result["summary"]
    if s["import_median_s"] is not None:
        lines += ["", f"import fastgrad (warm processes, median): {fmt_time(s['import_median_s'])} "
                      f"(goal {fmt_time(s['import_goal_s'])})"]
    return "\n".join(lines)
