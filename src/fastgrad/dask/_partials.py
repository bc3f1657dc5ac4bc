"""Per-chunk partial sums: what one task computes on one chunk, and how partials combine.

GLMs (logistic, multinomial, Poisson, Huber). ``glm_partial`` runs
fastgrad's compiled objective (``csrc/_glm_objectives.pxi``,
``_multinomial.pxi``, the CSR variants for sparse chunks) on the chunk,
unpenalised, in the fit's centred coordinates (one centring vector ``m``
for every chunk, from the full data). The objective returns means over the
chunk; times the chunk's total weight they are *sums*, which add up across
chunks to the full data's sums: the client divides by the total weight and
adds the penalty. One record is one float64 vector ``[f, grad, (H)]`` --
the cheapest thing to send and to add.

The Hessian costs ``n p^2`` multiply-adds against the gradient's ``n p``:
on tall data it is estimated from a seeded random subset of each chunk's
rows (``GLMSpec.hessian_fraction``, sub-sampled Newton). The gradient is
always exact, so the fit converges to the same optimum; only the rate of
Newton's method changes, from quadratic to linear with a ratio of about
``sqrt(n_coef / rows sampled)`` (a few percent at tens of thousands of rows).

Least squares. ``gram_partial`` gives one chunk's weighted column means,
its Gram matrix and moments *about its own means* (one blocked BLAS pass,
``_gram.weighted_gram``); ``merge_grams`` adds chunks with the
parallel-axis correction (Chan et al.), which stays exact to rounding when
the columns have large means -- unlike adding raw ``X^T X``.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..linear_model import _solvers_fast as _k
from ..linear_model._gram import weighted_gram
from ._chunks import build_chunk

__all__ = []


@dataclass(frozen=True, eq=False)
class GLMSpec:
    """Everything a chunk task needs to build the fit's objective (small; sent every round)."""

    token: str                      # names the fit (the chunk's objective cache key)
    family: str                     # "logistic", "multinomial", "poisson" or "huber"
    mean: np.ndarray                # centring vector m (zeros without an intercept)
    fit_intercept: bool
    n_threads: int = 1
    classes: np.ndarray = None      # sorted labels (classification)
    class_weight: np.ndarray = None # one weight per class, or None
    epsilon: float = 1.35           # Huber
    n_coef: int = field(default=0)
    hessian_fraction: float = 1.0   # share of each chunk's rows the Hessian is estimated on


def _weights(chunk, spec, y_idx):
    s = chunk.sample_weight
    if spec.class_weight is None:
        return s
    w = spec.class_weight[y_idx].astype(chunk.X.dtype)
    return w if s is None else np.ascontiguousarray(w * s)


def _build_objective(spec):
    """``build(chunk) -> (objective, sum of the chunk's weights)``, or (None, 0) for no rows."""

    def build(chunk):
        X, sparse = chunk.X, sp.issparse(chunk.X)
        if chunk.n_rows == 0:
            return None, 0.0
        y = chunk.y
        if spec.classes is not None:
            y_idx = np.searchsorted(spec.classes, y)
            s = _weights(chunk, spec, y_idx)
        else:
            s = chunk.sample_weight
        total = float(X.shape[0] if s is None else np.sum(s, dtype=np.float64))
        if not total > 0:
            return None, 0.0  # all weights zero: the chunk adds nothing
        args = (s, spec.mean)
        if spec.family == "logistic":
            make = _k.SparseLogisticObjective if sparse else _k.LogisticObjective
            y01 = np.ascontiguousarray(y_idx == 1, dtype=X.dtype)
            obj = make(X, y01, *args, 0.0, spec.fit_intercept, spec.n_threads)
        elif spec.family == "multinomial":
            make = _k.SparseMultinomialObjective if sparse else _k.MultinomialObjective
            obj = make(X, np.ascontiguousarray(y_idx, dtype=np.intp), len(spec.classes), *args,
                       0.0, spec.fit_intercept, spec.n_threads)
        elif spec.family == "poisson":
            make = _k.SparsePoissonObjective if sparse else _k.PoissonObjective
            obj = make(X, y, *args, 0.0, spec.fit_intercept, spec.n_threads)
        elif spec.family == "huber":
            make = _k.SparseHuberObjective if sparse else _k.HuberObjective
            obj = make(X, y, *args, 0.0, float(spec.epsilon), spec.fit_intercept, spec.n_threads)
        else:  # pragma: no cover - the estimators pass only the names above
            raise ValueError(f"unknown GLM family {spec.family!r}")
        return obj, total

    return build


