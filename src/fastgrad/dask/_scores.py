"""Lazy ``score`` metrics on Dask arrays (R^2, Poisson D^2), scikit-learn's definitions."""

import numpy as np
from scipy.special import xlogy

__all__ = []


def _sum(v, s):
    """Weighted column sums of a dask array (axis 0)."""
    return v.sum(axis=0) if s is None else (v * (s[:, None] if v.ndim == 2 else s)).sum(axis=0)


def _weights(sample_weight):
    import dask.array as da

    return None if sample_weight is None else da.asarray(sample_weight)


def r2(y, y_pred, sample_weight=None):
    """Coefficient of determination, averaged uniformly over outputs (scikit-learn's default)."""
    import dask.array as da

    y, s = da.asarray(y), _weights(sample_weight)
    total = y.shape[0] if s is None else s.sum()
    y_bar = _sum(y, s) / total
    ss_res = _sum((y - y_pred) ** 2, s)
    ss_tot = _sum((y - y_bar) ** 2, s)
    return (1.0 - ss_res / ss_tot).mean() if y.ndim == 2 else 1.0 - ss_res / ss_tot


def _half_dev(y, mu):
    # per row: y log(y / mu) - y + mu, with 0 log 0 = 0 (xlogy is a ufunc: lazy on dask arrays)
    return xlogy(y, y) - xlogy(y, mu) - y + mu


def d2_poisson(y, mu, sample_weight=None):
    """Fraction of Poisson deviance explained (``d2_tweedie_score(power=1)``)."""
    import dask.array as da

    y, s = da.asarray(y).astype(np.float64), _weights(sample_weight)
    total = y.shape[0] if s is None else s.sum()
    y_bar = _sum(y, s) / total
    dev = _sum(_half_dev(y, mu), s)
    dev0 = _sum(_half_dev(y, y_bar), s)
    return 1.0 - dev / dev0
