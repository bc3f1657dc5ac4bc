"""pytest-benchmark suite for ``fastgrad.minimize`` (the "minimize" rows of ``fastgrad bench``).

Each registry case in the ``minimize`` group (and the minimize first-call
case) becomes one benchmark group with fastgrad next to its references --
scipy.optimize.minimize on the same numpy objective, or the same fixed-step
loop in plain numpy -- measured in the same run; compare the ratios, not
the absolute times.  Run with::

    python -m pytest benchmarks/bench_minimize.py --benchmark-enable

The scipy multi-start loop is timed on a subset of the starts (the id says
so) and ``extra_info["time_per_start_s"]`` scales it.
"""
import numpy as np
import pytest

from fastgrad.bench.cases import build_cases
from fastgrad.bench.runner import max_error

CASES = [c for c in build_cases() if c.group == "minimize" or c.name.startswith("first-call/minimize")]
_DATA = {}


def _data(case):
    if case.name not in _DATA:
        _DATA[case.name] = case.setup("full")
    return _DATA[case.name]


def _params():
    for case in CASES:
        for impl in ["fastgrad", *case.references]:
            ref = case.references.get(impl)
            label = impl + (f"[subset {ref.subset}pts]" if ref is not None and ref.subset else "")
            yield pytest.param(case, impl, id=f"{case.name}:{label}")


@pytest.mark.parametrize(("case", "impl"), list(_params()))
def test_bench_minimize(benchmark, case, impl):
    data = _data(case)
    n = case.n_points(data)
    k = n
    func = case.fastgrad
    if impl != "fastgrad":
        ref = case.references[impl]
        func = ref.func
        if ref.subset and ref.subset < n:
            k = ref.subset
            data = case.take(data, k)
    benchmark.group = case.name
    if case.first_call and impl == "fastgrad":
        out = benchmark.pedantic(func, args=(data,), rounds=2, iterations=1)
    else:
        func(data)  # warm-up: compilation, lazy imports
        out = benchmark(func, data)
    truth = case.truth(data) if case.truth is not None else None
    benchmark.extra_info.update({
        "points": n, "points_timed": k, "max_error": max_error(out, truth),
        "label": "" if impl == "fastgrad" else case.references[impl].label,
    })
    assert np.all(np.isfinite(np.asarray(out)))
