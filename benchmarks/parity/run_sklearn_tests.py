"""Run scikit-learn's own linear_model test files against fastgrad's classes.

The parity criterion of the drop-in promise: copy the installed scikit-learn
test files, rebind the estimator names each module imports (and the
``linear_model`` module some of them use as a namespace) to fastgrad's
classes right after the module's imports, run them with pytest, and print the
pass counts per file.

Usage (from the project root, with fastgrad and pytest installed)::

    python benchmarks/parity/run_sklearn_tests.py                 # all six files
    python benchmarks/parity/run_sklearn_tests.py test_ridge.py   # one file
    python benchmarks/parity/run_sklearn_tests.py --keep DIR -- -x -k sparse

Everything after ``--`` goes to pytest. The copies carry a header naming
their origin; they live in a temporary directory unless ``--keep`` is given.
This takes several minutes and is not part of the project's CI.
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

#: Test files of the parity criterion, relative to scikit-learn's package.
FILES = (
    "linear_model/tests/test_ridge.py",
    "linear_model/tests/test_coordinate_descent.py",
    "linear_model/tests/test_logistic.py",
    "linear_model/tests/test_huber.py",
    "linear_model/tests/test_sgd.py",
    "linear_model/_glm/tests/test_glm.py",
)

#: scikit-learn names that fastgrad replaces.
ESTIMATORS = (
    "LinearRegression",
    "Ridge",
    "RidgeClassifier",
    "RidgeClassifierCV",
    "RidgeCV",
    "Lasso",
    "ElasticNet",
    "LassoCV",
    "ElasticNetCV",
    "lasso_path",
    "enet_path",
    "SGDRegressor",
    "SGDClassifier",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PoissonRegressor",
    "GammaRegressor",
    "TweedieRegressor",
    "HuberRegressor",
)

REBIND = """
# ---- fastgrad parity runner: scikit-learn's estimators replaced by fastgrad's ----
import types as _parity_types
import fastgrad as _parity_fastgrad
for _parity_name in {names!r}:
    if _parity_name in globals():
        globals()[_parity_name] = getattr(_parity_fastgrad, _parity_name)
if isinstance(globals().get("linear_model"), _parity_types.ModuleType):
    linear_model = _parity_types.SimpleNamespace(**vars(linear_model))
    for _parity_name in {names!r}:
        setattr(linear_model, _parity_name, getattr(_parity_fastgrad, _parity_name))
# ---- end of the parity runner's block ----
"""


def _end_of_imports(source):
    """Line number after the module's leading block of imports (and docstring)."""
    tree = ast.parse(source)
    end = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            end = node.end_lineno
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and end == 0:
            end = node.end_lineno
        else:
            break
    return end


def rebound_source(path):
    """Source of the test file at ``path`` with fastgrad's classes bound in."""
    source = Path(path).read_text()
    lines = source.splitlines(keepends=True)
    at = _end_of_imports(source)
    header = f"# Copied from {path} by fastgrad's parity runner; do not edit.\n"
    return header + "".join(lines[:at]) + REBIND.format(names=ESTIMATORS) + "".join(lines[at:])


def _counts(junit_xml):
    """``{file: {outcome: count}}`` from a pytest JUnit XML report."""
    counts = {}
    failures = {}
    root = ET.parse(junit_xml).getroot()
    for case in root.iter("testcase"):
        name = case.get("classname", "").split(".")[0] + ".py"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
                failures.setdefault(name, []).append(f"{case.get('name')}: {(child.get('message') or '')[:160]}")
            elif child.tag == "skipped":
                outcome = "xfailed" if "xfail" in (child.get("type") or "") else "skipped"
        counts.setdefault(name, {}).setdefault(outcome, 0)
        counts[name][outcome] += 1
    return counts, failures


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="test file names (default: all six)")
    parser.add_argument("--keep", metavar="DIR", help="write the copies and the report to DIR")
    parser.add_argument("--failures", action="store_true", help="list every failing test")
    args = parser.parse_args(argv)

    root = Path(sklearn.__file__).parent
    chosen = [f for f in FILES if not args.files or Path(f).name in args.files]
    if not chosen:
        parser.error(f"no such test file; choose from {[Path(f).name for f in FILES]}")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fastgrad-parity-"))
    work.mkdir(parents=True, exist_ok=True)
    for rel in chosen:
        (work / Path(rel).name).write_text(rebound_source(root / rel))
    report = work / "report.xml"
    cmd = [
        sys.executable, "-m", "pytest", *[Path(rel).name for rel in chosen],
        "-p", "sklearn.conftest", "-p", "no:cacheprovider", "-q", "--no-header",
        "-o", "addopts=", "-o", "junit_family=xunit1", f"--junitxml={report}",
        "-W", "ignore::DeprecationWarning", *pytest_args,
    ]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # Run from the copies' directory with an empty rootdir config, so that
    # neither the project's nor scikit-learn's pytest settings apply.
    (work / "pytest.ini").write_text("[pytest]\n")
    proc = subprocess.run(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not report.exists():
        print(proc.stdout[-5000:])
        return proc.returncode or 1
    counts, failures = _counts(report)
    total_pass = total_fail = 0
    print(f"{'file':32s} {'passed':>7s} {'failed':>7s} {'skipped':>8s} {'xfailed':>8s} {'pass %':>7s}")
    for name in sorted(counts):
        c = counts[name]
        p, f = c.get("passed", 0), c.get("failed", 0)
        total_pass, total_fail = total_pass + p, total_fail + f
        pct = 100.0 * p / max(p + f, 1)
        print(f"{name:32s} {p:7d} {f:7d} {c.get('skipped', 0):8d} {c.get('xfailed', 0):8d} {pct:6.1f}%")
    pct = 100.0 * total_pass / max(total_pass + total_fail, 1)
    print(f"{'total':32s} {total_pass:7d} {total_fail:7d} {'':8s} {'':8s} {pct:6.1f}%")
    if args.failures:
        for name in sorted(failures):
            print(f"\n== {name}")
            for line in failures[name]:
                print("  " + line.replace("\n", " "))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
