"""The data a coordinate-descent path runs on, and the run along the alpha grid.

``prepare_path_problem`` turns validated ``(X, Y, sample_weight)`` into one
of three problems, all in the mean-scale objective of ``csrc/_cd_fast.pyx``
(weights rescaled to sum to ``n``):

* ``"gram"``: ``Q = X_c^T S X_c / n``, ``q = X_c^T S Y_c / n`` and
  ``yy = Y_c^T S Y_c / n`` from one blocked pass over ``X``; an epoch then
  costs O(p * |working set|), whatever ``n``.
* ``"residual"``: a centred, ``sqrt(s)``-scaled, column-ordered copy of a
  dense ``X`` (for wide data, where a p x p matrix does not pay).
* ``"sparse"``: a CSC ``X`` that is never centred or copied; its column
  means travel beside it and the compiled loop centres implicitly.

``run_path`` then runs the whole grid in one compiled call per target
(``py_*_cd_path``): warm starts from one alpha to the next, a working set
grown from the strong rule and the KKT conditions, so the cost of an alpha
grows with the support rather than with ``n_features``. ``X`` is centred
only when ``fit_intercept`` (the public paths never centre, as in
scikit-learn; the CV estimators centre per fold).
"""

from collections import namedtuple

import numpy as np
import scipy.sparse as sp

from ._cd_fast import (
    py_gram_cd_path, py_multitask_cd_path, py_residual_cd_path, py_sparse_cd_path,
)
from ._cd_sparse import sparse_means
from ._gram import weighted_gram
from ._squared_loss import _resolve_n_threads

__all__ = ["PathProblem", "prepare_path_problem", "run_path"]

PathProblem = namedtuple("PathProblem", "kind n_samples data x_mean y_mean")
PathProblem.__doc__ = """One prepared path problem.

``kind`` is ``"gram"``, ``"residual"`` or ``"sparse"``; ``data`` a tuple
whose layout depends on it (see ``prepare_path_problem``); ``x_mean`` (p,)
and ``y_mean`` (k,) the weighted means the data were centred with (zeros
without an intercept), so that ``intercept = y_mean - coef @ x_mean``.
"""

PathResult = namedtuple("PathResult", "coefs gaps n_iters status")
PathResult.__doc__ = """``coefs`` (k, p, n_alphas) float64, ``gaps`` (k, n_alphas)
mean-scale duality gaps, ``n_iters`` (k, n_alphas) epochs, ``status``
(k, n_alphas) codes of ``_status`` (for the multi-task loop k rows all equal)."""


def _weighted_moments(Y, s, fit_intercept):
    """``(y_mean, Y_c)`` with the weighted means (zeros without an intercept)."""
    if fit_intercept:
        y_mean = np.average(Y, axis=0, weights=s).astype(np.float64)
        return y_mean, Y.astype(np.float64) - y_mean
    return np.zeros(Y.shape[1]), Y.astype(np.float64)


def prepare_path_problem(X, Y, sample_weight, fit_intercept, kind, gram=None, Xy=None):
    """Build a ``PathProblem`` of the given ``kind`` from validated data.

    ``X`` dense float32/64 (any order) or CSC; ``Y`` (n, k); ``sample_weight``
    None or non-negative, already rescaled to sum to ``n``. ``gram`` / ``Xy``:
    a user's ``X^T X`` / ``X^T Y`` (sum scale, of the data as passed, which
    is then not centred) for ``kind="gram"``.
    """
    n, p = X.shape
    s = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if kind == "sparse":
        x_mean = sparse_means(X, s, fit_intercept)
        y_mean, Yc = _weighted_moments(Y, s, fit_intercept)
        return PathProblem(kind, n, (X, np.asfortranarray(Yc), s), x_mean, y_mean)
    if kind == "gram":
        if gram is not None:  # the user's, of the data as passed (no centring)
            x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
            XtX = np.asarray(gram, dtype=np.float64)
            XtY = np.asarray(X.T @ Y, dtype=np.float64) if Xy is None else None
        elif not fit_intercept and s is None and X.dtype == np.float64:
            # plain sums (the public paths): one BLAS product, in any memory order
            x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
            XtX, XtY = X.T @ X, X.T @ Y.astype(np.float64)
        else:
            # the blocked pass reads row blocks: ~10x slower on a column-ordered X
            # than the O(n p) copy costs
            X = np.ascontiguousarray(X)
            XtX, XtY, x_mean, y_mean, _ = weighted_gram(X, Y, s, center=fit_intercept)
            if not fit_intercept:  # it returns the means either way
                x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
        if Xy is not None:
            XtY = np.asarray(Xy, dtype=np.float64).reshape(p, -1)
        Yc = Y.astype(np.float64) - y_mean
        SYc = Yc if s is None else s[:, None] * Yc
        yy = np.einsum("ik,ik->k", SYc, Yc) / n
        Q = np.ascontiguousarray(XtX / n)
        q = np.asfortranarray(XtY / n)
        return PathProblem(kind, n, (Q, q, yy), x_mean, y_mean)
    # residual: centred, sqrt(weight)-scaled copy in column order, X's dtype
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=s).astype(np.float64)
    else:
        x_mean = np.zeros(p)
    y_mean, Yc = _weighted_moments(Y, s, fit_intercept)
    Xw = np.empty((n, p), dtype=X.dtype, order="F")
    np.subtract(X, x_mean, out=Xw, casting="same_kind")
    if s is not None:
        root = np.sqrt(s)
        np.multiply(Xw, root[:, None], out=Xw, casting="same_kind")
        Yc = Yc * root[:, None]
    return PathProblem(kind, n, (Xw, np.asfortranarray(Yc)), x_mean, y_mean)


