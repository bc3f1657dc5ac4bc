"""Plain numpy reference loops for the fixed-step methods of ``fastgrad.minimize``.

Each does exactly what the compiled loop does -- objective and gradient at
every iterate, the gradient-norm test, a history of (f, |g|_inf, step) --
with whole-vector numpy operations and a Python ``for`` over iterations.
They serve as the tests' reference (same iterates) and as the benchmark's
(the Python-overhead-bound way of writing the same loop).

``fun(x)`` and ``grad(x)`` are plain numpy functions of one point.
"""
from __future__ import annotations

import numpy as np


def _loop(fun, grad, x0, lr, n_iter, tol, update):
    x = np.array(x0, dtype=float)
    f, g = fun(x), grad(x)
    gnorm = np.max(np.abs(g))
    hist = [(f, gnorm, 0.0)]
    state = {"v": np.zeros_like(x)}
    k = 0
    while gnorm > tol and k < n_iter:
        a = lr[k] if np.ndim(lr) else lr
        x = update(x, g, a, state)
        f, g = fun(x), grad(x)
        gnorm = np.max(np.abs(g))
        k += 1
        hist.append((f, gnorm, a))
        if not np.isfinite(f):
            break
    return x, np.array(hist)


def gd(fun, grad, x0, lr, n_iter, tol=0.0):
    """Gradient descent ``x <- x - lr g``; returns ``(x, history)``."""
    return _loop(fun, grad, x0, lr, n_iter, tol, lambda x, g, a, s: x - a * g)


def momentum(fun, grad, x0, lr, n_iter, mu=0.9, tol=0.0):
    """Heavy ball ``v <- mu v - lr g; x <- x + v``."""
    def update(x, g, a, s):
        s["v"] = mu * s["v"] - a * g
        return x + s["v"]
    return _loop(fun, grad, x0, lr, n_iter, tol, update)


def nesterov(fun, grad, x0, lr, n_iter, mu=0.9, tol=0.0):
    """Nesterov momentum, gradient at the iterate: ``v <- mu v - lr g; x <- x + mu v - lr g``."""
    def update(x, g, a, s):
        s["v"] = mu * s["v"] - a * g
        return x + (mu * s["v"] - a * g)
    return _loop(fun, grad, x0, lr, n_iter, tol, update)


LOOPS = {"gd": gd, "momentum": momentum, "nesterov": nesterov}
