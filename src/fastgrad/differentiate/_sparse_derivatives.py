"""Sparse Jacobians and Hessians: compressed evaluation and recovery.

* Jacobian (``jacobian(..., sparsity=P)``): the columns are coloured so that no
  row has entries in two columns of one colour (:mod:`._colouring`).  Each
  colour group ``c`` is one perturbation ``u_c = sum(h_j e_j, j in c)``, with
  every column's own step ``h_j`` (the dense method's step), so a central
  Jacobian costs ``2 * ncolours`` evaluations per point instead of ``2 d``.
  Entry ``(i, j)`` is row ``i`` of group ``colour[j]``'s difference divided
  by ``h_j`` -- the very number the dense stencil computes when the pattern
  is right, because ``f_i`` does not see the other columns of the group.
* Hessian from a gradient (``hessian(..., grad=g, sparsity=P)``): the Jacobian
  of ``g`` compressed by a *star* colouring of the symmetric pattern; every
  entry is read directly from one of its two rows (from both, averaged, when
  both rows determine it, as the dense method symmetrises ``(J + J.T) / 2``).
  An arrow pattern needs 2 colours, a band of half-width ``b`` ``2b + 1``.
* Hessian from ``f`` alone: each evaluation gives one number, and a Hessian
  with ``E`` off-diagonal pairs has ``d + E`` unknowns, so no grouping can go
  below ``O(d + E)`` evaluations.  The dense two-dimensional stencil is
  therefore evaluated on the pattern's entries only: ``1 + 2 d + 2 E``
  evaluations instead of ``d**2 + d + 1``, with bit-for-bit the dense entries.

The compressed values come from the compiled kernels of
:mod:`._sparse_kernels` for numba functions, and from numpy arrays of
perturbed points for plain Python and vectorized functions; the recovery
(index arrays precomputed from the pattern) is shared.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._batch import NonFiniteError
from ._info import DiffInfo
from ._sparse_kernels import recover_columns, run_compiled
from ._plans import plan
from ._sparsity import Pattern
from ._stencils_second import COMPLEX_H
from ._vectorized import _evaluate

_MODE = {"forward": 0, "backward": 1, "central": 2, "complex": 0}


def _evaluate_points(fn, X, P):
    """f at points ``P`` of shape (n, k, d) -> values (n, k) or (n, k, m)."""
    if fn.kind == "vectorized":
        return _evaluate(fn, X, P)[0]
    n, k, _ = P.shape
    shape = (n, k) if fn.m is None else (n, k, fn.m)
    F = np.empty(shape, dtype=np.complex128 if np.iscomplexobj(P) else np.float64)
    for i in range(n):
        for t in range(k):
            v = fn.func(P[i, t], *fn.args)
            if np.shape(v) != shape[2:]:
                raise ValueError(f"{fn.name} must return shape {shape[2:]} at every point, got {np.shape(v)}.")
            if not np.all(np.isfinite(v)):
                raise NonFiniteError(fn.name, i, P[i, t].real.copy(), X[i])
            F[i, t] = v
    return F


def _evals(method, ncol):
    """Evaluations per point: one per group and side, plus f(x) for one-sided differences."""
    return ncol * (2 if method == "central" else 1) + (method in ("forward", "backward"))


def _raise_nonfinite(fn, X, status, bad):
    if status.any():
        row = int(np.flatnonzero(status)[0])
        raise NonFiniteError(fn.name, row, bad[row], X[row])


def compressed(fn, X, H, method, gptr, members):
    """Raw group differences, shape (n, ncolours, m) (see :mod:`._sparse_kernels`)."""
    n, d = X.shape
    ncol = len(gptr) - 1
    complex_step = method == "complex"
    if fn.kind == "numba":
        out = np.empty((n, ncol, fn.m))
        name = "jac_groups_complex" if complex_step else "jac_groups"
        status, bad = run_compiled(name, fn, X, H, (gptr, members), _MODE[method], out, _evals(method, ncol))
        _raise_nonfinite(fn, X, status, bad)
        return out
    U = np.zeros((ncol, d))
    U[np.repeat(np.arange(ncol), np.diff(gptr)), members] = 1.0
    U = U[None, :, :] * H[:, None, :]  # (n, ncol, d): group directions with per-column steps
    Xe = X[:, None, :]
    if complex_step:
        B = _evaluate_points(fn, X, Xe + 1j * U).imag
    elif method == "central":
        F = _evaluate_points(fn, X, np.concatenate([Xe + U, Xe - U], axis=1))
        B = F[:, :ncol] - F[:, ncol:]
    else:
        sign = 1.0 if method == "forward" else -1.0
        F = _evaluate_points(fn, X, np.concatenate([Xe, Xe + sign * U], axis=1))
        B = (F[:, 1:] - F[:, :1]) if method == "forward" else (F[:, :1] - F[:, 1:])
    return np.ascontiguousarray(B)


def _divisor(method, H, cols):
    return (2.0 if method == "central" else 1.0) * H[:, cols]


def to_sparse(data, pattern: Pattern, batched: bool):
    """One sparse matrix per point (a list for a batch), each with the pattern's structure."""
    cls = sp.csr_array if pattern.as_array else sp.csr_matrix
    csr = pattern.csr
    mats = [cls((row, csr.indices.copy(), csr.indptr.copy()), shape=csr.shape) for row in data]
    return mats if batched else mats[0]


