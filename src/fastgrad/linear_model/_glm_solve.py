"""Run a compiled solver loop on a GLM objective (logistic, multinomial, Poisson, Huber).

The estimators build the compiled objective (``csrc/_glm_objectives.pxi``,
``csrc/_multinomial.pxi``) on validated data and hand it here with the
start point. This module picks the step of the first-order methods, runs
the loop -- or, for ``solver="auto"``, L-BFGS first and Newton if L-BFGS is
slow -- and returns the result with its convergence record.

Every GLM objective is the *mean* form ``sum_i s_i loss_i / sum_s`` plus
its penalty, in centred coordinates ``eta_i = (x_i - m) . w + c`` (the raw
intercept is ``c - m . w``): the same conventions as the least-squares
loops (``_iterative.py``).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._solvers_fast import HuberObjective, py_lipschitz, run_solver
from ._squared_loss import _resolve_n_threads
from ._iterative import _column_means
from ._newton_cg import has_newton_cg, newton_cg
from ._status import MAX_ITER, NONFINITE, STALLED, check_status

__all__ = []

#: Solvers a GLM estimator accepts ("newton-cholesky" is an alias of "newton").
GLM_SOLVERS = (
    "auto", "lbfgs", "newton", "newton-cholesky", "gd", "momentum", "nesterov", "fista", "sgd", "newton-cg",
)
#: Solvers that handle an L1 term (a proximal step).
L1_SOLVERS = ("auto", "gd", "nesterov", "fista", "sgd")
#: Default momentum of "momentum" and "sgd" (heavy ball); Nesterov and FISTA
#: use FISTA's momentum sequence unless told otherwise.
DEFAULT_MOMENTUM = {"momentum": 0.9, "sgd": 0.0}
#: Largest number of coefficients for which solver="auto" on sparse X may
#: form the dense Hessian (L-BFGS, then Newton, as on dense X): its
#: n p^2 Gram products are then cheaper than a few passes' overhead. Above
#: it "auto" runs Newton-CG (Hessian-vector products only).
SPARSE_DENSE_NEWTON_MAX = 200
#: Default mini-batch size of solver="sgd".
DEFAULT_BATCH_SIZE = 256
#: Epochs of SGD without an improvement of more than tol before it stops.
SGD_PATIENCE = 5


@dataclass
class GLMFit:
    """What a fit returns: centred coefficients and the convergence record."""

    coef: np.ndarray
    status: int
    n_iter: int
    curve: np.ndarray
    solver: str
    learning_rate: float = 0.0


def prepare(estimator, X, sample_weight):
    """``(sum_s, mean, n_threads)`` for a GLM objective on validated data.

    ``mean`` is the centring vector (the weighted column means, zeros without
    an intercept); ``n_threads`` follows the estimator's ``n_jobs``.
    """
    sum_s = float(X.shape[0] if sample_weight is None else np.sum(sample_weight, dtype=np.float64))
    if not sum_s > 0:
        raise ValueError("sample_weight (times class_weight, if any) must not sum to zero.")
    # (_column_means reads sparse X in place)
    mean = _column_means(X, sample_weight) if estimator.fit_intercept else np.zeros(X.shape[1])
    n_threads = _resolve_n_threads(None if estimator.n_jobs in (None, -1) else estimator.n_jobs)
    return sum_s, mean, n_threads


def auto_lbfgs_budget(n_coef, hessian_blocks):
    """L-BFGS iterations ``solver="auto"`` allows before it switches to Newton.

    One Newton iteration costs a pass for the gradient plus the Hessian,
    ``hessian_blocks`` weighted Gram matrices of ``p ~ n_coef`` columns:
    about ``n_coef * hessian_blocks / 5`` passes' worth at the speeds of the
    fused pass and of BLAS. Newton typically needs under ten iterations; so
    once L-BFGS has spent what Newton would have spent in total, Newton takes
    over from where L-BFGS got to. Either way the fit costs at most about
    twice the cheaper method's time.
    """
    per_newton = 1.0 + n_coef * hessian_blocks / 5.0
    return int(max(20, min(500, 8 * per_newton)))


def resolve_solver(solver, l1):
    """The loop for a user's solver name: L1 or not decides the first-order variant."""
    if solver == "newton-cholesky":
        return "newton"
    if l1 > 0:
        return {"gd": "ista", "nesterov": "fista", "fista": "fista", "auto": "fista"}.get(solver, solver)
    return {"fista": "nesterov"}.get(solver, solver)


