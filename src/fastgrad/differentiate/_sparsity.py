"""The ``sparsity=`` argument: check it, and turn it into a canonical pattern.

A pattern is given as a ``scipy.sparse`` matrix or array (its nonzero
entries form the pattern; stored zeros do not count) or as a dense array_like
of booleans or of 0/1 values.  Anything else -- values other than 0 and 1,
NaN, the wrong shape -- is refused with a message that says how to fix it,
because a silently misread pattern gives silently wrong derivatives.

The canonical form is a ``scipy.sparse.csr_matrix`` of int8 ones with sorted
indices and no duplicates; :class:`Pattern` carries it with the flavour
(matrix or array) the result should have.  Its index arrays may be the
user's own (when the input is already canonical CSR): they are only read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_HOW = ("pass a boolean pattern (e.g. J != 0), a 0/1 array, or a scipy.sparse matrix "
        "whose nonzero entries mark the entries that can be nonzero")


@dataclass(frozen=True)
class Pattern:
    csr: sp.csr_matrix  # int8 ones, canonical (sorted, no duplicates)
    as_array: bool  # return scipy.sparse arrays (csr_array) rather than csr_matrix


def _check_values(values, name):
    values = np.asarray(values)
    if values.dtype == bool:
        return values
    if values.dtype.kind in "iuf" and np.count_nonzero(values == 1) == values.size:
        return np.ones(values.shape, dtype=bool)  # the common all-ones pattern, in one pass
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be boolean or numeric, got dtype {values.dtype}; {_HOW}.")
    bad = (values != 0) & (values != 1)
    if bad.any():
        example = values[bad].flat[0].item()
        raise ValueError(
            f"{name} must contain only booleans or the values 0 and 1 (1 marks a possibly "
            f"nonzero entry), got {example!r}; {_HOW}."
        )
    return values != 0


def as_pattern(sparsity, shape: tuple[int, int], what: str, name: str = "sparsity",
               hint: str = "give one row per output of f and one column per coordinate of x") -> Pattern:
    """Check ``sparsity`` against the expected ``shape`` and canonicalise it.

    ``what`` names the matrix for the shape message (e.g. "the Jacobian of f
    at x (m outputs, d coordinates)").
    """
    if sp.issparse(sparsity):
        as_array = isinstance(sparsity, sp.sparray)
        if sparsity.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got {sparsity.ndim} dimensions.")
        got = sparsity.shape
        if sparsity.format == "csr" and got == tuple(shape):
            nz = _check_values(sparsity.data, name)
            if nz.all() and sparsity.has_canonical_format:
                # already canonical: share the index arrays (read only; the plan
                # cache and every result keep copies), skip the COO round trip
                csr = sp.csr_matrix((np.ones(sparsity.nnz, np.int8), sparsity.indices, sparsity.indptr),
                                    shape=got, copy=False)
                return Pattern(csr, as_array)
        coo = sparsity.tocoo()
        nz = _check_values(coo.data, name)
        rows, cols = coo.row[nz], coo.col[nz]
    else:
        as_array = False
        if isinstance(sparsity, (str, bytes)) or not hasattr(sparsity, "__len__") and not isinstance(sparsity, np.ndarray):
            raise TypeError(
                f"{name} must be a scipy.sparse matrix or a 2-D boolean array_like, got "
                f"{type(sparsity).__name__}; {_HOW}."
            )
        try:
            dense = np.asarray(sparsity)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} could not be read as an array ({exc}); {_HOW}.") from None
        if dense.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got shape {dense.shape}; {_HOW}.")
        got = dense.shape
        if got == tuple(shape):
            rows, cols = np.nonzero(_check_values(dense, name))
    if tuple(got) != tuple(shape):
        raise ValueError(
            f"{name} has shape {tuple(got)}, but {what} has shape {tuple(shape)}; {hint}."
        )
    csr = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=shape)
    csr.sum_duplicates()  # sorts the indices too
    csr.data[:] = 1
    return Pattern(csr, as_array)


def symmetric(pattern: Pattern) -> Pattern:
    """The union of a square pattern and its transpose (one triangle is enough)."""
    csr = pattern.csr
    both = (csr + csr.T).tocsr()
    both.sum_duplicates()
    both.data[:] = 1
    both = sp.csr_matrix(both, dtype=np.int8)
    both.sort_indices()
    return Pattern(both, pattern.as_array)


def transpose_positions(csr: sp.csr_matrix) -> np.ndarray:
    """For a symmetric canonical pattern, the position of entry ``(j, i)`` for each ``(i, j)``."""
    rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
    # Sorting the entries by (column, row) lists the transposed entries in row order.
    return np.lexsort((rows, csr.indices)).astype(np.int64)
