"""examples/gd_behaviour.py: the regimes, schedules, batch sizes and critical points it shows.

The numbers behind the figure are checked against closed forms (GD on a
diagonal quadratic multiplies each coordinate by ``1 - lr * s`` per step; the
critical points of ``x^3 - 3x + y^3 - 3y`` are ``(+-1, +-1)`` with Hessian
``diag(6x, 6y)``).  The script is loaded by path and run once, small.
"""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "gd_behaviour.py"
MAX_ITER, EPOCHS = 200, 8


@pytest.fixture(scope="module")
def gdb():
    spec = importlib.util.spec_from_file_location("gd_behaviour", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(gdb, tmp_path_factory):
    out = tmp_path_factory.mktemp("gd_behaviour")
    results = gdb.main(["--max-iter", str(MAX_ITER), "--epochs", str(EPOCHS), "--n-samples", "300",
                        "--out", str(out)])
    return results, out


def test_files(run):
    results, out = run
    png = out / "gd_behaviour.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    saved = json.loads((out / "results.json").read_text())
    assert set(saved) == set(results) == {"quadratic", "logistic", "schedules", "batches", "critical_points"}


def test_quadratic_iterates_match_the_closed_form(run, gdb):
    quad = run[0]["quadratic"]
    x0 = np.array(quad["right"]["path"][0])
    for name in ("too small", "right", "oscillating"):
        r = quad[name]
        path = np.array(r["path"])
        t = np.arange(len(path))[:, None]
        expected = (1.0 - r["lr"] * gdb.CURVATURE) ** t * x0
        np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-300, err_msg=name)


def test_quadratic_regimes(run):
    quad = run[0]["quadratic"]
    f0 = quad["right"]["curve"][0]
    assert quad["right"]["success"] and quad["right"]["nit"] < MAX_ITER
    assert not quad["too small"]["success"] and quad["too small"]["fun"] > 1e-3  # budget ran out
    osc = quad["oscillating"]
    assert osc["sign_flips"] == 1.0 and quad["right"]["sign_flips"] == quad["too small"]["sign_flips"] == 0.0
    assert quad["right"]["fun"] < osc["fun"] < f0  # shrinking, but slower than at 1/L
    div = quad["divergent"]
    assert not div["success"] and div["nit"] < MAX_ITER and div["fun"] > 1e6 * f0
    assert div["message"] and div["message"] != quad["too small"]["message"]


def test_logistic_regimes(run):
    log = run[0]["logistic"]
    # diverged: the fit raised a FloatingPointError (fastgrad's DivergenceError) with advice
    assert log["divergent"]["diverged"] and "learning_rate" in log["divergent"]["message"]
    assert not any(log[k]["diverged"] for k in ("too small", "right", "oscillating"))
    assert log["right"]["gap"] < 1e-6 and log["too small"]["gap"] > 1e-2
    assert log["right"]["increases"] == 0 and log["oscillating"]["increases"] > 10
    assert log["oscillating"]["gap"] > 1e3 * log["right"]["gap"]


def test_schedules_rescue_a_divergent_start(run):
    sch = run[0]["schedules"]
    f0 = sch["Constant"]["curve"][0]
    assert not sch["Constant"]["success"] and sch["Constant"]["fun"] > 1e6 * f0
    for name in ("InverseScaling", "ExponentialDecay", "StepDecay", "Cosine"):
        assert sch[name]["fun"] < 1e-2 * f0, name
    assert sch["ExponentialDecay"]["fun"] < 1e-6 * f0


def test_equal_epochs(run):
    b = run[0]["batches"]
    assert set(b) == {"batch GD", "mini-batch SGD (32)", "SGD (1)", "momentum", "nesterov"}
    for name, r in b.items():
        assert len(r["curve"]) == EPOCHS + 1, name  # the start, then one entry per epoch
        assert min(r["curve"]) > -1e-10, name  # nobody beats the optimum
    # per epoch, many small steps beat one full step, and acceleration beats plain GD
    assert b["mini-batch SGD (32)"]["gap"] < b["batch GD"]["gap"]
    assert b["nesterov"]["gap"] < b["batch GD"]["gap"]


def test_critical_points_by_the_second_derivative_test(run):
    pts = run[0]["critical_points"]
    expected = {(1, 1): "minimum", (-1, -1): "maximum", (1, -1): "saddle", (-1, 1): "saddle"}
    found = {tuple(int(round(c)) for c in p["x"]): p for p in pts}
    assert {k: p["kind"] for k, p in found.items()} == expected
    for (x, y), p in found.items():
        np.testing.assert_allclose(p["x"], [x, y], atol=1e-6)
        np.testing.assert_allclose(sorted(p["eigenvalues"]), sorted([6.0 * x, 6.0 * y]), atol=1e-4)
        assert p["value"] == pytest.approx(x**3 - 3 * x + y**3 - 3 * y, abs=1e-9)


@pytest.mark.parametrize("argv", [["--max-iter", "0"], ["--epochs", "0"], ["--n-samples", "5"]])
def test_bad_arguments_exit(gdb, argv):
    with pytest.raises(SystemExit) as info:
        gdb.parse_args(argv)
    assert info.value.code == 2