def default_step(obj, solver, coef0, batch_size, sgd_bound):
    """The first-order step: ``1 / L`` (power iteration), with a mini-batch margin for SGD.

    For an objective without a global curvature bound L is the curvature at
    ``coef0``, which the loops then reduce by backtracking. For SGD the step
    is ``1 / (L + R / batch_size)``, ``R`` an upper bound of one sample's
    curvature (``sgd_bound``): small batches see rows far steeper than the
    average.
    """
    if not obj.global_bound:
        obj.set_curvature_point(np.asarray(coef0, dtype=np.float64))
    lipschitz = py_lipschitz(obj)
    if not np.isfinite(lipschitz) or lipschitz < 0:
        return None
    if solver == "sgd":
        lipschitz += sgd_bound / batch_size
    return 1.0 / lipschitz if lipschitz > 0 else 1.0


def sgd_momentum_scale(mu):
    """Heavy-ball momentum multiplies the effective SGD step (and its noise) by
    ``1 / (1 - mu)``; the default step is scaled back by ``1 - mu``."""
    return 1.0 - mu


def solve(
    estimator, obj, coef0, *, solver, l1=0.0, max_iter, tol, learning_rate=None, momentum=None,
    batch_size=None, seed=0, epoch0=None, verbose=0, hessian_blocks=1, sgd_bound=0.0, lr=None,
):
    """Minimise ``obj (+ l1 ||w||_1)`` from ``coef0``; returns a ``GLMFit``.

    ``solver`` is the user's name (``GLM_SOLVERS``); the caller has checked
    that it can handle ``l1``. ``lr`` overrides the step (``partial_fit``
    keeps the step of its first call); ``epoch0`` (the epochs run before)
    selects SGD's decaying schedule of ``partial_fit``, None the adaptive
    schedule of a fit. Raises ``DivergenceError`` and warns
    ``ConvergenceWarning`` through ``check_status``.
    """
    kind = resolve_solver(solver, l1)
    # the CSR objectives (stored-curvature products), when p is too large for
    # a dense p x p Hessian; below that sparse X takes the dense path's route
    sparse = has_newton_cg(obj) and obj.n_coef > SPARSE_DENSE_NEWTON_MAX
    if kind == "auto" and sparse and not isinstance(obj, HuberObjective):
        # sparse X: a dense p x p Newton system is never chosen automatically;
        # truncated Newton is the fastest there (few passes per Newton step).
        # Huber keeps the dense path's L-BFGS first (its scale may run to the
        # sigma -> 0 boundary, where the path decides where it stops), with
        # newton-cg as the second stage.
        kind = "newton-cg"
    elif kind == "newton-cg" and not has_newton_cg(obj):
        # dense X: its p is small enough for the exact Newton loop, which
        # reaches the same minimum in fewer passes than CG products
        kind = "newton"
    name = type(estimator).__name__
    batch_size = DEFAULT_BATCH_SIZE if batch_size is None else int(batch_size)
    mu = DEFAULT_MOMENTUM.get(kind, -1.0) if momentum is None else float(momentum)
    if kind in ("gd", "ista", "momentum", "nesterov", "fista", "sgd") and lr is None:
        if learning_rate is None:
            lr = default_step(obj, kind, coef0, batch_size, sgd_bound)
            if lr is None:
                check_status(estimator, NONFINITE, 0, max_iter=max_iter, solver=solver)
            if kind == "sgd":
                lr *= sgd_momentum_scale(mu)
        else:
            lr = float(learning_rate)
            if not obj.global_bound:
                obj.set_curvature_point(np.asarray(coef0, dtype=np.float64))
    hint = (
        f"The step size was learning_rate={learning_rate!r}; lower it, or leave it at "
        "None to use 1/L from the data." if learning_rate is not None else
        "Standardise the features (e.g. sklearn.preprocessing.StandardScaler)."
    )
    unit = "epochs" if kind == "sgd" else "iterations"
    run = dict(tol=float(tol), lr=0.0 if lr is None else float(lr), momentum=mu, l1=float(l1),
               verbose=int(verbose), batch_size=batch_size, seed=int(seed), epoch0=int(epoch0 or 0),
               n_no_change=SGD_PATIENCE, adaptive=epoch0 is None)

    if kind == "auto":
        budget = min(int(max_iter), auto_lbfgs_budget(obj.n_coef, hessian_blocks))
        coef, status, n_iter, curve = run_solver(obj, coef0, "lbfgs", budget, **run)
        used = "lbfgs"
        # L-BFGS out of budget, or stalled by rounding short of tol: Newton's
        # steps are exact enough to go on (quadratic convergence near the end)
        if status in (MAX_ITER, STALLED) and n_iter < max_iter:
            if sparse:
                coef, status, more, tail = newton_cg(obj, coef, int(max_iter) - n_iter, float(tol),
                                                     int(verbose))
            else:
                coef, status, more, tail = run_solver(obj, coef, "newton", int(max_iter) - n_iter, **run)
            n_iter += more
            curve = np.concatenate([curve, tail[1:]])
            used = "lbfgs+newton-cg" if sparse else "lbfgs+newton"
    elif kind == "newton-cg":
        coef, status, n_iter, curve = newton_cg(obj, coef0, int(max_iter), float(tol), int(verbose))
        used = kind
    else:
        coef, status, n_iter, curve = run_solver(obj, coef0, kind, int(max_iter), **run)
        used = kind
    if not (status == MAX_ITER and epoch0 is not None):
        # (partial_fit runs one epoch by design: running out of it is no news)
        check_status(estimator, status, n_iter, max_iter=max_iter, solver=solver, unit=unit, hint=hint)
    if verbose:
        print(f"[{name}] solver {used}: {n_iter} {unit}, objective {curve[-1]:.10g}")
    return GLMFit(coef=coef, status=status, n_iter=n_iter, curve=curve, solver=used,
                  learning_rate=0.0 if lr is None else float(lr))


