"""Tests of the benchmark registry, the runner and the ``fastgrad bench`` command.

No timing assertions: only that every case runs, that fastgrad agrees with
each reference within the tolerance the case declares, and that the command
line produces well-formed output.
"""
import json

import numpy as np
import pytest

from fastgrad.bench import runner
from fastgrad.bench.cases import Case, Reference, build_cases, select
from fastgrad.cli import bench_table, fmt_time, main

CASES = build_cases()
CHEAP = "single-point"  # a case that runs in about a second once compiled


def test_case_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


def test_every_case_has_a_numpy_reference_or_is_first_call():
    for case in CASES:
        assert case.first_call or any(name.startswith("numpy") for name in case.references), case.name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_agrees_with_references(case):
    data = case.setup("tiny")
    out = np.asarray(case.fastgrad(data))
    assert np.all(np.isfinite(out))
    if case.truth is not None:
        np.testing.assert_allclose(out, case.truth(data), rtol=case.rtol, atol=case.atol,
                                   err_msg="fastgrad vs the analytic answer")
    assert case.references, "every case compares with something"
    for name, ref in case.references.items():
        if not ref.compare:
            continue
        rtol, atol = case.tolerance(name)
        ref_out = np.asarray(ref.func(data))
        np.testing.assert_allclose(out, ref_out, rtol=rtol, atol=atol, err_msg=f"fastgrad vs {name}")
        if case.objective is not None:
            gap = case.objective_gap(case.objective(data, ref_out), case.objective(data, out))
            assert abs(gap) <= case.objective_rtol, f"final objective of fastgrad vs {name}: relative gap {gap:.2e}"


def test_fit_cases_state_their_objective():
    # a fit compared by time alone could win by stopping early
    fits = [c for c in CASES if "-fit/" in c.name]
    assert fits and all(c.objective is not None for c in fits)


@pytest.mark.parametrize("case", [c for c in CASES if c.point_keys], ids=lambda c: c.name)
def test_take_slices_only_the_point_axes(case):
    data = case.setup("tiny")
    sub = case.take(data, 2)
    assert case.n_points(sub) == 2
    for key, value in data.items():
        if key not in case.point_keys:
            assert sub[key] is value


def test_numpy_glm_references_solve_sklearns_problems():
    # The fit cases' "numpy" references and objectives, checked against
    # scikit-learn alone (no fastgrad estimator involved).
    import sklearn.linear_model as sk
    from sklearn._loss.loss import HalfBinomialLoss
    from sklearn.linear_model._huber import _huber_loss_and_gradient
    from sklearn.linear_model._linear_loss import LinearModelLoss
    from sklearn.metrics import mean_poisson_deviance

    from fastgrad.bench import cases_glm, naive_glm

    rng = np.random.default_rng(5)
    X, y, w = cases_glm._logistic_problem(500, 6, 1)
    coef = np.r_[w, 0.2] + 0.1 * rng.standard_normal(7)
    f, g = naive_glm.logistic_loss_grad(X, y, coef, 0.01)
    f_sk, g_sk = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True).loss_gradient(
        coef, X, y, l2_reg_strength=0.01)
    np.testing.assert_allclose(np.r_[f, g], np.r_[f_sk, g_sk], rtol=1e-12, atol=1e-15)

    def sk_params(est):
        return np.r_[est.coef_.ravel(), est.intercept_, getattr(est, "scale_", [])]

    tight = {"tol": 1e-10, "max_iter": 1000}
    newton = naive_glm.logistic_newton(X, y, 0.5)
    ref = sk_params(sk.LogisticRegression(C=0.5, solver="newton-cholesky", **tight).fit(X, y))
    np.testing.assert_allclose(newton, ref, rtol=1e-6, atol=1e-7)
    objective = [naive_glm.logistic_objective(X, y, v, 1.0 / (0.5 * len(y))) for v in (newton, ref)]
    assert objective[0] <= objective[1] * (1 + 1e-14)

    data = cases_glm._poisson_data({"n": (500, 6)}, 2)("n")
    X, y = data["X"], data["y"]
    newton = naive_glm.poisson_newton(X, y, 0.01)
    est = sk.PoissonRegressor(alpha=0.01, solver="newton-cholesky", **tight).fit(X, y)
    np.testing.assert_allclose(newton, sk_params(est), rtol=1e-6, atol=1e-7)
    # the objective is the mean *half* deviance plus the penalty
    penalty = 0.005 * (est.coef_ @ est.coef_)
    assert naive_glm.poisson_objective(X, y, sk_params(est), 0.01) == pytest.approx(
        0.5 * mean_poisson_deviance(y, est.predict(X)) + penalty, rel=1e-13)

    data = cases_glm._huber_data({"n": (500, 6)}, 3)("n")
    X, y = data["X"], data["y"]
    newton = naive_glm.huber_newton(X, y, 1.35, 1e-3)
    est = sk.HuberRegressor(epsilon=1.35, alpha=1e-3, **tight).fit(X, y)
    f_sk = _huber_loss_and_gradient(sk_params(est), X, y, 1.35, 1e-3, np.ones(len(y)))[0]
    assert naive_glm.huber_objective(X, y, sk_params(est), 1.35, 1e-3) == pytest.approx(f_sk, rel=1e-14)
    assert naive_glm.huber_objective(X, y, newton, 1.35, 1e-3) <= f_sk * (1 + 1e-14)
    np.testing.assert_allclose(newton, sk_params(est), rtol=1e-4, atol=1e-5)


