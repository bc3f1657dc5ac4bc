"""LinearRegression, Ridge, Lasso and ElasticNet on Dask arrays: one Gram pass.

Least squares needs nothing from the data but its (weighted, centred)
Gram matrix ``X^T X``, the moments ``X^T y`` and ``y^T y``: one round of
per-chunk BLAS passes (``_partials.gram_partial``) merged by the
parallel-axis rule, nothing persisted. The client then solves the normal
equations (LinearRegression, Ridge: the in-memory closed form, Cholesky or
NNLS for ``positive``) or runs fastgrad's compiled covariance coordinate
descent on the Gram matrix (Lasso, ElasticNet: the in-memory "gram"
variant) -- p x p work, for tall data (n >> p).
"""

import numpy as np
from sklearn.utils import check_random_state

from ..linear_model import ElasticNet as _InMemoryElasticNet
from ..linear_model import Lasso as _InMemoryLasso
from ..linear_model import LinearRegression as _InMemoryLinearRegression
from ..linear_model import Ridge as _InMemoryRidge
from ..linear_model._base import _solve_normal_equations
from ..linear_model._cd_fast import py_gram_cd
from ..linear_model._cd_solvers import _EnetResult, nonfinite_error
from . import _predict
from ._data import float_dtype, is_dask_collection, row_blocks
from ._partials import gram_partial, merge_grams
from ._runner import get_runner
from ._scores import r2

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "Ridge"]


def gram_of(est, X, y, sample_weight):
    """``(XtX, XtY, yty, x_mean, y_mean, n_rows, sum_s, dtype, p)`` from one round over the chunks.

    Centred about the weighted means with an intercept, plain sums without.
    """
    X, blocks, starts = row_blocks(X, y, sample_weight, y_ndim=(1, 2))
    runner = get_runner()
    s, mx, my, A, B, c, n = runner.reduce_blocks(gram_partial, blocks, starts, merge_grams)
    if not s > 0:
        raise ValueError("sample_weight must not sum to zero over the Dask chunks.")
    if not est.fit_intercept:  # back to plain sums about 0
        A = A + s * np.outer(mx, mx)
        B = B + s * np.outer(mx, my)
        c = c + s * my * my
        mx, my = np.zeros_like(mx), np.zeros_like(my)
    est.n_rounds_ = runner.rounds
    est.round_seconds_ = np.array(runner.round_seconds)
    if not (np.isfinite(A).all() and np.isfinite(B).all() and np.isfinite(c).all()):
        raise ValueError(
            "The Gram matrix of the Dask data overflowed (X or y holds values too large to "
            "square in floating point). Rescale the data, e.g. standardise X and y."
        )
    return A, B, c, mx, my, n, s, float_dtype(X), X.shape[1]


class _GramLeastSquares:
    """``fit`` / ``predict`` / ``score`` of LinearRegression and Ridge on Dask input."""

    def fit(self, X, y, sample_weight=None):
        """Fit on Dask arrays (or, for numpy / scipy.sparse X, in memory)."""
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        A, B, c, mx, my, _, _, dtype, p = gram_of(self, X, y, sample_weight)
        k = B.shape[1]
        alphas = self._alphas(k)
        coef = _solve_normal_equations(A, B, alphas, self.positive)
        intercept = my - coef @ mx if self.fit_intercept else np.zeros(k)
        objective = (c - 2.0 * np.einsum("kp,pk->k", coef, B)
                     + np.einsum("kp,pq,kq->k", coef, A, coef) + alphas * np.einsum("kp,kp->k", coef, coef))
        one = np.ndim(y) == 1
        self.n_features_in_ = p
        self.coef_ = (coef[0] if one else coef).astype(dtype)
        if self.fit_intercept:
            self.intercept_ = dtype.type(intercept[0]) if one else intercept.astype(dtype)
        else:
            self.intercept_ = 0.0
        self.loss_curve_ = np.array([max(float(objective.sum()), 0.0)])
        self.n_iter_ = self._closed_form_n_iter(k)
        self.solver_ = "cholesky"
        return self

    def predict(self, X):
        if not is_dask_collection(X):
            return super().predict(X)
        return _predict.scores(X, self.coef_, self.intercept_, np.float64)

    def score(self, X, y, sample_weight=None):
        """R^2; a lazy Dask scalar on Dask input."""
        if not is_dask_collection(X):
            return super().score(X, y, sample_weight)
        return r2(y, self.predict(X), sample_weight)