def row_curvature_bound(X, sample_weight, mean, fit_intercept, curvature):
    """``max_i (n s_i / sum_s) * curvature * (||x_i - m||^2 + [intercept])``.

    The largest curvature one row's (rescaled) loss can have: the mini-batch
    margin of the SGD step. One pass over ``X`` in blocks.
    """
    n = X.shape[0]
    if sample_weight is not None:
        total = float(np.sum(sample_weight, dtype=np.float64))
        scale = n * np.asarray(sample_weight, dtype=np.float64) / total
    if sp.issparse(X):
        # ||x_i - m||^2 = ||x_i||^2 - 2 x_i . m + ||m||^2, without densifying
        sq = np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
        sq += -2.0 * np.asarray(X @ mean, dtype=np.float64).ravel() + float(mean @ mean)
        sq = np.maximum(sq, 0.0) + (1.0 if fit_intercept else 0.0)
        if sample_weight is not None:
            sq *= scale
        return curvature * float(sq.max())
    top = 0.0
    rows = max(1, (1 << 20) // (8 * max(X.shape[1], 1)))
    for start in range(0, n, rows):
        D = np.subtract(X[start:start + rows], mean, dtype=np.float64)
        sq = np.einsum("ij,ij->i", D, D) + (1.0 if fit_intercept else 0.0)
        if sample_weight is not None:
            sq *= scale[start:start + rows]
        top = max(top, float(sq.max()))
    return curvature * top

