"""Synthetic TF-IDF-like sparse data for the sparse benchmark cases.

Documents are rows, terms are columns. Term frequencies follow a power law
(Zipf, as word frequencies do), so a few columns are dense and most are
rare; values are log-scaled counts times an inverse document frequency, and
each row is L2-normalised, as ``TfidfVectorizer`` produces them. Built
directly in CSR form: never densified.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["TFIDF_SIZES", "tfidf_like", "tfidf_problem", "regression_target", "binary_target"]

#: (n_samples, n_features, density) of the sparse bench cases' full and quick runs
#: (each case adds its own "tiny" size for the tests).
TFIDF_SIZES = {
    "full": (100_000, 50_000, 1e-3),
    "quick": (20_000, 10_000, 1e-3),
}


def tfidf_like(n_samples, n_features, density, seed, zipf=1.1, dtype=np.float64):
    """CSR matrix ``(n_samples, n_features)`` with about ``density`` non-zeros.

    Column ``j`` is chosen with probability proportional to ``(j + 1)**-zipf``
    (then the columns are shuffled, so frequent terms are not all at the
    front). Duplicate draws in a row are summed into a count, as in a bag of
    words.
    """
    if not (0 < density <= 1):
        raise ValueError(f"density must be in (0, 1], got {density!r}")
    rng = np.random.default_rng(seed)
    per_row = max(1, int(round(density * n_features)))
    weights = (np.arange(1, n_features + 1, dtype=np.float64)) ** -zipf
    weights /= weights.sum()
    perm = rng.permutation(n_features)
    cols = perm[rng.choice(n_features, size=n_samples * per_row, p=weights)]
    rows = np.repeat(np.arange(n_samples), per_row)
    counts = sp.csr_matrix((np.ones(cols.size), (rows, cols)), shape=(n_samples, n_features))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=n_features)
    idf = np.log((1.0 + n_samples) / (1.0 + df)) + 1.0
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    counts = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ counts
    X = sp.csr_matrix(counts, dtype=dtype)
    X.sort_indices()
    return X


def _true_coef(n_features, rng, n_informative):
    w = np.zeros(n_features)
    idx = rng.choice(n_features, size=min(n_informative, n_features), replace=False)
    w[idx] = rng.standard_normal(idx.size) * 5.0
    return w


def regression_target(X, seed, n_informative=200, noise=0.1):
    """``y = X w + noise`` for a sparse true ``w`` (``n_informative`` non-zeros)."""
    rng = np.random.default_rng(seed)
    w = _true_coef(X.shape[1], rng, n_informative)
    eta = np.asarray(X @ w).ravel()
    return eta + noise * rng.standard_normal(X.shape[0]) * max(float(np.std(eta)), 1e-12)


def binary_target(X, seed, n_informative=200):
    """Labels in {0, 1} drawn from a logistic model on ``X``."""
    rng = np.random.default_rng(seed)
    w = _true_coef(X.shape[1], rng, n_informative)
    eta = np.asarray(X @ w).ravel()
    eta = (eta - eta.mean()) * (3.0 / max(float(np.std(eta)), 1e-12))
    return (rng.random(X.shape[0]) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)


def tfidf_problem(shape, target, seed):
    """``{"X": tfidf_like(*shape, seed), "y": target(X, seed + 1)}`` for a bench case."""
    n_samples, n_features, density = shape
    X = tfidf_like(n_samples, n_features, density, seed=seed)
    return {"X": X, "y": target(X, seed=seed + 1)}
