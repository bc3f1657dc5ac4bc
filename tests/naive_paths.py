"""Plain-numpy references for the path kernels: cyclic CD over every feature.

No working sets, no screening, float64, written for clarity: the compiled
paths (``fastgrad.linear_model._cd_fast.py_*_cd_path``) must reach the same
solutions, which are unique for these well-posed test problems.
"""

import numpy as np


def naive_enet_path(X, y, alphas, l1_ratio=1.0, positive=False, tol=1e-12, max_iter=100000):
    """Elastic-net path on uncentred ``X`` (n, p), 1-D ``y``: coefs (p, n_alphas)."""
    X = np.asarray(X, dtype=np.float64)
    n, p = X.shape
    w = np.zeros(p)
    norms = (X ** 2).sum(axis=0) / n
    out = np.zeros((p, len(alphas)))
    for a, alpha in enumerate(alphas):
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        r = y - X @ w
        for _ in range(max_iter):
            largest = 0.0
            for j in range(p):
                z = X[:, j] @ r / n + norms[j] * w[j]
                new = np.sign(z) * max(abs(z) - l1, 0.0) / (norms[j] + l2)
                if positive:
                    new = max(new, 0.0)
                r -= X[:, j] * (new - w[j])
                largest = max(largest, abs(new - w[j]))
                w[j] = new
            if largest < tol:
                break
        out[:, a] = w
    return out


def naive_multitask_path(X, Y, alphas, l1_ratio=1.0, tol=1e-12, max_iter=100000):
    """Multi-task path, penalty ``l1 sum_j ||W_j||_2 + l2/2 ||W||^2``: (k, p, n_alphas)."""
    X = np.asarray(X, dtype=np.float64)
    n, p = X.shape
    k = Y.shape[1]
    W = np.zeros((p, k))
    norms = (X ** 2).sum(axis=0) / n
    out = np.zeros((k, p, len(alphas)))
    for a, alpha in enumerate(alphas):
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        R = Y - X @ W
        for _ in range(max_iter):
            largest = 0.0
            for j in range(p):
                t = X[:, j] @ R / n + norms[j] * W[j]
                size = np.linalg.norm(t)
                new = t * max(1 - l1 / size, 0.0) / (norms[j] + l2) if size > 0 else 0 * t
                R -= np.outer(X[:, j], new - W[j])
                largest = max(largest, np.abs(new - W[j]).max())
                W[j] = new
            if largest < tol:
                break
        out[:, :, a] = W.T
    return out


def naive_alpha_max(X, y, sample_weight=None, fit_intercept=True, l1_ratio=1.0):
    """The smallest alpha with an all-zero solution, from its optimality condition."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    if fit_intercept:
        X = X - s @ X / s.sum()
        y = y - s @ y / s.sum()
    return np.abs(X.T @ (s * y)).max() / (s.sum() * l1_ratio)
