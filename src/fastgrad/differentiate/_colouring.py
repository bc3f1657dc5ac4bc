"""Graph colourings that let one perturbation serve many columns at once.

Two greedy colourings, both compiled with numba (they depend on the
pattern only, never on the user's function, so they are cached on disk):

* :func:`column_colouring` -- for Jacobians (Curtis, Powell and Reid).  Two
  columns may share a colour only if no row has an entry in both: then the
  difference quotient along the sum of their unit vectors shows each column's
  entries in separate rows.  This is a distance-2 colouring of the columns.
* :func:`star_colouring` -- for symmetric matrices (Hessians, from Jacobians
  of a gradient).  A *star* colouring is a proper colouring of the adjacency
  graph of the off-diagonal entries in which every path on four vertices uses
  at least three colours.  Then for every entry ``(i, j)`` either ``j`` is the
  only neighbour of ``i`` with ``j``'s colour, or ``i`` is the only neighbour
  of ``j`` with ``i``'s colour, so the entry can be read directly (no
  substitution) from row ``i`` or from row ``j`` of the compressed matrix.
  A distance-2 colouring would give an arrow pattern (one dense row and
  column) ``d`` colours; a star colouring gives it two.

Both visit the vertices in *largest-first* order (highest degree first,
ties by index, which keeps banded patterns at their optimal count) and give
each the smallest colour not forbidden; the star colouring moves rows much
denser than the rest ("hubs") to the end of the order, which keeps its cost
linear for arrow patterns.  Vertices without any entry get
colour ``-1``: they need no perturbation.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _largest_first(degree):
    # Vertices by decreasing degree, ties in index order: a counting sort,
    # O(d) where a comparison sort of 10 000 keys costs ~1 ms.
    d = degree.shape[0]
    top = 0
    for v in range(d):
        top = max(top, degree[v])
    start = np.zeros(top + 2, np.int64)
    for v in range(d):
        start[top - degree[v] + 1] += 1
    for k in range(top + 1):
        start[k + 1] += start[k]
    order = np.empty(d, np.int64)
    for v in range(d):
        k = top - degree[v]
        order[start[k]] = v
        start[k] += 1
    return order


@numba.njit(cache=True, nogil=True)
def _transpose(ncols, indptr, indices):
    # The pattern by columns (CSC) from the pattern by rows (CSR).
    cptr = np.zeros(ncols + 1, np.int64)
    for q in range(indices.shape[0]):
        cptr[indices[q] + 1] += 1
    for j in range(ncols):
        cptr[j + 1] += cptr[j]
    fill = cptr[:-1].copy()
    rows = np.empty(indices.shape[0], np.int64)
    for i in range(indptr.shape[0] - 1):
        for q in range(indptr[i], indptr[i + 1]):
            j = indices[q]
            rows[fill[j]] = i
            fill[j] += 1
    return cptr, rows


@numba.njit(cache=True, nogil=True)
def _column_colouring(d, indptr, indices):
    # indptr/indices: the pattern by rows (CSR) of an (m, d) matrix.
    cindptr, crows = _transpose(d, indptr, indices)
    mark = np.full(d, -1, np.int64)
    degree = np.zeros(d, np.int64)
    for j in range(d):
        # Degree in the column intersection graph: columns sharing a row with j.
        mark[j] = j
        cnt = 0
        for p in range(cindptr[j], cindptr[j + 1]):
            i = crows[p]
            for q in range(indptr[i], indptr[i + 1]):
                k = indices[q]
                if mark[k] != j:
                    mark[k] = j
                    cnt += 1
        degree[j] = cnt
    order = _largest_first(degree)
    colour = np.full(d, -1, np.int64)
    forbidden = np.full(d + 1, -1, np.int64)  # forbidden[c] == j: colour c is taken next to column j
    ncolours = 0
    for t in range(d):
        j = order[t]
        if cindptr[j] == cindptr[j + 1]:
            continue  # an empty column needs no perturbation
        for p in range(cindptr[j], cindptr[j + 1]):
            i = crows[p]
            for q in range(indptr[i], indptr[i + 1]):
                c = colour[indices[q]]
                if c >= 0:
                    forbidden[c] = j
        c = 0
        while forbidden[c] == j:
            c += 1
        colour[j] = c
        ncolours = max(ncolours, c + 1)
    return colour, ncolours


@numba.njit(cache=True, nogil=True)
def _off_diagonal_degree(d, indptr, indices):
    degree = np.zeros(d, np.int64)
    for v in range(d):
        for q in range(indptr[v], indptr[v + 1]):
            if indices[q] != v:
                degree[v] += 1
    return degree


@numba.njit(cache=True, nogil=True)
def _star_colouring(d, indptr, indices, has_entry, order):
    # indptr/indices: a symmetric pattern by rows; the diagonal, if stored, is skipped.
    colour = np.full(d, -1, np.int64)
    forbidden = np.full(d + 1, -1, np.int64)
    count = np.zeros(d + 1, np.int64)  # colours among v's neighbours; valid where stamp == v
    stamp = np.full(d + 1, -1, np.int64)
    ncolours = 0
    for t in range(d):
        v = order[t]
        if not has_entry[v]:
            continue
        for q in range(indptr[v], indptr[v + 1]):
            w = indices[q]
            c = colour[w] if w != v else -1
            if c >= 0:
                forbidden[c] = v  # proper (distance-1) colouring
                if stamp[c] != v:
                    stamp[c] = v
                    count[c] = 0
                count[c] += 1
        # Forbid every colour that would close a path on four vertices in two
        # colours through v; only coloured vertices matter (the others check
        # their paths when they are coloured).
        for q in range(indptr[v], indptr[v + 1]):
            w = indices[q]
            if w == v or colour[w] < 0:
                continue
            a = colour[w]
            # v in the middle: u - v - w - x with colour(u) == colour(w) = a
            # and x next to w; giving v colour(x) would alternate two colours.
            middle = count[a] >= 2
            for r in range(indptr[w], indptr[w + 1]):
                x = indices[r]
                if x == v or x == w or colour[x] < 0:
                    continue
                b = colour[x]
                if forbidden[b] == v:
                    continue
                if middle:
                    forbidden[b] = v
                    continue
                # v at an end: v - w - x - y with colour(y) == colour(w) = a.
                for s in range(indptr[x], indptr[x + 1]):
                    y = indices[s]
                    if y != w and y != x and colour[y] == a:
                        forbidden[b] = v
                        break
        c = 0
        while forbidden[c] == v:
            c += 1
        colour[v] = c
        ncolours = max(ncolours, c + 1)
    return colour, ncolours


def column_colouring(pattern) -> tuple[np.ndarray, int]:
    """Distance-2 colouring of the columns of a ``scipy.sparse`` pattern.

    Returns ``(colour, ncolours)``: ``colour[j]`` in ``0 .. ncolours - 1``,
    or ``-1`` for a column without entries.  No row has entries in two
    columns of the same colour.
    """
    csr = pattern.tocsr()
    return _column_colouring(csr.shape[1], csr.indptr, csr.indices)


def star_colouring(pattern) -> tuple[np.ndarray, int]:
    """Star colouring of the vertices of a symmetric ``(d, d)`` ``scipy.sparse`` pattern.

    Returns ``(colour, ncolours)`` as :func:`column_colouring`; a vertex with
    only a diagonal entry gets a colour (its diagonal needs a perturbation),
    one with no entry at all gets ``-1``.
    """
    csr = pattern.tocsr()
    d = csr.shape[0]
    has_entry = np.diff(csr.indptr) > 0
    indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    degree = _off_diagonal_degree(d, indptr, indices)
    order = _largest_first(degree)
    # Hubs (rows far denser than the rest, like the dense row of an arrow) go
    # last: a vertex coloured early costs every later neighbour a scan of its
    # whole row (d**2 work for an arrow), one coloured last scans its row once.
    hub = degree[order] > max(32.0, 4.0 * np.sqrt(len(indices)))
    order = np.concatenate([order[~hub], order[hub]])
    return _star_colouring(d, indptr, indices, has_entry, order)


@numba.njit(cache=True, nogil=True)
def _groups(colour, ncolours):
    ptr = np.zeros(ncolours + 1, np.int64)
    for c in colour:
        if c >= 0:
            ptr[c + 1] += 1
    for c in range(ncolours):
        ptr[c + 1] += ptr[c]
    fill = ptr[:-1].copy()
    members = np.empty(ptr[ncolours], np.int64)
    for j in range(colour.shape[0]):
        c = colour[j]
        if c >= 0:
            members[fill[c]] = j
            fill[c] += 1
    return ptr, members


def groups(colour: np.ndarray, ncolours: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns of each colour: ``members[ptr[c]:ptr[c + 1]]`` have colour ``c`` (in index order)."""
    return _groups(colour, ncolours)
