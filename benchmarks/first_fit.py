"""First ``fit`` in a fresh process: fastgrad's estimators vs scikit-learn's.

``fit`` must never wait for a JIT compile, so the very first fit in a new
Python process should cost about what scikit-learn's does. Each sample is a
new interpreter that imports both libraries and makes the data (untimed),
then times one first ``fit``; fastgrad and scikit-learn alternate, in
separate processes, so neither warms the other's caches. Run with::

    python benchmarks/first_fit.py [--processes 8]

and read the ``ratio`` column (median fastgrad time / median sklearn time;
the issue's target is at most 2).
"""
import argparse
import statistics
import subprocess
import sys

MODELS = ["LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDRegressor"]

CHILD = """
import time, numpy as np, sklearn.linear_model, fastgrad
rng = np.random.default_rng(0)
X = rng.standard_normal((1000, 10)); y = X @ rng.standard_normal(10) + rng.standard_normal(1000)
est = getattr({lib}, "{model}")()
t = time.perf_counter(); est.fit(X, y); print(time.perf_counter() - t)
"""


def first_fit(lib, model):
    proc = subprocess.run([sys.executable, "-c", CHILD.format(lib=lib, model=model)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the {lib}.{model} child failed:\n{proc.stderr}")
    return float(proc.stdout.split()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8, help="fresh processes per library and model")
    args = parser.parse_args(argv)
    import fastgrad  # noqa: F401  (fail early if not installed)

    print(f"{'model':18s} {'fastgrad':>10s} {'sklearn':>10s} {'ratio':>6s}")
    for model in MODELS:
        if not hasattr(fastgrad, model):
            continue
        ours, theirs = [], []
        for _ in range(args.processes):
            ours.append(first_fit("fastgrad", model))
            theirs.append(first_fit("sklearn.linear_model", model))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"{model:18s} {a * 1e3:8.2f}ms {b * 1e3:8.2f}ms {a / b:6.2f}")


if __name__ == "__main__":
    main()
