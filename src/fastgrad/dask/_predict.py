"""Lazy prediction on Dask input: one ``map_blocks`` per call, nothing computed.

Each block function applies the fitted coefficients (sent with the graph,
a few d-sized arrays) to one row block. Scores are returned as Dask
arrays; the user decides when to compute them.
"""

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax

from ._chunks import check_block_X

__all__ = []


def _scores_block(X, coef, intercept, block_info=None):
    where = block_info[0] if block_info else {"chunk-location": (0,), "array-location": ((0, 0),)}
    X = check_block_X(X, where["chunk-location"][0], where["array-location"][0][0])
    return np.asarray(X @ coef.T, dtype=np.float64) + intercept


def scores(X, coef, intercept, dtype):
    """``X @ coef.T + intercept`` per block: shape (n,) for a 1-D ``coef``, else (n, k)."""
    if X.ndim != 2 or X.shape[1] != np.shape(coef)[-1]:
        raise ValueError(
            f"X has {X.shape[-1] if X.ndim else 0} features, but the model was fitted with "
            f"{np.shape(coef)[-1]} features."
        )
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    if coef.ndim == 1:
        return X.map_blocks(_scores_block, coef, intercept, drop_axis=1, dtype=dtype,
                            meta=np.empty(0, dtype))
    return X.map_blocks(_scores_block, coef, intercept, chunks=(X.chunks[0], (coef.shape[0],)),
                        dtype=dtype, meta=np.empty((0, 0), dtype))


def _labels_block(S, classes):
    idx = (S > 0).astype(np.intp) if S.ndim == 1 else S.argmax(axis=1)
    return classes[idx]


def labels(S, classes):
    """The class of each row from its scores (binary: the sign; else the argmax)."""
    classes = np.asarray(classes)
    kw = {"drop_axis": 1} if S.ndim == 2 else {}
    return S.map_blocks(_labels_block, classes, dtype=classes.dtype,
                        meta=np.empty(0, classes.dtype), **kw)


def _proba_block(S, log):
    if S.ndim == 1:
        if log:  # without underflow to -inf
            return np.column_stack([log_expit(-S), log_expit(S)])
        p1 = expit(S)
        return np.column_stack([1.0 - p1, p1])
    return log_softmax(S, axis=1) if log else softmax(S, axis=1)


def proba(S, n_classes, log=False):
    """Class probabilities (or their logarithms) from the scores, per block."""
    chunks = (S.chunks[0], (n_classes,))
    kw = {"new_axis": 1} if S.ndim == 1 else {}
    return S.map_blocks(_proba_block, log, chunks=chunks, dtype=np.float64,
                        meta=np.empty((0, 0)), **kw)


def weighted_mean(v, sample_weight):
    """Lazy (weighted) mean of a dask vector."""
    import dask.array as da

    if sample_weight is None:
        return v.mean()
    s = da.asarray(sample_weight)
    return (v * s).sum() / s.sum()
