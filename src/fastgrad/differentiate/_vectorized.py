"""Stencils for vectorized functions: every perturbed point in a few calls.

Same stencils, names and results as the per-point kernels in
:mod:`fastgrad.differentiate._stencils_first` / :mod:`fastgrad.differentiate._stencils_second`, but the
perturbed points of the whole batch are built as one array and ``f`` is
called on it in chunks (bounded memory), then the values are combined with
array arithmetic.
"""
from __future__ import annotations

import numpy as np

from ._batch import NonFiniteError
from ._stencils_second import COMPLEX_H

#: Upper bound on the bytes of one chunk of evaluation points.
CHUNK_BYTES = 32 * 2**20


def _evaluate(fn, X, P):
    """f at the points ``P`` (n, k, d) -> values (n, k) or (n, k, m)."""
    n, k, d = P.shape
    flat = P.reshape(n * k, d)
    rows = max(1, CHUNK_BYTES // (flat.itemsize * d))
    parts = []
    for lo in range(0, n * k, rows):
        chunk = flat[lo : lo + rows]
        val = np.asarray(fn.func(chunk.copy(), *fn.args))
        want = (len(chunk), fn.m) if fn.m is not None else (len(chunk),)
        if val.shape != want:
            raise ValueError(
                f"with vectorized=True, {fn.name} must return shape {want} for "
                f"{len(chunk)} points, got {val.shape}."
            )
        parts.append(val)
    F = np.concatenate(parts).reshape((n, k) + ((fn.m,) if fn.m is not None else ()))
    finite = np.isfinite(F)
    if not finite.all():
        if F.ndim == 3:
            finite = finite.all(axis=2)
        i, j = np.argwhere(~finite)[0]
        raise NonFiniteError(fn.name, int(i), P[i, j].real.copy(), X[i])
    scale = np.abs(F.real if np.iscomplexobj(F) else F).reshape(n, -1).max(axis=1)
    return F, scale


def _axis(H):
    """(n, d) steps -> (n, d, d) displacements h_j e_j."""
    n, d = H.shape
    D = np.zeros((n, d, d), dtype=H.dtype)
    D[:, np.arange(d), np.arange(d)] = H
    return D


def _grad_like(fn, X, H, mode, complex_step):
    Xe = X[:, None, :]
    E = _axis(H)
    if complex_step:
        F, scale = _evaluate(fn, X, Xe + 1j * E)
        G = F.imag / (H[..., None] if F.ndim == 3 else H)
        return (np.swapaxes(G, 1, 2) if F.ndim == 3 else G), scale
    if mode == 2:
        F, scale = _evaluate(fn, X, np.concatenate([Xe + E, Xe - E], axis=1))
        Fp, Fm = F[:, : X.shape[1]], F[:, X.shape[1] :]
        div = 2.0 * H
    else:
        sign = 1.0 if mode == 0 else -1.0
        F, scale = _evaluate(fn, X, np.concatenate([Xe, Xe + sign * E], axis=1))
        F0, F1 = F[:, :1], F[:, 1:]
        Fp, Fm = (F1, F0) if mode == 0 else (F0, F1)
        div = H
    if F.ndim == 3:  # Jacobian: (n, d, m) -> (n, m, d)
        return np.swapaxes((Fp - Fm) / div[..., None], 1, 2), scale
    return (Fp - Fm) / div, scale


def _pairs(d):
    return np.triu_indices(d, k=1)


def _hess_central(fn, X, H):
    n, d = X.shape
    Xe = X[:, None, :]
    E = _axis(H)
    iu, ju = _pairs(d)
    Epair = E[:, iu] + E[:, ju]
    P = np.concatenate([Xe, Xe + E, Xe - E, Xe + Epair, Xe - Epair], axis=1)
    F, scale = _evaluate(fn, X, P)
    f0 = F[:, :1]
    fp, fm = F[:, 1 : d + 1], F[:, d + 1 : 2 * d + 1]
    npair = len(iu)
    fpp, fmm = F[:, 2 * d + 1 : 2 * d + 1 + npair], F[:, 2 * d + 1 + npair :]
    out = np.empty((n, d, d))
    out[:, np.arange(d), np.arange(d)] = ((fp - f0) + (fm - f0)) / (H * H)
    num = ((fpp - fp[:, iu]) - (fp[:, ju] - f0)) + ((fmm - fm[:, iu]) - (fm[:, ju] - f0))
    off = num / (2.0 * H[:, iu] * H[:, ju])
    out[:, iu, ju] = off
    out[:, ju, iu] = off
    return out, scale


def _hess_complex(fn, X, H):
    n, d = X.shape
    iu, ju = np.triu_indices(d)  # diagonal included
    C = COMPLEX_H * np.maximum(1.0, np.abs(X))
    Xe = X[:, None, :].astype(np.complex128)
    Ec = np.zeros((n, len(iu), d), dtype=np.complex128)
    Ec[:, np.arange(len(iu)), iu] = 1j * C[:, iu]
    Er = np.zeros((n, len(iu), d))
    Er[:, np.arange(len(iu)), ju] = H[:, ju]
    F, scale = _evaluate(fn, X, np.concatenate([Xe + Ec + Er, Xe + Ec - Er], axis=1))
    k = len(iu)
    vals = (F[:, :k].imag - F[:, k:].imag) / (2.0 * C[:, iu] * H[:, ju])
    out = np.empty((n, d, d))
    out[:, iu, ju] = vals
    out[:, ju, iu] = vals
    return out, scale


def _hvp_cross(fn, X, H, V):
    # the cross stencil of _stencils_second.hvp_cross_point, b = V
    d = X.shape[1]
    E = _axis(H)
    Xp = (X + V)[:, None, :]
    Xm = (X - V)[:, None, :]
    P = np.concatenate([Xp + E, Xp - E, Xm + E, Xm - E], axis=1)
    F, scale = _evaluate(fn, X, P)
    fpp, fpm, fmp, fmm = F[:, :d], F[:, d:2 * d], F[:, 2 * d:3 * d], F[:, 3 * d:]
    return ((fpp - fpm) - (fmp - fmm)) / (4.0 * H), scale


def _hvp_complex(fn, X, H, V):
    Xe = (X + 1j * V)[:, None, :]
    E = _axis(H)
    F, scale = _evaluate(fn, X, np.concatenate([Xe + E, Xe - E], axis=1))
    d = X.shape[1]
    return (F[:, :d].imag - F[:, d:].imag) / (2.0 * H), scale


def _hvp_grad(fn, X, V, complex_step):
    if complex_step:
        G, scale = _evaluate(fn, X, (X + 1j * V)[:, None, :])
        return G[:, 0].imag, scale
    G, scale = _evaluate(fn, X, np.stack([X + V, X - V], axis=1))
    return 0.5 * (G[:, 0] - G[:, 1]), scale


def run_vectorized(name, fn, X, H, V, mode):
    """Vectorized counterpart of :func:`fastgrad.differentiate._batch.run_batch`."""
    if name == "value":
        F, scale = _evaluate(fn, X, X[:, None, :])
        return F[:, :1], scale
    if name in ("grad_fd", "jac_fd"):
        return _grad_like(fn, X, H, mode, False)
    if name in ("grad_complex", "jac_complex"):
        return _grad_like(fn, X, H, mode, True)
    if name == "hess_central":
        return _hess_central(fn, X, H)
    if name == "hess_complex":
        return _hess_complex(fn, X, H)
    if name == "hvp_cross":
        return _hvp_cross(fn, X, H, V)
    if name == "hvp_complex":
        return _hvp_complex(fn, X, H, V)
    if name in ("hvp_grad", "hvp_grad_complex"):
        return _hvp_grad(fn, X, V, name == "hvp_grad_complex")
    raise KeyError(name)
