"""Benchmark cases of the sparse derivatives (``sparsity=``), part of the registry in ``cases``.

* ``jacobian-sparse/central/broyden-tridiagonal/d=10000``: the tridiagonal
  Jacobian of the Broyden tridiagonal function (Moré, Garbow and Hillstrom
  no. 30) at d = 10 000, from 3 colour groups, against
  ``scipy.optimize._numdiff.approx_derivative(method="3-point",
  sparsity=...)`` (its column grouping, the same central stencil and step
  rule) on the same jitted function, and a plain numpy version that knows the
  grouping (``j mod 3``) in advance.
* ``hessian-sparse/grad-central/arrowhead/d=1000``: the arrow Hessian of the
  CUTE ARWHEAD function from its gradient (a star colouring: 2 groups, 4
  gradient evaluations) against the dense ``fastgrad.hessian(..., grad=...)``
  (2d gradient evaluations) and scipy's ``approx_derivative(grad,
  sparsity=...)``, whose column grouping cannot share the dense row and needs
  d groups.
* ``hessian-sparse/central/arrowhead/d=200``: the same Hessian from ``f``
  alone -- the stencil on the pattern, ``1 + 2d + 2(d-1)`` evaluations --
  against the dense ``fastgrad.hessian`` (``d*d + d + 1``).

Every result is the pattern's values in CSR order (``J.data`` of a canonical
matrix), so the results of all implementations can be compared entry by entry.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

import fastgrad

__all__ = ["sparse_derivative_cases"]

EPS = float(np.finfo(np.float64).eps)


@numba.njit
def broyden_tridiagonal(x):
    d = x.shape[0]
    r = np.empty(d)
    for i in range(d):
        t = (3.0 - 2.0 * x[i]) * x[i] + 1.0
        if i > 0:
            t -= x[i - 1]
        if i < d - 1:
            t -= 2.0 * x[i + 1]
        r[i] = t
    return r


def broyden_tridiagonal_vec(P):
    """The residuals of every row of ``P`` (k, d) at once."""
    R = (3.0 - 2.0 * P) * P + 1.0
    R[:, 1:] -= P[:, :-1]
    R[:, :-1] -= 2.0 * P[:, 1:]
    return R


@numba.njit
def arrowhead(x):
    d = x.shape[0]
    s = 0.0
    for i in range(d - 1):
        q = x[i] * x[i] + x[d - 1] * x[d - 1]
        s += q * q - 4.0 * x[i] + 3.0
    return s


@numba.njit
def arrowhead_grad(x):
    d = x.shape[0]
    g = np.zeros(d)
    for i in range(d - 1):
        q = x[i] * x[i] + x[d - 1] * x[d - 1]
        g[i] = 4.0 * q * x[i] - 4.0
        g[d - 1] += 4.0 * q * x[d - 1]
    return g


def arrowhead_grad_vec(P):
    q = P[:, :-1] ** 2 + P[:, -1:] ** 2
    G = np.empty_like(P)
    G[:, :-1] = 4.0 * q * P[:, :-1] - 4.0
    G[:, -1] = 4.0 * P[:, -1] * q.sum(axis=1)
    return G


def values(J):
    """The stored values of a sparse matrix in canonical CSR order."""
    J = sp.csr_matrix(J)
    if not J.has_canonical_format:
        J = J.copy()
        J.sum_duplicates()
    return J.data


def on_pattern(H, pattern):
    """The entries of a dense ``H`` at the pattern's positions, in CSR order."""
    P = sp.csr_matrix(pattern)
    rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
    return np.asarray(H)[rows, P.indices]


def _steps(x, power):
    h = EPS**power * np.maximum(1.0, np.abs(x))
    return (x + h) - x


# ------------------------------------------------------------ tridiagonal Jacobian

def _tridiagonal_setup(sizes):
    def setup(size):
        d = sizes[size]
        x = np.random.default_rng(30).uniform(-1.0, 1.0, d)
        S = sp.diags([np.ones(d - 1), np.ones(d), np.ones(d - 1)], [-1, 0, 1], format="csr")
        from scipy.optimize._numdiff import group_columns

        # scipy's own column grouping, computed once, for its reuse form sparsity=(S, groups)
        return {"x": x, "S": S, "groups": group_columns(S)}

    return setup


