"""``fastgrad bench --startup``: fresh processes, a cold then a warm cache."""
import numpy as np
import pytest

from fastgrad.bench import startup
from fastgrad.cli import fmt_time, main


def _rosen_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def test_children_report_times_and_the_right_gradient(tmp_path):
    x = np.linspace(-0.5, 0.8, 10)
    expected = _rosen_grad(x)
    cold = startup._child("gradient", str(tmp_path))
    warm = startup._child("gradient", str(tmp_path))
    for rec in (cold, warm):
        assert "error" not in rec, rec
        assert rec["import_s"] > 0 and rec["user_compile_s"] > 0 and rec["first_call_s"] > 0
        np.testing.assert_allclose(rec["result"], expected, rtol=1e-7)
    assert cold["result"] == warm["result"]  # cached kernels compute the same bits
    # the cold child filled the cache folder with fastgrad's compiled kernels
    assert any(p.suffix == ".nbi" for p in tmp_path.rglob("*"))


def test_plain_python_functions_compile_nothing(tmp_path):
    rec = startup._child("gradient-python", str(tmp_path))
    assert "error" not in rec, rec
    assert rec["user_compile_s"] == 0.0
    assert not any(tmp_path.rglob("*.nbi"))  # no kernel was compiled, so none was cached


def test_text_marks_missed_goals():
    rec = {"import_s": 0.2, "user_compile_s": 0.5, "first_call_s": 0.1, "user_and_first_s": 0.6}
    result = {"jobs": [{"job": "gradient", "cold": dict(rec, first_call_s=2.0, user_and_first_s=2.5),
                        "warm": rec, "goal_s": 0.5, "cold_over_warm": 2.5 / 0.6, "meets_goal": False}],
              "summary": {"import_median_s": 0.2, "import_goal_s": 0.3, "failed": 0}}
    text = startup.startup_text(result, fmt_time)
    assert "goal missed" in text and "4.2x" in text


def test_startup_and_stalls_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "--startup", "--stalls"])
    assert "one at a time" in capsys.readouterr().err
