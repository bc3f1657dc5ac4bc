"""One row chunk of the training data, validated once and kept on a worker.

A fit turns every row block of the Dask input into a ``Chunk``: the block
as a C-contiguous float array (float32 stays float32), its targets and
weights, and where it sits in the full data (for error messages). The
chunks are built by tasks on the workers and stay there for the whole fit;
the client only ever holds futures to them.

A chunk caches the compiled objective built on it (``objective``), keyed
by the fit's token, so the per-iteration tasks do not rebuild it. The cache
is dropped when a chunk is pickled: a chunk that moves to another worker,
or is recomputed after its worker died, rebuilds it from the arrays.
"""

import numpy as np
import scipy.sparse as sp

__all__ = []

_FLOATS = (np.float64, np.float32)


class Chunk:
    """A validated row block ``(X, y, sample_weight)`` and its position."""

    def __init__(self, X, y, sample_weight, index, start):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.index = index
        self.start = start
        self._cache = None

    @property
    def n_rows(self):
        return self.X.shape[0]

    def sum_weights(self):
        if self.sample_weight is None:
            return float(self.n_rows)
        return float(np.sum(self.sample_weight, dtype=np.float64))

    def objective(self, token, build, kind="full"):
        """The object ``build(self)`` made for the fit ``token`` (cached per ``kind``)."""
        if self._cache is None or self._cache[0] != token:
            self._cache = None  # free the last fit's objectives first
            self._cache = (token, {})
        made = self._cache[1]
        if kind not in made:
            made[kind] = build(self)
        return made[kind]

    def sample(self, fraction):
        """A seeded random subset of about ``fraction`` of the rows, as a chunk."""
        n = self.n_rows
        m = min(n, max(1, int(np.ceil(fraction * n))))
        rows = np.sort(np.random.default_rng(self.index).choice(n, m, replace=False))
        s = None if self.sample_weight is None else self.sample_weight[rows]
        return Chunk(self.X[rows], self.y[rows], s, self.index, self.start)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = None  # compiled objectives do not pickle; rebuilt on demand
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


def _where(index, start, n):
    return f"chunk {index} (rows {start} to {start + n - 1})"