def _toy_case(truth=True):
    # Pure numpy, no compilation: exercises the runner's bookkeeping.
    def setup(size):
        return {"X": np.arange(20.0).reshape(10, 2)}

    def loop(d):
        return np.array([2.0 * x for x in d["X"]])

    return Case("toy/double", "toy", setup, lambda d: 2.0 * d["X"],
                {"numpy": lambda d: d["X"] + d["X"], "loop": Reference(loop, "a loop", subset=4)},
                (lambda d: 2.0 * d["X"]) if truth else None)


def test_run_case_scales_subset_references_per_point():
    rec = runner.run_case(_toy_case(), "quick")
    assert rec["points"] == 10 and rec["error_vs"] == "analytic"
    assert rec["fastgrad"]["max_error"] == 0.0
    assert rec["fastgrad"]["first_call_s"] is not None
    numpy_ref, loop_ref = rec["references"]
    assert numpy_ref["points_timed"] == 10 and loop_ref["points_timed"] == 4
    assert loop_ref["median_s"] == pytest.approx(loop_ref["median_s_per_point"] * 10)
    assert loop_ref["ratio"] == pytest.approx(loop_ref["median_s"] / rec["fastgrad"]["median_s"])
    assert loop_ref["max_error"] == 0.0
    full = runner.run_case(_toy_case(), "quick", subsets=False)
    assert full["references"][1]["points_timed"] == 10


def test_run_case_without_truth_measures_against_numpy():
    rec = runner.run_case(_toy_case(truth=False), "quick")
    assert rec["error_vs"] == "numpy"
    assert rec["references"][0]["max_error"] is None  # the yardstick itself
    assert rec["references"][1]["max_error"] == 0.0


def test_run_all_records_failures_and_reports_progress(capsys):
    def boom(data):
        raise RuntimeError("kernel exploded")

    bad = Case("toy/broken", "toy", lambda size: {"X": np.ones((3, 2))}, boom, {"numpy": lambda d: d["X"]})
    report = runner.run_all([_toy_case(), bad], "quick")
    err = capsys.readouterr().err
    assert "[1/2] toy/double ..." in err and "[2/2] toy/broken FAILED" in err
    assert "kernel exploded" in report["cases"][1]["error"]
    text = bench_table(report)
    assert "toy/broken" in text and "FAILED" in text and "x" in text


def _toy_fit(shift):
    # "fits" whose results are known: fastgrad lands on the minimiser of
    # (x - 1)^2 + 1 and the "sloppy" reference misses it by ``shift``.
    def setup(size):
        return {"target": np.ones(3)}

    return Case("toy/fit", "toy", setup, lambda d: d["target"].copy(),
                {"numpy": lambda d: d["target"] + 0.0,
                 "sloppy": Reference(lambda d: d["target"] + shift, "stops early", atol=1.0),
                 "floor": Reference(lambda d: d["target"] + 1.0, "a yardstick", compare=False)},
                point_keys=(), objective=lambda d, out: float(np.sum((out - 1.0) ** 2) + 1.0),
                objective_rtol=1e-10)


