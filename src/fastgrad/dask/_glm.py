"""The distributed GLM fit shared by LogisticRegression, PoissonRegressor and HuberRegressor.

``setup`` persists the validated chunks and reduces their statistics (one
round); ``fit_glm`` builds the ``DistributedObjective`` and runs the client
side solver. Each estimator only supplies its family, penalty and start.
"""

import dask

import numpy as np

from ._chunks import build_chunk, merge_stats
from ._data import float_dtype, row_blocks
from ._partials import GLMSpec, stats_partial
from ._runner import get_runner
from ._solve import NEWTON_MAX_COEF, DistributedObjective, run

__all__ = []

#: Solver names the distributed GLM fits accept, and what runs them. scikit-learn's
#: stochastic solvers (sag, saga) reach the same optimum: run "auto".
SOLVERS = {
    "auto": "auto", "lbfgs": "lbfgs", "newton": "newton", "newton-cholesky": "newton",
    "newton-cg": "newton", "sag": "auto", "saga": "auto",
}


class Setup:
    """The persisted chunks of one fit, with their reduced statistics."""

    def __init__(self, runner, handles, stats, X):
        self.runner, self.handles, self.stats = runner, handles, stats
        self.n_features = X.shape[1]
        self.dtype = float_dtype(X)

    def close(self):
        self.runner.release(self.handles)


def setup(X, y, sample_weight, labels=False):
    """Validate and persist the row chunks on the workers; reduce their stats (one round)."""
    X, blocks, starts = row_blocks(X, y, sample_weight)
    runner = get_runner()
    tasks = [
        dask.delayed(build_chunk, pure=True)(
            xb, yb, sb, i, starts[i], not labels,
            dask_key_name=f"fastgrad-chunk-{runner.token}-{i}",
        )
        for i, (xb, yb, sb) in enumerate(blocks)
    ]
    handles = runner.persist(tasks)
    stats = runner.map_reduce(stats_partial, handles, (labels,), merge_stats)
    if not stats["sum_s"] > 0:
        runner.release(handles)
        raise ValueError("sample_weight must not sum to zero over the Dask chunks.")
    return Setup(runner, handles, stats, X)


def resolve_solver(est, n_coef, supported=SOLVERS):
    name = type(est).__name__
    if est.solver not in supported:
        raise ValueError(
            f"solver={est.solver!r} is not available for fastgrad.dask.{name} on Dask arrays; "
            f"use one of {sorted(supported)} (or fit the in-memory fastgrad.{name} on a numpy "
            "array)."
        )
    kind = supported[est.solver]
    if kind == "auto":
        kind = "newton" if n_coef <= NEWTON_MAX_COEF else "lbfgs"
    return kind


def n_threads_of(est):
    """Kernel threads per chunk task: ``n_jobs`` if set, else 1 (dask runs a task per core)."""
    n_jobs = getattr(est, "n_jobs", None)
    return 1 if n_jobs in (None, -1) else int(n_jobs)


#: Rows the sub-sampled Hessian is estimated on (at least), and per coefficient:
#: the linear rate of sub-sampled Newton is about sqrt(n_coef / rows).
HESSIAN_MIN_ROWS = 20_000
HESSIAN_ROWS_PER_COEF = 200


def hessian_fraction(n_rows, n_coef):
    """Share of the rows the Newton Hessian is computed on (1: all of them)."""
    rows = max(HESSIAN_MIN_ROWS, HESSIAN_ROWS_PER_COEF * n_coef)
    return 1.0 if n_rows <= 2 * rows else rows / n_rows


def fit_glm(est, st, family, *, l2, coef0, tol, solver, classes=None, class_weight=None,
            epsilon=1.35, bounds=None):
    """Run the distributed fit; returns ``(coef, n_iter, curve, mean, sum_s)``."""
    p = st.n_features
    mean = st.stats["x_sum"] / st.stats["sum_s"] if est.fit_intercept else np.zeros(p)
    c0 = np.asarray(coef0(mean), dtype=np.float64)
    spec = GLMSpec(
        token=st.runner.token, family=family, mean=np.asarray(mean, dtype=np.float64),
        fit_intercept=est.fit_intercept, n_threads=n_threads_of(est), classes=classes,
        class_weight=class_weight, epsilon=epsilon, n_coef=len(c0),
        hessian_fraction=hessian_fraction(st.stats["n"], len(c0)),
    )
    total = st.stats["sum_s"] if class_weight is None else float(
        sum(class_weight[i] * st.stats["labels"][c] for i, c in enumerate(classes.tolist()))
    )
    n_pen = len(c0) - (1 if family == "huber" else 0) - (
        (len(classes) if family == "multinomial" else 1) if est.fit_intercept else 0
    )
    fun = DistributedObjective(st.runner, st.handles, spec, total, l2(total), n_pen)
    coef, n_iter, curve, _ = run(fun, c0, solver, est.max_iter, tol(total),
                                 f"fastgrad.dask.{type(est).__name__}", bounds=bounds,
                                 verbose=est.verbose)
    est.n_rounds_ = st.runner.rounds
    est.round_seconds_ = np.array(st.runner.round_seconds)
    return coef, n_iter, curve, mean, total