def _tridiagonal_truth(data):
    x = data["x"]
    d = x.size
    J = sp.diags([-np.ones(d - 1), 3.0 - 4.0 * x, -2.0 * np.ones(d - 1)], [-1, 0, 1], format="csr")
    return values(J)


def _tridiagonal_numpy(data):
    # Central differences along the 3 directions sum(h_j e_j, j = c mod 3),
    # all 6 perturbed points in one call, then each entry from its column's group.
    x, S = data["x"], data["S"]
    d = x.size
    h = _steps(x, 1 / 3)
    U = np.zeros((3, d))
    U[np.arange(d) % 3, np.arange(d)] = h
    F = broyden_tridiagonal_vec(np.concatenate([x + U, x - U]))
    D = F[:3] - F[3:]  # (3, d): row c holds the differences of group c
    coo = S.tocoo()
    J = sp.csr_matrix((D[coo.col % 3, coo.row] / (2.0 * h[coo.col]), (coo.row, coo.col)), shape=S.shape)
    return values(J)


def _tridiagonal_scipy(data):
    from scipy.optimize._numdiff import approx_derivative

    return values(approx_derivative(broyden_tridiagonal, data["x"], method="3-point", sparsity=data["S"]))


def _tridiagonal_scipy_grouped(data):
    from scipy.optimize._numdiff import approx_derivative

    S = (data["S"], data["groups"])
    return values(approx_derivative(broyden_tridiagonal, data["x"], method="3-point", sparsity=S))


# ---------------------------------------------------------------- arrow Hessians

def _arrow_setup(sizes):
    def setup(size):
        d = sizes[size]
        x = np.random.default_rng(31).uniform(-1.0, 1.0, d)
        A = sp.lil_matrix((d, d), dtype=np.int8)
        A.setdiag(1)
        A[d - 1, :] = 1
        A[:, d - 1] = 1
        return {"x": x, "A": A.tocsr()}

    return setup


def _arrow_truth(data):
    x = data["x"]
    d = x.size
    xn = x[-1]
    H = sp.lil_matrix((d, d))
    H.setdiag(np.r_[12.0 * x[:-1] ** 2 + 4.0 * xn**2, 12.0 * (d - 1) * xn**2 + 4.0 * np.sum(x[:-1] ** 2)])
    H[d - 1, : d - 1] = 8.0 * x[:-1] * xn
    H[: d - 1, d - 1] = (8.0 * x[:-1] * xn)[:, None]
    return values(H.tocsr())


def _arrow_grad_numpy(data):
    # The arrow's star colouring written out: group 0 = {d-1}, group 1 = the rest.
    x = data["x"]
    d = x.size
    h = _steps(x, 1 / 3)
    U = np.zeros((2, d))
    U[0, -1] = h[-1]
    U[1, :-1] = h[:-1]
    G = arrowhead_grad_vec(np.concatenate([x + U, x - U]))
    D = (G[:2] - G[2:]) / 2.0  # (2, d)
    diag = np.r_[D[1, :-1] / h[:-1], D[0, -1] / h[-1]]
    off = D[0, :-1] / h[-1]  # H[i, d-1] from row i of group 0
    H = sp.lil_matrix((d, d))
    H.setdiag(diag)
    H[d - 1, : d - 1] = off
    H[: d - 1, d - 1] = off[:, None]
    return values(H.tocsr())


def _arrow_grad_dense(data):
    return on_pattern(fastgrad.hessian(arrowhead, data["x"], grad=arrowhead_grad), data["A"])


def _arrow_grad_scipy(data):
    from scipy.optimize._numdiff import approx_derivative

    J = approx_derivative(arrowhead_grad, data["x"], method="3-point", sparsity=data["A"])
    return values((J + J.T) / 2.0)


