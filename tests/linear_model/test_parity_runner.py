"""The parity runner (benchmarks/parity/run_sklearn_tests.py) rebinds the right names.

The runner itself takes minutes and is not run here; these tests check its
source rewriting on small modules, and that a rebound copy of one real
scikit-learn test file imports with fastgrad's classes in place.
"""
import importlib.util
import sys
from pathlib import Path

import pytest

import fastgrad

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "parity" / "run_sklearn_tests.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("fastgrad_parity_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exec(source, tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_names_rebound_before_module_level_use(runner, tmp_path):
    original = tmp_path / "orig.py"
    original.write_text(
        '"""doc"""\nimport numpy as np\nfrom sklearn import linear_model\n'
        "from sklearn.linear_model import Ridge, Lasso, LassoLars\n\n"
        "CLASSES = [Ridge, Lasso, LassoLars]\n"
        "class Sub(linear_model.SGDRegressor):\n    pass\n"
    )
    module = _exec(runner.rebound_source(original), tmp_path, "rebound")
    assert module.CLASSES[0] is fastgrad.Ridge and module.CLASSES[1] is fastgrad.Lasso
    from sklearn.linear_model import LassoLars

    assert module.CLASSES[2] is LassoLars  # not replaced: fastgrad has no LassoLars
    assert issubclass(module.Sub, fastgrad.SGDRegressor)
    assert module.linear_model.LogisticRegression is fastgrad.LogisticRegression
    import sklearn.linear_model

    # the real scikit-learn module is left alone
    assert sklearn.linear_model.Ridge is not fastgrad.Ridge


def test_real_test_file_imports_with_fastgrad_classes(runner, tmp_path, monkeypatch):
    import sklearn

    source = runner.rebound_source(Path(sklearn.__file__).parent / "linear_model" / "tests" / "test_huber.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = _exec(source, tmp_path, "test_huber_rebound")
    assert module.HuberRegressor is fastgrad.HuberRegressor
    sys.modules.pop("test_huber_rebound", None)


def test_unknown_file_is_refused(runner):
    with pytest.raises(SystemExit):
        runner.main(["test_no_such_file.py"])
