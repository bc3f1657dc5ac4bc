"""Plain-numpy references for the linear-model benchmarks (float64, for clarity)."""

import numpy as np

__all__ = ["ridge_normal_equations"]


def ridge_normal_equations(X, y, alpha, fit_intercept=True):
    """Ridge by the textbook route: centre a copy of X, form X^T X, solve.

    Returns ``np.r_[coef, intercept]``.
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    y_mean = y.mean() if fit_intercept else 0.0
    Xc = X - x_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (y - y_mean))
    return np.r_[coef, y_mean - x_mean @ coef]
