"""Plain-numpy versions of the compiled full-batch loops (``_solvers_fast``).

Same definitions, written for clarity: the mean-form least-squares objective
``0.5 * sum s r^2 / sum_s + 0.5 * alpha ||w||^2`` on centred coordinates
``(w, c)``, and the update rules of ``heavy_ball_loop`` and ``prox_loop``.
Used to check the compiled iterates step by step.
"""

import numpy as np


def objective(X, y, sw, mean, alpha, fit_intercept):
    """``f(coef)`` and its gradient as two closures over float64 copies."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    s = np.ones(len(y)) if sw is None else np.asarray(sw, np.float64)
    Xc = X - mean
    p = X.shape[1]

    def f_grad(coef):
        w = coef[:p]
        c = coef[p] if fit_intercept else 0.0
        r = Xc @ w + c - y
        f = 0.5 * np.sum(s * r * r) / s.sum() + 0.5 * alpha * w @ w
        g_w = Xc.T @ (s * r) / s.sum() + alpha * w
        g = np.r_[g_w, np.sum(s * r) / s.sum()] if fit_intercept else g_w
        return f, g

    return f_grad


def heavy_ball(f_grad, coef, lr, mu, max_iter, tol):
    coef = np.array(coef, np.float64)
    v = np.zeros_like(coef)
    curve = []
    for _ in range(max_iter + 1):
        f, g = f_grad(coef)
        curve.append(f)
        if np.abs(g).max() <= tol or len(curve) == max_iter + 1:
            break
        v = mu * v - lr * g
        coef = coef + v
    return coef, np.array(curve)


def soft_threshold(z, t, positive):
    if positive:
        return np.maximum(z - t, 0.0)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def proximal(f_grad, coef, lr, max_iter, tol, *, accelerate, mu=-1.0, l1=0.0, positive=False, n_pen=None):
    """ISTA / FISTA (or GD / Nesterov when l1 = 0) with gradient-based restart."""
    x = np.array(coef, np.float64)
    n_pen = len(x) if n_pen is None else n_pen
    y = x.copy()
    t = 1.0
    curve = []
    for _ in range(max_iter + 1):
        f, g = f_grad(y)
        curve.append(f + l1 * np.abs(y[:n_pen]).sum())
        z = y - lr * g
        x_new = z.copy()
        if l1 > 0 or positive:
            x_new[:n_pen] = soft_threshold(z[:n_pen], lr * l1, positive)
        if np.abs(y - x_new).max() / lr <= tol:
            return x_new, np.array(curve)
        if not accelerate:
            x = y = x_new
            continue
        restart = (y - x_new) @ (x_new - x) > 0
        if mu < 0:
            if restart:
                t = 1.0
            t_next = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
            beta = (t - 1) / t_next
            t = t_next
        else:
            beta = 0.0 if restart else mu
        y = x_new + beta * (x_new - x)
        x = x_new
    return x_new, np.array(curve)
