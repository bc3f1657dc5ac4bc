"""Colourings and recovery index arrays of a pattern, computed once and reused.

A sparse derivative is usually taken again and again with the same pattern
(every iteration of a Newton or least-squares solver).  The colouring and the
index arrays that scatter the compressed differences into the pattern depend
on the pattern alone, and for cheap functions they cost more than the
evaluations themselves, so they are kept in a small least-recently-used
cache.  The key is made of a few numbers of the canonical pattern; a hit is
confirmed by comparing the index arrays exactly, so a collision or a pattern mutated in
place can never reuse a wrong plan.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numba
import numpy as np

from ._colouring import column_colouring, groups, star_colouring
from ._sparsity import transpose_positions

MAX_PLANS = 16


@dataclass(frozen=True)
class Grouping:
    """Colour groups: ``members[gptr[c]:gptr[c + 1]]`` are perturbed together."""

    colour: np.ndarray
    ncolours: int
    gptr: np.ndarray
    members: np.ndarray


@dataclass(frozen=True)
class JacobianPlan:
    """Groups of columns, and where each entry is read from the compression."""

    grouping: Grouping
    source: np.ndarray  # flat index colour[j] * m + i into the (ncolours, m) compression


@dataclass(frozen=True)
class HessianRecovery:
    """Where each entry of a symmetric pattern is read from a star-coloured compression."""

    grouping: Grouping
    source: np.ndarray  # flat index colour[j] * d + i into the (ncolours, d) compression
    direct: np.ndarray  # entry (i, j) is determined by row i alone
    transposed: np.ndarray  # position of entry (j, i)


@dataclass(frozen=True)
class Stencil:
    """The upper triangle of a symmetric pattern, for the f-only Hessian stencil."""

    upper: np.ndarray  # positions of the entries with i <= j
    ui: np.ndarray
    uj: np.ndarray
    verts: np.ndarray  # every index that appears in an entry
    transposed: np.ndarray


def _rows(csr):
    return np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))


def _grouping(colour, ncolours):
    gptr, members = groups(colour, ncolours)
    return Grouping(colour, int(ncolours), gptr, members)


def _jacobian(csr):
    g = _grouping(*column_colouring(csr))
    source = g.colour[csr.indices] * csr.shape[0] + _rows(csr)
    # int32 where it fits: the recovery reads this array on every call
    return JacobianPlan(g, source.astype(np.int32) if g.ncolours * csr.shape[0] < 2**31 else source)


def _hessian_grad(csr):
    g = _grouping(*star_colouring(csr))
    source = g.colour[csr.indices].astype(np.int64) * csr.shape[0] + _rows(csr)
    # Entry (i, j) can be read from row i when j is i's only neighbour of j's colour.
    _, inverse, counts = np.unique(source, return_inverse=True, return_counts=True)
    direct = counts[inverse] == 1
    t = transpose_positions(csr)
    if not np.all(direct | direct[t]):  # guaranteed by the star colouring
        raise RuntimeError("internal error: the colouring of the Hessian pattern is not a star colouring")
    return HessianRecovery(g, source, direct, t)


def _stencil(csr):
    rows, cols = _rows(csr), csr.indices.astype(np.int64)
    upper = np.flatnonzero(rows <= cols)
    ui, uj = rows[upper], cols[upper]
    return Stencil(upper, ui, uj, np.unique(np.concatenate([ui, uj])), transpose_positions(csr))


_BUILDERS = {"jacobian": _jacobian, "hessian_grad": _hessian_grad, "stencil": _stencil}
_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


@numba.njit(cache=True, nogil=True)
def _same(a, b):
    # exact equality of two index arrays, without the temporaries of np.array_equal
    if a.shape[0] != b.shape[0]:
        return False
    for k in range(a.shape[0]):
        if a[k] != b[k]:
            return False
    return True


def plan(kind: str, csr):
    """The plan of ``kind`` for the canonical pattern ``csr`` (cached)."""
    # An O(1) key: it only picks the candidate, which is then compared exactly
    # (two patterns that share a key just replace each other's plan).
    key = (kind, csr.shape, csr.nnz, int(csr.indptr[csr.shape[0] // 2]), int(csr.indices[csr.nnz // 2]))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is not None and _same(hit[0], csr.indptr) and _same(hit[1], csr.indices):
        return hit[2]
    value = _BUILDERS[kind](csr)
    with _LOCK:
        # copies: the pattern's arrays may be the caller's, who may change them later
        _CACHE[key] = (csr.indptr.copy(), csr.indices.copy(), value)
        while len(_CACHE) > MAX_PLANS:
            _CACHE.popitem(last=False)
    return value