def run_path(problem, alphas, l1_ratio, coef_init, *, max_iter, tol, positive=False,
             seeds=None, multi_task=False, screening=True, n_threads=None):
    """Run the elastic-net path over ``alphas`` (any order; computed as given).

    ``coef_init`` (k, p) float64 start of the first alpha. ``seeds``: one
    int per target for random selection (None: cyclic). ``multi_task``: the
    joint L2,1 penalty over the k targets (scikit-learn's 2-D ``y``
    semantics), else one independent path per target. ``screening``: use
    the working sets (False runs every epoch over all features).
    ``n_threads``: OpenMP threads of the full-gradient passes (None: all).
    """
    alphas = np.ascontiguousarray(alphas, dtype=np.float64)
    l1 = alphas * l1_ratio
    l2 = alphas * (1.0 - l1_ratio)
    k, p = coef_init.shape
    m = alphas.shape[0]
    coefs = np.zeros((k, p, m))
    gaps = np.zeros((k, m))
    n_iters = np.zeros((k, m), dtype=np.intc)
    status = np.zeros((k, m), dtype=np.intc)
    if m == 0:
        return PathResult(coefs, gaps, n_iters, status)
    n_threads = _resolve_n_threads(n_threads)
    if multi_task:
        W = np.ascontiguousarray(coef_init, dtype=np.float64)
        out = np.zeros((m, k, p))
        X, Y = _multitask_data(problem)
        py_multitask_cd_path(X, Y, W, l1, l2, max_iter, tol, out, gaps[0], n_iters[0],
                             status[0], screening, n_threads)
        coefs[:] = np.moveaxis(out, 0, 2)
        gaps[1:], n_iters[1:], status[1:] = gaps[0], n_iters[0], status[0]
        return PathResult(coefs, gaps, n_iters, status)
    for t in range(k):
        w = np.ascontiguousarray(coef_init[t], dtype=np.float64)
        out = np.zeros((m, p))
        common = (l1, l2, max_iter, tol, positive, seeds is not None,
                  0 if seeds is None else seeds[t], out, gaps[t], n_iters[t], status[t],
                  screening)
        if problem.kind == "gram":
            Q, q, yy = problem.data
            py_gram_cd_path(Q, np.ascontiguousarray(q[:, t]), yy[t], w, *common,
                            problem.n_samples)
        elif problem.kind == "residual":
            Xw, Yw = problem.data
            py_residual_cd_path(Xw, np.ascontiguousarray(Yw[:, t]), w, *common, n_threads)
        else:
            X, Yc, s = problem.data
            py_sparse_cd_path(X.data, X.indices, X.indptr, problem.n_samples,
                              np.ascontiguousarray(Yc[:, t]), s, problem.x_mean, w,
                              *common, n_threads)
        coefs[t] = out.T
    return PathResult(coefs, gaps, n_iters, status)


def _multitask_data(problem):
    """Dense column-ordered ``X`` and ``Y`` for the multi-task loop."""
    if problem.kind == "residual":
        Xw, Yw = problem.data
        return Xw, np.asfortranarray(Yw)
    raise ValueError(f"the multi-task path needs the residual problem, got {problem.kind!r}")


def path_kind(X, precompute, multi_task):
    """Which problem a path runs on: scikit-learn's rule for ``precompute``.

    Sparse X: ``"sparse"`` (``precompute`` is ignored); multi-task: dense
    residual (there is no Gram multi-task loop, as in scikit-learn); "auto":
    Gram when ``n_samples > n_features``.
    """
    if sp.issparse(X):
        return "sparse"
    if multi_task:
        return "residual"
    if isinstance(precompute, str):  # "auto"
        return "gram" if X.shape[0] > X.shape[1] else "residual"
    if precompute is True or hasattr(precompute, "__array__"):
        return "gram"
    return "residual"
