"""Critical points of a function on a box, classified by the second-derivative test."""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from fastgrad import _validation as val
from fastgrad.differentiate._derivatives import gradient, hessian

KINDS = ("minimum", "maximum", "saddle", "degenerate")


@dataclass
class CriticalPoint:
    """A stationary point of ``f`` and its second-derivative test.

    Attributes
    ----------
    x : ndarray, shape (d,)
    value : float
        ``f(x)``.
    kind : {"minimum", "maximum", "saddle", "degenerate"}
        From the signs of the Hessian's eigenvalues: all positive, all
        negative, both signs, or some (numerically) zero.
    hessian, eigenvalues : ndarray
    gradient_norm : float
        Largest absolute gradient entry at ``x`` (how stationary it is).
    fxx, fyy, fxy, D : float or None
        For two variables, the textbook test ``D = fxx fyy - fxy**2``
        (``D > 0``: extremum, ``fxx`` gives its kind; ``D < 0``: saddle).
    """

    x: np.ndarray
    value: float
    kind: str
    hessian: np.ndarray
    eigenvalues: np.ndarray
    gradient_norm: float
    fxx: float | None = None
    fyy: float | None = None
    fxy: float | None = None
    D: float | None = None


def _check_bounds(bounds):
    try:
        B = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("bounds must be a sequence of (low, high) pairs, one per variable.") from None
    if B.ndim != 2 or B.shape[1] != 2 or B.shape[0] == 0:
        raise ValueError(f"bounds must have shape (d, 2): one (low, high) pair per variable, got shape {B.shape}.")
    if not np.all(np.isfinite(B)) or np.any(B[:, 0] >= B[:, 1]):
        raise ValueError(f"bounds must be finite with low < high in every pair, got {B.tolist()}.")
    return B


def _classify(eig, eig_tol):
    scale = max(1.0, float(np.max(np.abs(eig))))
    if np.any(np.abs(eig) <= eig_tol * scale):
        return "degenerate"
    if np.all(eig > 0):
        return "minimum"
    if np.all(eig < 0):
        return "maximum"
    return "saddle"


def critical_points(f, bounds, *, n_starts=None, args=(), tol=1e-8, max_iter=100, eig_tol=1e-4,
                    dedup_tol=None, seed=0, vectorized=False):
    """Stationary points of ``f`` inside a box, classified by the second-derivative test.

    Newton's method on the gradient, ``x <- x - pinv(H) g`` with finite-
    difference gradients and Hessians (batched over all starts), finds
    minima, maxima and saddles alike.  Runs start from a seeded random
    sample of the box, leave it when they wander out, and the stationary
    points they reach are deduplicated and classified by the eigenvalues
    of the Hessian.

    Parameters
    ----------
    f : callable
        ``f(x, *args) -> float`` with ``x`` of shape ``(d,)`` (numba-jitted,
        plain Python, or vectorized with ``vectorized=True``).
    bounds : array_like, shape (d, 2)
        ``(low, high)`` for each variable.
    n_starts : int, optional
        Number of starts (default ``min(500, 25 * 2**d)``).
    args : tuple
        Extra arguments of ``f``.
    tol : float
        A point is stationary when its largest absolute gradient entry is <= tol.
    max_iter : int
        Newton iterations per start.
    eig_tol : float
        Eigenvalues with ``|lambda| <= eig_tol * max(1, max|lambda|)`` count as
        zero (the point is then "degenerate": the test is inconclusive).  Finite
        differences locate a degenerate point only to ~1e-5 (e.g. the monkey
        saddle), where its Hessian is ~1e-5 rather than 0: hence the default.
    dedup_tol : float, optional
        Points closer than this (max-norm) are the same point; default
        ``1e-4`` times the largest side of the box plus ``10 sqrt(tol)``.
    seed : int
        Seed of the starting points.
    vectorized : bool
        Whether ``f`` evaluates an ``(m, d)`` array of points at once.

    Returns
    -------
    list of CriticalPoint
        Sorted by kind (minima, maxima, saddles, degenerate), then by value.

    Examples
    --------
    >>> import fastgrad
    >>> pts = fastgrad.critical_points(lambda p: p[0] ** 3 - 3 * p[0] + p[1] ** 2, [(-2, 2), (-2, 2)])
    >>> [(pt.kind, round(float(pt.x[0]), 6), round(float(pt.D), 3)) for pt in pts]
    [('minimum', 1.0, 12.0), ('saddle', -1.0, -12.0)]
    """
    val.check_function(f)
    args = val.check_args(args)
    B = _check_bounds(bounds)
    d = B.shape[0]
    n_starts = min(500, 25 * 2 ** d) if n_starts is None else val.check_positive_int(n_starts, "n_starts")
    tol = val.check_nonneg_float(tol, "tol")
    max_iter = val.check_positive_int(max_iter, "max_iter")
    eig_tol = val.check_nonneg_float(eig_tol, "eig_tol")
    width = B[:, 1] - B[:, 0]
    # Newton converges only linearly to degenerate points, which are therefore
    # located to about sqrt(tol): the default merges points that close
    dedup_tol = (1e-4 * float(width.max()) + 10.0 * np.sqrt(tol) if dedup_tol is None
                 else val.check_nonneg_float(dedup_tol, "dedup_tol"))
    kw = {"args": args, "vectorized": vectorized}

    X = B[:, 0] + np.random.default_rng(seed).random((n_starts, d)) * width
    found = []
    margin = 1e-9 * np.maximum(1.0, np.abs(B).max(axis=1))
    for _ in range(max_iter):
        if not len(X):
            break
        G = gradient(f, X, **kw)
        done = np.max(np.abs(G), axis=1) <= tol
        found.extend(X[done])
        X = X[~done]
        if not len(X):
            break
        H = hessian(f, X, **kw)
        step = -np.einsum("nij,nj->ni", np.linalg.pinv(H), G[~done])
        # a Newton step longer than a quarter of the box is not trusted whole
        scale = np.minimum(1.0, 0.25 * width.max() / np.maximum(np.max(np.abs(step), axis=1), 1e-300))
        X = X + scale[:, None] * step
        inside = np.all((X >= B[:, 0] - margin) & (X <= B[:, 1] + margin), axis=1)
        X = X[inside & np.all(np.isfinite(X), axis=1)]
    P = _dedup(f, np.array(found).reshape(-1, d), dedup_tol, kw)
    P = _polish(f, P, kw)
    P = P[np.all((P >= B[:, 0] - margin) & (P <= B[:, 1] + margin), axis=1)]
    return _collect(f, _dedup(f, P, dedup_tol, kw), eig_tol, kw)