_LS_NOTES = """
    On Dask input ``fit`` computes the weighted Gram matrix and moments in
    one round of per-chunk BLAS passes (nothing is persisted, no chunk
    reaches the client) and solves the normal equations on the client, as
    the in-memory closed form does; ``solver`` is not used there
    (``solver_`` is ``"cholesky"``). ``predict`` and ``score`` return lazy
    Dask arrays for Dask input; numpy / scipy.sparse input runs the
    in-memory fit.
"""


class LinearRegression(_GramLeastSquares, _InMemoryLinearRegression):
    __doc__ = "fastgrad's ``LinearRegression`` that also fits on Dask arrays.\n" + _LS_NOTES

    def _closed_form_n_iter(self, k):
        return np.ones(k, dtype=np.int64)  # as the in-memory closed form


class Ridge(_GramLeastSquares, _InMemoryRidge):
    __doc__ = "fastgrad's ``Ridge`` that also fits on Dask arrays.\n" + _LS_NOTES

    def _closed_form_n_iter(self, k):
        return None  # as the in-memory closed form (scikit-learn's convention)


class _GramCD:
    """``fit`` of ElasticNet / Lasso on Dask input: compiled CD on the Gram matrix."""

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit on Dask arrays (or, for numpy / scipy.sparse X, in memory)."""
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight, check_input=check_input)
        self._validate_params()
        A, B, c, mx, my, n, s, dtype, p = gram_of(self, X, y, sample_weight)
        k = B.shape[1]
        # the in-memory fit rescales the weights to sum to n: then Q = X^T S X / sum_s
        Q, q, yy = A / s, B / s, c / s
        if self.warm_start and hasattr(self, "coef_"):
            coef = np.array(self.coef_, dtype=np.float64, ndmin=2)
            if coef.shape != (k, p):
                raise ValueError(
                    f"warm_start=True but the previous coef_ has shape {np.shape(self.coef_)}, "
                    f"which does not fit X with {p} features and y with {k} target(s)."
                )
        else:
            coef = np.zeros((k, p))
        seeds = None
        if self.selection == "random":
            rng = check_random_state(self.random_state)
            seeds = [int(v) for v in rng.randint(1, np.iinfo(np.int32).max, size=k)]
        max_iter = 1000 if self.max_iter is None else self.max_iter
        l1, l2 = self.alpha * self.l1_ratio, self.alpha * (1.0 - self.l1_ratio)
        runs = [
            py_gram_cd(np.ascontiguousarray(Q), np.ascontiguousarray(q[:, t]), float(yy[t]), coef[t],
                       l1, l2, float(n), max_iter, self.tol, self.positive, seeds is not None,
                       seeds[t] if seeds else 0, int(self.verbose))
            for t in range(k)
        ]
        if not all(np.isfinite(w).all() for w in coef):
            raise nonfinite_error()
        status, n_iter, gap, curve = (list(v) for v in zip(*runs))
        self._check_result(_EnetResult(coef, mx, my, status, n_iter, gap, curve, "gram"), "cd")
        intercept = my - coef @ mx
        self.n_features_in_ = p
        if np.ndim(y) == 1:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0]) if self.fit_intercept else 0.0
            self.n_iter_, self.dual_gap_, self.loss_curve_ = n_iter[0], dtype.type(gap[0]), curve[0]
        else:
            self.coef_ = coef.astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
            self.n_iter_, self.dual_gap_, self.loss_curve_ = n_iter, np.asarray(gap, dtype), curve
        self.solver_ = "cd"
        self._cd_variant = "gram"
        return self

    def predict(self, X):
        if not is_dask_collection(X):
            return super().predict(X)
        return _predict.scores(X, self.coef_, self.intercept_, np.float64)

    def score(self, X, y, sample_weight=None):
        """R^2; a lazy Dask scalar on Dask input."""
        if not is_dask_collection(X):
            return super().score(X, y, sample_weight)
        return r2(y, self.predict(X), sample_weight)


_CD_NOTES = """
    On Dask input (tall data: n >> p) ``fit`` computes the weighted Gram
    matrix and moments in one round of per-chunk BLAS passes and runs
    fastgrad's compiled covariance coordinate descent on it, on the client
    (the in-memory ``"gram"`` variant, so the same iterates); ``solver``
    and ``precompute`` are not used there. ``predict`` and ``score`` return
    lazy Dask arrays for Dask input.
"""


class ElasticNet(_GramCD, _InMemoryElasticNet):
    __doc__ = "fastgrad's ``ElasticNet`` that also fits on Dask arrays.\n" + _CD_NOTES


class Lasso(_GramCD, _InMemoryLasso):
    __doc__ = "fastgrad's ``Lasso`` that also fits on Dask arrays.\n" + _CD_NOTES
