"""pytest-benchmark suite generated from the registry in ``fastgrad.bench.cases``.

Each case becomes one benchmark group (``benchmark.group = case.name``) with
one test for fastgrad and one per reference, so pytest-benchmark prints
fastgrad next to its references, measured in the same run.  Data are the
"full" sizes; Python-loop references run on a subset of the points (the id
says so, e.g. ``scipy_loop[200/2000pts]``) and ``extra_info`` records the
time per point.  Run with::

    python -m pytest benchmarks/bench_differentiation.py --benchmark-enable
"""
import numpy as np
import pytest

from fastgrad.bench.cases import build_cases
from fastgrad.bench.runner import max_error

# minimize cases have their own suite in bench_minimize.py
CASES = [c for c in build_cases() if c.group != "minimize" and not c.name.startswith("first-call/minimize")]
_DATA = {}


def _data(case):
    if case.name not in _DATA:
        _DATA[case.name] = case.setup("full")
    return _DATA[case.name]


def _params():
    for case in CASES:
        for impl in ["fastgrad", *case.references]:
            ref = case.references.get(impl)
            label = impl
            if ref is not None and ref.subset:
                label += f"[subset {ref.subset}pts]"
            yield pytest.param(case, impl, id=f"{case.name}:{label}")


def _truth(case, k):
    """The yardstick for the first ``k`` points: analytic, or the numpy reference."""
    full = _data(case)
    if case.truth is not None:
        truth, error_vs = case.truth(full), "analytic"
    else:
        truth, error_vs = case.references["numpy"].func(full), "numpy"
    truth = np.asarray(truth)
    return (truth[:k] if case.point_keys else truth), error_vs


@pytest.mark.parametrize(("case", "impl"), list(_params()))
def test_bench(benchmark, case, impl):
    data = _data(case)
    n = case.n_points(data)
    k = n
    if impl == "fastgrad":
        func = case.fastgrad
    else:
        ref = case.references[impl]
        func = ref.func
        if ref.subset and ref.subset < n:
            k = ref.subset
            data = case.take(data, k)
    benchmark.group = case.name
    if case.first_call and impl == "fastgrad":
        # every call compiles a fresh function: no warm-up, a few rounds only
        out = benchmark.pedantic(func, args=(data,), rounds=2, iterations=1)
    else:
        func(data)  # warm-up outside the timing: compilation, lazy imports
        out = benchmark(func, data)
    truth, error_vs = _truth(case, k)
    benchmark.extra_info.update({
        "points": n, "points_timed": k, "error_vs": error_vs,
        "max_error": max_error(out, truth),
        "label": "" if impl == "fastgrad" else case.references[impl].label,
    })
