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


def elastic_net_cd(X, y, alpha, l1_ratio, tol=1e-4, max_iter=1000):
    """Elastic net by Gram-based coordinate descent in numpy (a Python loop over features).

    Minimises ``1/(2n) ||y_c - X_c w||^2 + alpha l1_ratio ||w||_1 +
    alpha (1 - l1_ratio) / 2 ||w||^2`` on centred data; stops when an epoch
    moves no coefficient by more than ``tol`` times the largest one.
    Returns ``np.r_[coef, intercept]``.
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    n, p = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc = X - x_mean
    Q = Xc.T @ Xc / n
    q = Xc.T @ (y - y_mean) / n
    l1, l2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    w = np.zeros(p)
    for _ in range(max_iter):
        biggest_step = 0.0
        for j in range(p):
            z = q[j] - Q[j] @ w + Q[j, j] * w[j]
            new = np.sign(z) * max(abs(z) - l1, 0.0) / (Q[j, j] + l2) if Q[j, j] + l2 > 0 else 0.0
            biggest_step = max(biggest_step, abs(new - w[j]))
            w[j] = new
        if biggest_step <= tol * max(np.abs(w).max(), 1e-300):
            break
    return np.r_[w, y_mean - x_mean @ w]


def sgd_squared(X, y, *, alpha=1e-4, eta0=0.01, power_t=0.25, epochs=5, seed=0):
    """Per-sample SGD on ``0.5 (x.w + b - y)^2 + alpha/2 ||w||^2``, in a Python loop.

    scikit-learn's default schedule (``invscaling``: ``eta = eta0 / t**power_t``,
    ``t`` counting samples from 1), a fresh shuffle per epoch, the intercept
    updated with the same step and not penalised. Returns ``np.r_[coef, intercept]``.
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    n, p = X.shape
    rng = np.random.default_rng(seed)
    w = np.zeros(p)
    b = 0.0
    t = 1
    for _ in range(epochs):
        for i in rng.permutation(n):
            eta = eta0 / t**power_t
            residual = X[i] @ w + b - y[i]
            w -= eta * (residual * X[i] + alpha * w)
            b -= eta * residual
            t += 1
    return np.r_[w, b]
