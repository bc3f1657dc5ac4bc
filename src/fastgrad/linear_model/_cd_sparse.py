"""Coordinate descent for Lasso / ElasticNet on a scipy.sparse (CSC) ``X``.

The compiled loop (``py_sparse_cd`` in ``csrc/_cd_sparse.pxi``) centres the
columns implicitly with their weighted means, so ``X`` is never densified or
copied beyond the one conversion to canonical CSC that ``fit`` validation
makes. One run per target column of ``y``, as for dense ``X``.
"""

import numpy as np

from ._cd_fast import py_sparse_cd
from ._squared_loss import _resolve_n_threads

__all__ = ["fit_cd_sparse", "sparse_means"]


def sparse_means(X, sample_weight, fit_intercept):
    """Weighted column means of a sparse ``X`` in float64 (zeros without intercept).

    The weights (None for ones) must sum to ``n_samples``.
    """
    n, p = X.shape
    if not fit_intercept:
        return np.zeros(p)
    if sample_weight is None:
        total = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel()
    else:
        total = np.asarray(X.T @ sample_weight.astype(np.float64)).ravel()
    return total / n


def fit_cd_sparse(estimator, problem):
    """CD over the CSC columns of ``problem.X``; returns an ``_EnetResult``."""
    from ._cd_solvers import _EnetResult

    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    n, p = X.shape
    s = None if sw is None else np.ascontiguousarray(sw, dtype=np.float64)
    x_mean = sparse_means(X, s, problem.fit_intercept)
    if problem.fit_intercept:
        y_mean = np.average(Y, axis=0, weights=s).astype(np.float64)
    else:
        y_mean = np.zeros(Y.shape[1])
    n_threads = _resolve_n_threads(None)
    coef = problem.coef_init.copy()
    runs = []
    for t in range(Y.shape[1]):
        yc = np.ascontiguousarray(Y[:, t] - y_mean[t], dtype=np.float64)
        runs.append(
            py_sparse_cd(X.data, X.indices, X.indptr, n, yc, s, x_mean, coef[t],
                         problem.l1, problem.l2, problem.max_iter, problem.tol,
                         problem.positive, problem.seeds is not None,
                         problem.seeds[t] if problem.seeds else 0, n_threads,
                         problem.verbose)
        )
    status, n_iter, gap, curve = (list(v) for v in zip(*runs))
    return _EnetResult(coef, x_mean, y_mean, status, n_iter, gap, curve, "sparse")