def _dedup(f, P, dedup_tol, kw):
    if not len(P):
        return P
    G = np.max(np.abs(gradient(f, P, **kw)), axis=1)
    reps = []
    for i in np.argsort(G):  # the most stationary representative of each cluster wins
        if all(np.max(np.abs(P[i] - P[j])) > dedup_tol for j in reps):
            reps.append(i)
    return P[reps]


def _polish(f, P, kw, steps=60):
    """More Newton steps on the points found, kept while they reduce the gradient.

    At a degenerate point Newton converges only linearly (x**4: by 2/3 per
    step), so a point that passed ``tol`` can still be far enough away for
    its Hessian to look non-singular; polishing brings it close enough for
    the eigenvalue test to see the zero.
    """
    if not len(P):
        return P
    G = gradient(f, P, **kw)
    for _ in range(steps):
        H = hessian(f, P, **kw)
        Pn = P - np.einsum("nij,nj->ni", np.linalg.pinv(H), G)
        ok = np.all(np.isfinite(Pn), axis=1)
        if not ok.any():
            break
        Gn = np.full_like(G, np.inf)
        Gn[ok] = gradient(f, Pn[ok], **kw)
        better = np.max(np.abs(Gn), axis=1) < np.max(np.abs(G), axis=1)
        if not better.any():
            break
        P, G = np.where(better[:, None], Pn, P), np.where(better[:, None], Gn, G)
    return P


def _collect(f, P, eig_tol, kw):
    if not len(P):
        return []
    G = np.max(np.abs(gradient(f, P, **kw)), axis=1)
    H = hessian(f, P, **kw)
    H = 0.5 * (H + np.swapaxes(H, 1, 2))
    values = np.asarray([_value(f, p, kw) for p in P])
    out = []
    for p, v, h, gn in zip(P, values, H, G):
        eig = np.linalg.eigvalsh(h)
        cp = CriticalPoint(p, float(v), _classify(eig, eig_tol), h, eig, float(gn))
        if len(p) == 2:
            cp.fxx, cp.fyy, cp.fxy = float(h[0, 0]), float(h[1, 1]), float(h[0, 1])
            cp.D = cp.fxx * cp.fyy - cp.fxy ** 2
        out.append(cp)
    out.sort(key=lambda c: (KINDS.index(c.kind), c.value, tuple(c.x)))
    return out


def _value(f, p, kw):
    if kw["vectorized"]:
        return float(np.asarray(f(p[None, :], *kw["args"]))[0])
    return float(f(p.copy(), *kw["args"]))
