"""pytest-benchmark suite for the linear-model estimators (the "linear-model" rows of ``fastgrad bench``).

Each registry case in the ``linear-model`` group becomes one benchmark group:
fastgrad's ``fit`` next to the plain-numpy version and scikit-learn's
estimator on the same seeded data, measured in the same run; compare the
ratios, not the absolute times. Run with::

    python -m pytest benchmarks/bench_linear_model.py --benchmark-enable

``extra_info["max_abs_diff"]`` is the largest difference between the fitted
parameters (coefficients, then intercept) and fastgrad's.
"""
import numpy as np
import pytest

from fastgrad.bench.cases import build_cases

CASES = [c for c in build_cases() if c.group == "linear-model"]
_DATA = {}
_FASTGRAD_OUT = {}


def _data(case):
    if case.name not in _DATA:
        _DATA[case.name] = case.setup("full")
    return _DATA[case.name]


def _params():
    for case in CASES:
        for impl in ["fastgrad", *case.references]:
            yield pytest.param(case, impl, id=f"{case.name}:{impl}")


@pytest.mark.parametrize(("case", "impl"), list(_params()))
def test_bench_linear_model(benchmark, case, impl):
    data = _data(case)
    func = case.fastgrad if impl == "fastgrad" else case.references[impl].func
    benchmark.group = case.name
    func(data)  # warm-up: lazy imports, BLAS thread start
    out = np.asarray(benchmark(func, data))
    if impl == "fastgrad":
        _FASTGRAD_OUT[case.name] = out
    elif case.name in _FASTGRAD_OUT:
        benchmark.extra_info["max_abs_diff"] = float(np.max(np.abs(out - _FASTGRAD_OUT[case.name])))
    benchmark.extra_info["label"] = "" if impl == "fastgrad" else case.references[impl].label