def _arrow_f_numpy(data):
    # The pattern stencil: f(x), f(x +- h_i e_i), f(x +- h_i e_i +- h_n e_n), all points at once.
    x = data["x"]
    d = x.size
    h = _steps(x, 1 / 4)
    E = np.diag(h)
    n = d - 1
    pair = E[:n] + E[n]
    P = np.concatenate([x[None], x + E, x - E, x + pair, x - pair])

    def fvec(Z):
        q = Z[:, :-1] ** 2 + Z[:, -1:] ** 2
        return np.sum(q * q - 4.0 * Z[:, :-1] + 3.0, axis=1)

    F = fvec(P)
    f0, fp, fm, fpp, fmm = F[0], F[1 : d + 1], F[d + 1 : 2 * d + 1], F[2 * d + 1 : 2 * d + 1 + n], F[2 * d + 1 + n :]
    diag = ((fp - f0) + (fm - f0)) / (h * h)
    off = (((fpp - fp[:n]) - (fp[n] - f0)) + ((fmm - fm[:n]) - (fm[n] - f0))) / (2.0 * h[:n] * h[n])
    H = sp.lil_matrix((d, d))
    H.setdiag(diag)
    H[n, :n] = off
    H[:n, n] = off[:, None]
    return values(H.tocsr())


def _arrow_f_dense(data):
    return on_pattern(fastgrad.hessian(arrowhead, data["x"]), data["A"])


def sparse_derivative_cases(Case, Reference, has_scipy):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    refs = {"numpy": Reference(_tridiagonal_numpy, "numpy central differences along the 3 known groups "
                                                    "(j mod 3), vectorized function, one call")}
    if has_scipy:
        refs["scipy"] = Reference(_tridiagonal_scipy, "scipy.optimize._numdiff.approx_derivative("
                                  "method='3-point', sparsity=S) on the same jitted function")
        refs["scipy_pregrouped"] = Reference(
            _tridiagonal_scipy_grouped, "the same with sparsity=(S, groups): scipy's grouping computed once "
            "outside the timed call (fastgrad reuses its colouring of a pattern it has seen, too)")
    yield Case("jacobian-sparse/central/broyden-tridiagonal/d=10000", "jacobian-sparse",
               _tridiagonal_setup({"full": 10_000, "quick": 10_000, "tiny": 12}),
               lambda dt: values(fastgrad.jacobian(broyden_tridiagonal, dt["x"], sparsity=dt["S"])),
               refs, _tridiagonal_truth, rtol=1e-8, atol=1e-8, point_keys=(),
               description="tridiagonal Jacobian (Broyden tridiagonal, d=10 000) from 3 colour groups")

    refs = {"numpy": Reference(_arrow_grad_numpy, "numpy central differences of the vectorized gradient "
                                                  "along the arrow's 2 known groups"),
            "dense": Reference(_arrow_grad_dense, "dense fastgrad.hessian(f, x, grad=g): 2d gradient evaluations",
                               atol=1e-6)}
    if has_scipy:
        refs["scipy"] = Reference(_arrow_grad_scipy, "scipy approx_derivative(grad, method='3-point', "
                                  "sparsity=A), symmetrised: column grouping needs d groups for an arrow",
                                  atol=1e-6)
    yield Case("hessian-sparse/grad-central/arrowhead/d=1000", "hessian-sparse",
               _arrow_setup({"full": 1000, "quick": 1000, "tiny": 9}),
               lambda dt: values(fastgrad.hessian(arrowhead, dt["x"], grad=arrowhead_grad, sparsity=dt["A"])),
               refs, _arrow_truth, rtol=1e-7, atol=1e-6, point_keys=(),
               description="arrow Hessian (ARWHEAD, d=1000) from its gradient: star colouring, 2 groups")

    refs = {"numpy": Reference(_arrow_f_numpy, "numpy stencil on the pattern's entries, vectorized f, one call"),
            "dense": Reference(_arrow_f_dense, "dense fastgrad.hessian(f, x): d*d + d + 1 evaluations")}
    yield Case("hessian-sparse/central/arrowhead/d=200", "hessian-sparse",
               _arrow_setup({"full": 200, "quick": 200, "tiny": 9}),
               lambda dt: values(fastgrad.hessian(arrowhead, dt["x"], sparsity=dt["A"])),
               refs, _arrow_truth, rtol=1e-5, atol=1e-4, point_keys=(),
               description="arrow Hessian (ARWHEAD, d=200) from f alone: 4d - 1 evaluations instead of d*d + d + 1")
