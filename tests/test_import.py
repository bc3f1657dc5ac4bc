"""``import fastgrad`` is lazy: nothing heavy loads until a name is used."""
import subprocess
import sys

import pytest

import fastgrad

HEAVY = ("numba", "sklearn", "scipy", "matplotlib", "dask", "distributed")


def _fresh(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_import_loads_no_heavy_dependency():
    loaded = _fresh("import sys, fastgrad; print(*[m for m in %r if m in sys.modules])" % (HEAVY,))
    assert loaded == []


def test_using_a_derivative_does_not_import_scikit_learn():
    code = ("import sys; from fastgrad import gradient, minimize, critical_points; "
            "print(*[m for m in ('sklearn', 'matplotlib') if m in sys.modules])")
    assert _fresh(code) == []


def test_the_openmp_wait_policy_is_set_before_any_kernel():
    code = "import os, fastgrad; print(os.environ['OMP_WAIT_POLICY'])"
    assert _fresh(code) == ["PASSIVE"]


@pytest.mark.parametrize("name", fastgrad.__all__)
def test_every_public_name_resolves_to_its_subpackage(name):
    value = getattr(fastgrad, name)
    assert value.__module__.startswith("fastgrad.")
    assert name in dir(fastgrad)


def test_subpackages_are_reachable_as_attributes():
    for sub in ("differentiate", "optimize", "calculus", "linear_model", "bench"):
        assert getattr(fastgrad, sub).__name__ == f"fastgrad.{sub}"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'gradients'"):
        fastgrad.gradients  # noqa: B018


def test_star_import_gives_the_public_api():
    namespace = {}
    exec("from fastgrad import *", namespace)
    assert {"gradient", "minimize", "Ridge", "critical_points"} <= set(namespace)


def test_fitting_an_in_memory_estimator_does_not_import_dask():
    code = ("import sys, numpy as np; from fastgrad import LogisticRegression, Ridge; "
            "X = np.random.rand(20, 3); Ridge().fit(X, X[:, 0]); "
            "LogisticRegression().fit(X, X[:, 0] > 0.5); "
            "print(*[m for m in ('dask', 'distributed') if m in sys.modules])")
    assert _fresh(code) == []
