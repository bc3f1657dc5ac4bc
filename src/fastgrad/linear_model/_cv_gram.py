"""Gram problems of all CV folds from one pass over ``X``.

For a tall dense ``X`` the fold paths run on Gram matrices, and computing
one per training set costs ``(K - 1) n p^2`` for K folds (plus a copy of
each training part). When a fold's training rows are exactly the rows not
in its test part (KFold and friends), its sums are the whole data's minus
the test part's: one pass over ``X`` plus one over each test part, about
``2 n p^2`` in all.

The sums are taken around a pivot row (the first row, as in ``_gram``), so
centring afterwards does not cancel digits when the columns have large
means; the subtraction of the test part costs at most ``log10(K / (K - 1))``
digits.
"""

import numpy as np

from ._gram import _blas_threads, _blocked_sums
from ._path_solve import PathProblem

__all__ = ["FoldGrams", "is_complement"]


def is_complement(train, test, n_samples):
    """Whether ``train`` is exactly the rows outside ``test``."""
    return (len(train) + len(test) == n_samples
            and np.intersect1d(train, test, assume_unique=False).size == 0
            and np.unique(train).size == len(train))


class FoldGrams:
    """Whole-data shifted sums; ``problem(train, test)`` gives one fold's Gram problem."""

    def __init__(self, X, y, sample_weight, fit_intercept):
        n, p = X.shape
        self.X, self.Y, self.s = X, y.reshape(-1, 1), sample_weight
        self.fit_intercept = fit_intercept
        self.x0 = X[0].astype(np.float64) if fit_intercept else np.zeros(p)
        self.y0 = self.Y[0].astype(np.float64) if fit_intercept else np.zeros(1)
        self.totals = self._sums(np.arange(n), whole=True)

    def _sums(self, rows, whole=False):
        X = self.X if whole else self.X[rows]
        Y = self.Y if whole else self.Y[rows]
        s = self.s if (whole or self.s is None) else self.s[rows]
        with _blas_threads(X.shape[0], X.shape[1], None):
            G, C, a, c = _blocked_sums(X, Y, s, self.x0, self.y0)
        e = Y[:, 0].astype(np.float64) - self.y0[0]
        sum_s = float(X.shape[0]) if s is None else float(np.sum(s, dtype=np.float64))
        syy = float(e @ e) if s is None else float((s * e) @ e)
        return G, C, a, c, sum_s, syy

    def problem(self, train, test):
        """The fold's mean-scale Gram problem, as ``prepare_path_problem`` builds it."""
        G, C, a, c, sum_s, syy = (t - u for t, u in zip(self.totals, self._sums(test)))
        if self.fit_intercept:
            x_shift, y_shift = a / sum_s, c / sum_s
            XtX = G - np.outer(a, x_shift)
            XtY = C - np.outer(a, y_shift)
            yy = syy - c[0] * y_shift[0]
            x_mean, y_mean = self.x0 + x_shift, self.y0 + y_shift
        else:
            XtX, XtY, yy = G, C, syy
            x_mean, y_mean = np.zeros(G.shape[0]), np.zeros(1)
        # weights rescaled to sum to n_train leave X^T S X / n_train unchanged
        XtX = 0.5 * (XtX + XtX.T)
        return PathProblem("gram", len(train),
                           (np.ascontiguousarray(XtX / sum_s), np.asfortranarray(XtY / sum_s),
                            np.array([yy / sum_s])), x_mean, y_mean)
