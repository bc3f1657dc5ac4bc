"""Plain-numpy reference for the elastic net, written for clarity, not speed.

Everything in float64. The compiled loops in ``fastgrad.linear_model._cd_fast`` are
checked against these functions on the same problems.
"""

import numpy as np


def weighted_centred(X, y, sample_weight=None, fit_intercept=True):
    """Centred data scaled by sqrt(weights), weights rescaled to sum to n.

    Returns ``(Xw, yw, x_mean, y_mean)``; the objective of ``naive_enet``
    on ``(Xw, yw)`` is the weighted elastic-net objective of ``(X, y)``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    s = s * n / s.sum()
    if fit_intercept:
        x_mean = s @ X / n
        y_mean = s @ y / n
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = np.zeros(y.shape[1:]) if y.ndim > 1 else 0.0
    root = np.sqrt(s)
    Xw = (X - x_mean) * root[:, None]
    yw = (y - y_mean) * (root if y.ndim == 1 else root[:, None])
    return Xw, yw, x_mean, y_mean


def enet_objective(X, y, w, b, alpha, l1_ratio, sample_weight=None):
    """The elastic-net objective, straight from its definition."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    r = y - X @ w - b
    return (0.5 * np.sum(s * r**2) / s.sum() + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1 - l1_ratio) * w @ w)


def kkt_violation(Xw, yw, w, l1, l2, positive=False):
    """Largest violation of the optimality conditions of the mean-scale problem.

    With ``g = X^T (y - X w) / n - l2 w``: ``g_j = l1 sign(w_j)`` where
    ``w_j != 0`` and ``|g_j| <= l1`` where ``w_j == 0`` (``g_j <= l1`` with
    ``positive``).
    """
    n = Xw.shape[0]
    g = Xw.T @ (yw - Xw @ w) / n - l2 * w
    active = w != 0
    worst = np.abs(g[active] - l1 * np.sign(w[active]))
    inactive = g[~active] if positive else np.abs(g[~active])
    return max(worst.max(initial=0.0), np.maximum(inactive - l1, 0.0).max(initial=0.0))


def naive_enet(Xw, yw, l1, l2, w0=None, max_iter=100_000, tol=1e-12, positive=False):
    """Cyclic coordinate descent on the mean-scale objective.

    ``1/(2n) ||yw - Xw w||^2 + l1 ||w||_1 + l2/2 ||w||^2``; stops when no
    coefficient moves by more than ``tol`` times the largest one. Returns
    ``(w, n_epochs)``.
    """
    n, p = Xw.shape
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=np.float64)
    col_sq = (Xw**2).sum(axis=0) / n
    r = yw - Xw @ w
    for epoch in range(1, max_iter + 1):
        biggest_move = 0.0
        for j in range(p):
            if col_sq[j] == 0:
                continue
            z = Xw[:, j] @ r / n + col_sq[j] * w[j]
            if positive:
                new = max(z - l1, 0.0) / (col_sq[j] + l2)
            else:
                new = np.sign(z) * max(abs(z) - l1, 0.0) / (col_sq[j] + l2)
            r -= (new - w[j]) * Xw[:, j]
            biggest_move = max(biggest_move, abs(new - w[j]))
            w[j] = new
        if biggest_move <= tol * max(np.abs(w).max(), 1e-300):
            return w, epoch
    return w, max_iter