def sparse_jacobian(fn, X, H, method, pattern: Pattern):
    """Values ``(n, nnz)`` of the Jacobian on the pattern, the colour count, evaluations per point."""
    n = X.shape[0]
    csr = pattern.csr
    if csr.nnz == 0:
        return np.zeros((n, 0)), 0, 0
    jp = plan("jacobian", csr)
    g = jp.grouping
    B = compressed(fn, X, H, method, g.gptr, g.members)
    div = 2.0 if method == "central" else 1.0
    return recover_columns(B, H, jp.source, csr.indices, div), g.ncolours, _evals(method, g.ncolours)


def sparse_hessian_from_grad(gfn, X, H, method, pattern: Pattern):
    """Values ``(n, nnz)`` of the Hessian (pattern symmetric) from the gradient ``gfn``."""
    n = X.shape[0]
    csr = pattern.csr
    if csr.nnz == 0:
        return np.zeros((n, 0)), 0, 0
    r = plan("hessian_grad", csr)
    g = r.grouping
    B = compressed(gfn, X, H, method, g.gptr, g.members)
    est = B.reshape(n, -1)[:, r.source] / _divisor(method, H, csr.indices)
    est_t = est[:, r.transposed]
    direct_t = r.direct[r.transposed]
    # read from both rows when both determine the entry: (J + J.T) / 2, as the dense method
    values = np.where(r.direct & direct_t, 0.5 * (est + est_t), np.where(r.direct, est, est_t))
    return values, g.ncolours, _evals(method, g.ncolours)


def _hess_pattern_numpy(fn, X, H, method, verts, ui, uj):
    n, d = X.shape
    nu = len(ui)
    off = ui != uj
    oi, oj = ui[off], uj[off]
    out = np.empty((n, nu))
    for p in range(n):  # one point at a time: the perturbed points can be many
        x, h = X[p], H[p]
        if method == "complex":
            c = COMPLEX_H * np.maximum(1.0, np.abs(x[ui]))
            P = np.repeat(x[None, :].astype(np.complex128), 2 * nu, axis=0)
            dk, ok = np.flatnonzero(~off), np.flatnonzero(off)
            # diagonal: both steps on one coordinate, x_i +- h_i + i c
            di = ui[dk]
            P[dk, di] = (x[di] + h[di]) + 1j * c[dk]
            P[nu + dk, di] = (x[di] - h[di]) + 1j * c[dk]
            # off the diagonal: imaginary step on ui, real step on uj
            P[ok, oi] = x[oi] + 1j * c[ok]
            P[nu + ok, oi] = x[oi] + 1j * c[ok]
            P[ok, oj] = x[oj] + h[oj]
            P[nu + ok, oj] = x[oj] - h[oj]
            F = _evaluate_points(fn, X[p : p + 1], P[None])[0]
            out[p] = (F[:nu].imag - F[nu:].imag) / (2.0 * c * h[uj])
            continue
        nv, no = len(verts), len(oi)
        P = np.repeat(x[None, :], 1 + 2 * nv + 2 * no, axis=0)
        kv, ko = np.arange(nv), np.arange(no)
        P[1 + kv, verts] = x[verts] + h[verts]
        P[1 + nv + kv, verts] = x[verts] - h[verts]
        base = 1 + 2 * nv
        P[base + ko, oi] = x[oi] + h[oi]
        P[base + ko, oj] = x[oj] + h[oj]
        P[base + no + ko, oi] = x[oi] - h[oi]
        P[base + no + ko, oj] = x[oj] - h[oj]
        F = _evaluate_points(fn, X[p : p + 1], P[None])[0]
        f0 = F[0]
        fplus, fminus = np.empty(d), np.empty(d)
        fplus[verts], fminus[verts] = F[1 : 1 + nv], F[1 + nv : base]
        fpp, fmm = F[base : base + no], F[base + no :]
        vals = np.empty(nu)
        di = ui[~off]
        vals[~off] = ((fplus[di] - f0) + (fminus[di] - f0)) / (h[di] * h[di])
        num = ((fpp - fplus[oi]) - (fplus[oj] - f0)) + ((fmm - fminus[oi]) - (fminus[oj] - f0))
        vals[off] = num / (2.0 * h[oi] * h[oj])
        out[p] = vals
    return out


def sparse_hessian_from_f(fn, X, H, method, pattern: Pattern):
    """Values ``(n, nnz)`` of the Hessian (pattern symmetric) from ``f`` alone."""
    n = X.shape[0]
    csr = pattern.csr
    if csr.nnz == 0:
        return np.zeros((n, 0)), 0
    st = plan("stencil", csr)
    ui, uj, verts = st.ui, st.uj, st.verts
    noff = int(np.count_nonzero(ui != uj))
    evals = 2 * len(ui) if method == "complex" else 1 + 2 * len(verts) + 2 * noff
    if fn.kind == "numba":
        upper = np.empty((n, len(ui)))
        name = "hess_pattern_complex" if method == "complex" else "hess_pattern"
        status, bad = run_compiled(name, fn, X, H, (verts, ui, uj), 0, upper, evals)
        _raise_nonfinite(fn, X, status, bad)
    else:
        upper = _hess_pattern_numpy(fn, X, H, method, verts, ui, uj)
    values = np.empty((n, csr.nnz))
    values[:, st.upper] = upper
    values[:, st.transposed[st.upper]] = upper
    return values, evals


def info(method, n, evals, H, ncol):
    return DiffInfo(method, n * evals + 1, H, groups=ncol)
