"""From the user's Dask arrays to one task per row block.

Checks what can be checked without reading the data (dimensions, known
chunk sizes, matching lengths), aligns ``y`` and ``sample_weight`` with
``X``'s row chunks, and gives one tuple of dask.delayed blocks per row
chunk with its first row's index. Nothing is computed here.
"""

import numbers

import numpy as np

__all__ = []


def is_dask_collection(x):
    """True for a dask array (or any dask collection) -- without importing dask."""
    return hasattr(x, "__dask_graph__") and hasattr(x, "chunks")


def _as_dask(v, name, rows, ndim_ok):
    import dask.array as da

    if v is None:
        return None
    if isinstance(v, numbers.Number):
        raise TypeError(
            f"{name} must be an array with one entry per row of X (a dask or numpy array), "
            f"got the scalar {v!r}."
        )
    if not is_dask_collection(v):
        v = np.asarray(v)
        if v.ndim not in ndim_ok:
            raise ValueError(f"{name} must be {' or '.join(map(str, ndim_ok))}-D, got shape {v.shape}.")
        v = da.from_array(v, chunks=(rows,) + v.shape[1:])
    if v.ndim not in ndim_ok:
        raise ValueError(f"{name} must be {' or '.join(map(str, ndim_ok))}-D, got shape {v.shape}.")
    if any(np.isnan(c) for c in v.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() (or pass "
            "lengths= to to_dask_array) before fitting."
        )
    if v.shape[0] != sum(rows):
        raise ValueError(
            f"{name} has {v.shape[0]} entries but X has {sum(rows)} rows; they must match."
        )
    chunks = (rows,) + tuple((s,) for s in v.shape[1:])  # columns in one block
    return v.rechunk(chunks) if v.chunks != chunks else v


def row_blocks(X, y, sample_weight, y_ndim=(1,)):
    """``(X, blocks, starts)``: X with one column block, and per row chunk ``(x, y, s)`` delayed."""
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D dask array of shape (n_samples, n_features), got {X.ndim} dimensions."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (e.g. from a dask DataFrame's .values); call "
            "X.compute_chunk_sizes() or use df.to_dask_array(lengths=True) before fitting."
        )
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have at least one row and one column, got shape {X.shape}.")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})  # a row block is the unit of work: all its columns together
    rows = X.chunks[0]
    if y is None:
        raise ValueError("y is required: pass the targets as a dask (or numpy) array.")
    y = _as_dask(y, "y", rows, y_ndim)
    s = _as_dask(sample_weight, "sample_weight", rows, (1,))
    xs = X.to_delayed().ravel()
    ys = y.to_delayed().ravel()
    ss = s.to_delayed().ravel() if s is not None else [None] * len(xs)
    starts = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist()
    return X, list(zip(xs, ys, ss)), starts


def float_dtype(X):
    """The dtype the fit computes in: X's if float32/float64, else float64."""
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