def test_run_case_records_objective_gaps():
    rec = runner.run_case(_toy_fit(1e-3), "quick")
    assert rec["fastgrad"]["objective"] == 1.0 and rec["objective_rtol"] == 1e-10
    numpy_ref, sloppy, floor = rec["references"]
    assert numpy_ref["objective_gap"] == 0.0 and numpy_ref["equal_objective"] is True
    assert sloppy["objective_gap"] == pytest.approx(3e-6) and sloppy["equal_objective"] is False
    assert floor["objective_gap"] == pytest.approx(3.0) and floor["equal_objective"] is None  # not compared
    assert rec["equal_objective"] is False
    assert runner.run_case(_toy_fit(1e-7), "quick")["equal_objective"] is True  # gap 3e-14
    assert "objective" not in runner.run_case(_toy_case(), "quick")["fastgrad"]


def test_table_flags_speed_ups_at_unequal_objective():
    report = runner.run_all([_toy_fit(1e-3)], "quick")
    rows = {name: ln for ln in bench_table(report).splitlines() for name in ("numpy", "sloppy")
            if ln.startswith("toy/fit ") and f" {name} " in ln}
    assert "x!" in rows["sloppy"] and "!" not in rows["numpy"]
    lines = bench_table(report).splitlines()
    (note,) = [ln for ln in lines if ln.startswith("toy/fit: final objective")]
    assert "sloppy +3.0e-06" in note and "NOT at equal objective" in note
    fine = bench_table(runner.run_all([_toy_fit(0.0)], "quick"))
    assert "x!" not in fine and "all compared results within 1e-10" in fine


def test_cli_exits_nonzero_when_objectives_differ(monkeypatch, capsys):
    from fastgrad.bench import cases as registry

    for shift, code in ((1e-3, 1), (0.0, 0)):
        monkeypatch.setattr(registry, "build_cases", lambda s=shift: [_toy_fit(s)])
        assert main(["bench", "--quick"]) == code
    capsys.readouterr()


def test_select_is_a_case_insensitive_substring_match():
    assert [c.name for c in select(CASES, "SINGLE-POINT")] == [c.name for c in CASES if CHEAP in c.name]
    assert select(CASES, None) == CASES


def test_cli_bench_quick_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--filter", CHEAP, "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert CHEAP in out and "speed-up" in out
    report = json.loads(path.read_text())
    assert {"mode", "created", "environment", "cases"} <= set(report)
    assert report["mode"] == "quick"
    assert {"threading_layer", "numba", "numpy"} <= set(report["environment"])
    (case,) = report["cases"]
    assert CHEAP in case["name"]
    assert {"median_s", "min_s", "first_call_s", "repeats", "max_error"} <= set(case["fastgrad"])
    for ref in case["references"]:
        assert {"name", "median_s", "min_s", "ratio", "max_error", "points", "points_timed"} <= set(ref)
        assert ref["ratio"] > 0


def test_cli_list(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    for case in CASES:
        assert case.name in out


def test_cli_unknown_filter_fails(capsys):
    assert main(["bench", "--list", "--filter", "no-such-case"]) == 1
    assert "no case" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["bench", "--no-such-flag"], [], ["frobnicate"],
                                  ["bench", "--processes", "3"], ["bench", "--stalls", "--processes", "0"]])
def test_cli_bad_arguments_exit_nonzero(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code != 0


def test_fmt_time():
    assert fmt_time(1.5) == "1.5 s"
    assert fmt_time(0.00123) == "1.23 ms"
    assert fmt_time(4.2e-5) == "42 us"
    assert fmt_time(None) == "-"


@pytest.mark.slow
def test_stall_probe_runs_in_a_fresh_process():
    result = runner.run_stalls(processes=1, calls=3)
    assert result["summary"]["failed"] == 0
    (rec,) = result["processes"]
    assert len(rec["after_blas_s"]) == 3 and len(rec["quiet_s"]) == 3
    assert rec["OMP_WAIT_POLICY"] == "PASSIVE"  # set by the child's own import of fastgrad
    assert result["summary"]["max_over_median"] >= 1.0