def glm_partial(chunk, coef, spec, hessian):
    """``[f, grad, H (if hessian)]`` summed over the chunk's rows (weighted, unpenalised).

    ``f`` is ``sum_i s_i loss_i`` (Huber: including ``sigma`` per row), the
    gradient and Hessian are in the fit's centred coordinates.
    """
    k = spec.n_coef
    out = np.zeros(1 + k + (k * k if hessian else 0))
    obj, total = chunk.objective(spec.token, _build_objective(spec))
    if obj is None:
        return out
    f, g = obj.py_value_grad(coef)
    out[0] = f * total
    out[1:1 + k] = g * total
    if hessian and np.isfinite(f):
        if spec.hessian_fraction < 1.0:
            # sub-sampled Newton: the Hessian from a seeded subset of the rows, scaled to
            # the chunk (the gradient stays exact, so the fit reaches the same optimum)
            build = _build_objective(spec)
            obj_h, sub_total = chunk.objective(
                spec.token, lambda c: build(c.sample(spec.hessian_fraction)), kind="hessian")
            if obj_h is not None:
                obj = obj_h
        try:
            H = obj.py_hessian(coef)
        except ValueError:  # outside the domain (Huber sigma <= 0): no curvature there
            out[1 + k:] = np.nan
        else:
            out[1 + k:] = H.ravel() * total
    return out


def add(*parts):
    """Elementwise sum of partial vectors (the reduction of ``glm_partial``)."""
    total = parts[0].copy()
    for p in parts[1:]:
        total += p
    return total


def stats_partial(chunk, labels):
    from ._chunks import chunk_stats

    return chunk_stats(chunk, labels=labels)


# ----------------------------------------------------------------------
# least squares
# ----------------------------------------------------------------------

def gram_partial(X, y, sample_weight, index, start):
    """One chunk's ``(sum_s, x_mean, y_mean, XtX, XtY, yty)``, moments about its own means.

    Validates the block (``build_chunk``) on the way; ``y`` is 1-D or 2-D.
    """
    chunk = build_chunk(X, y, sample_weight, index, start, y_ndim=(1, 2))
    X, s = chunk.X, chunk.sample_weight
    Y = chunk.y.reshape(-1, 1) if chunk.y.ndim == 1 else chunk.y
    p, k = X.shape[1], Y.shape[1]
    sum_s = chunk.sum_weights()
    if not sum_s > 0:
        zero = np.zeros
        return (0.0, zero(p), zero(k), zero((p, p)), zero((p, k)), zero(k), X.shape[0])
    if sp.issparse(X):
        from ..linear_model._gram import sparse_weighted_gram

        XtX, XtY, x_mean, y_mean, _ = sparse_weighted_gram(X, Y, s, center=True)
    else:
        XtX, XtY, x_mean, y_mean, _ = weighted_gram(X, Y, s, center=True, n_jobs=1)
    Yc = Y.astype(np.float64) - y_mean
    yty = np.einsum("ik,ik->k", Yc if s is None else Yc * s[:, None], Yc)
    return (sum_s, np.asarray(x_mean, float), np.asarray(y_mean, float), np.asarray(XtX),
            np.asarray(XtY), yty, X.shape[0])


def merge_grams(*parts):
    """Combine ``gram_partial`` records: the parallel-axis rule, pairwise."""
    s, mx, my, A, B, c, n = parts[0]
    for s2, mx2, my2, A2, B2, c2, n2 in parts[1:]:
        if s2 == 0:
            n += n2
            continue
        if s == 0:
            s, mx, my, A, B, c, n = s2, mx2, my2, A2, B2, c2, n + n2
            continue
        tot = s + s2
        dx, dy = mx2 - mx, my2 - my
        f = s * s2 / tot
        A = A + A2 + f * np.outer(dx, dx)
        B = B + B2 + f * np.outer(dx, dy)
        c = c + c2 + f * dy * dy
        mx = mx + dx * (s2 / tot)
        my = my + dy * (s2 / tot)
        s, n = tot, n + n2
    return s, mx, my, A, B, c, n