def _first_bad(mask):
    """Position of the first True entry of a boolean array (row, or (row, column))."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    return np.unravel_index(flat, mask.shape)


def check_block_X(X, index, start):
    """A row block of X as a C-contiguous float (or canonical CSR) array; ValueError on NaN/inf."""
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=X.dtype if X.dtype in _FLOATS else np.float64)
        X.sum_duplicates()
        X.sort_indices()
        data = X.data
        if not np.isfinite(data).all():
            k = int(np.flatnonzero(~np.isfinite(data))[0])
            row = int(np.searchsorted(X.indptr, k, side="right") - 1)
            raise ValueError(
                f"Input X contains NaN or infinity in {_where(index, start, X.shape[0])}: "
                f"row {start + row}, column {int(X.indices[k])} is {data[k]!r}. Remove or "
                "impute the non-finite values (e.g. X[da.isnan(X)] = 0) before fitting."
            )
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, but {_where(index, start, len(X))} has shape {X.shape}.")
    if X.dtype not in _FLOATS:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"X must hold numbers; {_where(index, start, X.shape[0])} has dtype {X.dtype} "
                f"({exc})."
            ) from exc
    X = np.ascontiguousarray(X)
    if X.size and not np.isfinite(X).all():
        row, col = _first_bad(~np.isfinite(X))
        raise ValueError(
            f"Input X contains NaN or infinity in {_where(index, start, X.shape[0])}: row "
            f"{start + int(row)}, column {int(col)} is {X[row, col]!r}. Remove or impute the "
            "non-finite values (e.g. X[da.isnan(X)] = 0) before fitting."
        )
    return X


def check_block_vector(v, name, n, index, start, dtype, numeric=True, ndim=(1,)):
    """A block of ``y`` or ``sample_weight`` with ``n`` rows; ValueError on NaN/inf."""
    v = np.asarray(v)
    if v.ndim not in ndim or v.shape[0] != n:
        raise ValueError(
            f"{name} must have one entry per row of X, but {_where(index, start, n)} of X has "
            f"{n} rows and {name} has shape {v.shape} there. Chunk {name} like X's rows."
        )
    if not numeric:
        if v.dtype.kind in "fc" and v.size and not np.isfinite(v).all():
            pos = _first_bad(~np.isfinite(v))
            raise ValueError(
                f"Input {name} contains NaN or infinity in {_where(index, start, n)}: row "
                f"{start + int(pos[0])} is {v[pos]!r}. Remove those rows before fitting."
            )
        return v
    try:
        v = np.ascontiguousarray(v, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers in {_where(index, start, n)} ({exc}).") from exc
    if v.size and not np.isfinite(v).all():
        pos = _first_bad(~np.isfinite(v))
        raise ValueError(
            f"Input {name} contains NaN or infinity in {_where(index, start, n)}: row "
            f"{start + int(pos[0])} is {v[pos]!r}. Remove or impute those rows before fitting."
        )
    return v


def build_chunk(X, y, sample_weight, index, start, numeric_y=True, y_ndim=(1,)):
    """The validated ``Chunk`` of one row block (runs on a worker)."""
    X = check_block_X(X, index, start)
    n = X.shape[0]
    if y is not None:
        y = check_block_vector(y, "y", n, index, start, X.dtype, numeric=numeric_y, ndim=y_ndim)
    if sample_weight is not None:
        sample_weight = check_block_vector(sample_weight, "sample_weight", n, index, start, X.dtype)
        if np.any(sample_weight < 0):
            i = int(np.flatnonzero(sample_weight < 0)[0])
            raise ValueError(
                f"sample_weight must be non-negative, but row {start + i} in "
                f"{_where(index, start, n)} is {sample_weight[i]!r}."
            )
    return Chunk(X, y, sample_weight, index, start)


def chunk_stats(chunk, labels=False):
    """Sums the fit needs before its first iteration, as one reducible record.

    ``{"n", "sum_s", "x_sum" (weighted column sums), "y_sum", "y_min", "labels"}``;
    ``labels`` (classification) maps each label to its total weight.
    """
    X, y, s = chunk.X, chunk.y, chunk.sample_weight
    n, p = X.shape
    if s is None:
        x_sum = np.asarray(X.sum(axis=0), dtype=np.float64).ravel()
    else:
        x_sum = np.asarray(X.T @ s.astype(X.dtype), dtype=np.float64).ravel()
    out = {"n": n, "sum_s": chunk.sum_weights(), "x_sum": x_sum}
    if labels:
        values, inverse = np.unique(y, return_inverse=True)
        weights = np.bincount(inverse.ravel(), weights=s, minlength=len(values))
        out["labels"] = dict(zip(values.tolist(), weights.tolist()))
    elif y is not None and n:
        yd = y.astype(np.float64)
        out["y_sum"] = np.asarray(yd.sum(axis=0) if s is None else s.astype(np.float64) @ yd)
        out["y_min"] = float(yd.min())
    return out


def merge_stats(*records):
    """Sum of ``chunk_stats`` records (labels: weights added per label)."""
    out = {"n": 0, "sum_s": 0.0, "x_sum": 0.0}
    for r in records:
        out["n"] += r["n"]
        out["sum_s"] += r["sum_s"]
        out["x_sum"] = out["x_sum"] + r["x_sum"]
        if "labels" in r:
            merged = out.setdefault("labels", {})
            for k, w in r["labels"].items():
                merged[k] = merged.get(k, 0.0) + w
        if "y_sum" in r:
            out["y_sum"] = out.get("y_sum", 0.0) + r["y_sum"]
            out["y_min"] = min(out.get("y_min", np.inf), r["y_min"])
    return out
