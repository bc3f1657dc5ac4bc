"""Plain numpy reference implementations ("naive" versions).

Straightforward, fully vectorized numpy: every perturbed copy of every point
is built at once and ``f`` is evaluated on all of them in one call.  They are
the reference the benchmarks measure fastgrad against, and the tests compare
fastgrad's kernels with them (``tests/naive.py`` re-exports this module).
They deliberately use the textbook stencils (e.g. the 4-point mixed
difference for Hessians), not fastgrad's evaluation-saving ones, so that
agreement means something.

``fvec`` always maps an ``(m, d)`` array of points to ``(m,)`` values (or
``(m, k)`` for vector functions).
"""
from __future__ import annotations

import numpy as np


def _eval(fvec, P, args=()):
    n, k, d = P.shape
    F = np.asarray(fvec(P.reshape(n * k, d), *args))
    return F.reshape((n, k) + F.shape[1:])


def grad_central(fvec, X, H, args=()):
    """(f(x + h e_j) - f(x - h e_j)) / 2h for all points and coordinates."""
    E = H[:, :, None] * np.eye(X.shape[1])
    Xe = X[:, None, :]
    return (_eval(fvec, Xe + E, args) - _eval(fvec, Xe - E, args)) / (2 * H)


def grad_forward(fvec, X, H, args=()):
    E = H[:, :, None] * np.eye(X.shape[1])
    return (_eval(fvec, X[:, None, :] + E, args) - _eval(fvec, X[:, None, :], args)) / H


def grad_backward(fvec, X, H, args=()):
    E = H[:, :, None] * np.eye(X.shape[1])
    return (_eval(fvec, X[:, None, :], args) - _eval(fvec, X[:, None, :] - E, args)) / H


def grad_complex(fvec, X, H, args=()):
    E = H[:, :, None] * np.eye(X.shape[1])
    return _eval(fvec, X[:, None, :] + 1j * E, args).imag / H


def jacobian_central(fvec, X, H, args=()):
    """(n, m, d) Jacobians of a vector function by central differences."""
    E = H[:, :, None] * np.eye(X.shape[1])
    Xe = X[:, None, :]
    D = (_eval(fvec, Xe + E, args) - _eval(fvec, Xe - E, args)) / (2 * H[:, :, None])
    return np.swapaxes(D, 1, 2)


def hessian_central(fvec, X, H, args=()):
    """Textbook 4-point stencil for every (i, j), all points at once.

    H_ij = [f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)] / (4 h_i h_j)
    with a = h_i e_i, b = h_j e_j (for i == j this is the wide 3-point rule).
    """
    n, d = X.shape
    E = H[:, :, None] * np.eye(d)  # (n, d, d): row i is h_i e_i
    A = E[:, :, None, :]
    B = E[:, None, :, :]
    Xe = X[:, None, None, :]
    P = np.stack([Xe + A + B, Xe + A - B, Xe - A + B, Xe - A - B], axis=3)  # (n, d, d, 4, d)
    F = np.asarray(fvec(P.reshape(-1, d), *args)).reshape(n, d, d, 4)
    return (F[..., 0] - F[..., 1] - F[..., 2] + F[..., 3]) / (4 * H[:, :, None] * H[:, None, :])


def hvp_central(fvec, X, V, H, r, args=()):
    """H v as the central difference of central-difference gradients along v."""
    R = r[:, None]
    return (grad_central(fvec, X + R * V, H, args) - grad_central(fvec, X - R * V, H, args)) / (2 * R)


def neville(D, ratio=2.0):
    """Richardson tableau of a list of central differences at steps h/ratio**k.

    Returns the most extrapolated value (the last diagonal entry).
    """
    T = [np.asarray(D[0], dtype=float)]
    for k in range(1, len(D)):
        row = [np.asarray(D[k], dtype=float)]
        for m in range(1, k + 1):
            row.append(row[m - 1] + (row[m - 1] - T[m - 1]) / (ratio ** (2 * m) - 1))
        T = row
    return T[-1]


def rosenbrock_vec(P):
    """Rosenbrock function of every row of ``P``."""
    return np.sum(100.0 * (P[:, 1:] - P[:, :-1] ** 2) ** 2 + (1.0 - P[:, :-1]) ** 2, axis=1)


def rosenbrock_grad(X):
    """Analytic gradient of the Rosenbrock function, row by row."""
    G = np.zeros_like(X)
    t = X[:, 1:] - X[:, :-1] ** 2
    G[:, :-1] = -400.0 * X[:, :-1] * t - 2.0 * (1.0 - X[:, :-1])
    G[:, 1:] += 200.0 * t
    return G


def rosenbrock_hess(X):
    """Analytic Hessian of the Rosenbrock function, row by row."""
    n, d = X.shape
    Hs = np.zeros((n, d, d))
    i = np.arange(d - 1)
    Hs[:, i, i] += 1200.0 * X[:, :-1] ** 2 - 400.0 * X[:, 1:] + 2.0
    Hs[:, i + 1, i + 1] += 200.0
    Hs[:, i, i + 1] = -400.0 * X[:, :-1]
    Hs[:, i + 1, i] = -400.0 * X[:, :-1]
    return Hs


# --- references added for the benchmark registry (fastgrad.bench.cases) ---


def derivative_central(fvec, t, h, args=()):
    """Elementwise central difference (f(t + h) - f(t - h)) / 2h of a vectorized scalar f."""
    return (fvec(t + h, *args) - fvec(t - h, *args)) / (2 * h)


def rosenbrock_residuals_vec(P):
    """Residuals of every row of ``P`` whose sum of squares is the Rosenbrock function.

    Row ``x`` of length ``d`` maps to ``[10 (x[1:] - x[:-1]**2), 1 - x[:-1]]``,
    a vector of length ``2 (d - 1)``.
    """
    return np.concatenate([10.0 * (P[:, 1:] - P[:, :-1] ** 2), 1.0 - P[:, :-1]], axis=1)


def rosenbrock_residuals_jac(X):
    """Analytic Jacobians ``(n, 2 (d - 1), d)`` of :func:`rosenbrock_residuals_vec`."""
    n, d = X.shape
    J = np.zeros((n, 2 * (d - 1), d))
    i = np.arange(d - 1)
    J[:, i, i] = -20.0 * X[:, :-1]
    J[:, i, i + 1] = 10.0
    J[:, d - 1 + i, i] = -1.0
    return J


def squared_loss_gradient(coef, X, y, intercept=0.0, alpha=0.0):
    """Least-squares loss and gradients in two numpy passes over ``X`` (unit weights).

    ``loss = 0.5 mean(r**2) + 0.5 alpha ||coef||**2`` with ``r = X @ coef + intercept - y``;
    returns ``(loss, grad_coef, grad_intercept)``.
    """
    r = X @ coef + intercept - y
    n = X.shape[0]
    loss = 0.5 * (r @ r) / n + 0.5 * alpha * (coef @ coef)
    return loss, X.T @ r / n + alpha * coef, r.sum() / n
