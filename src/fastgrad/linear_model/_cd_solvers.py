"""Solvers behind Lasso / ElasticNet: the problem they get, the result they give.

Solvers are looked up in ``SOLVER_FITS``: another solver joins by adding
``name -> fit function`` there; each fit function takes ``(estimator,
problem)`` and returns an ``EnetResult``. Dense CD (Gram or residual loop)
and FISTA live here; CD on sparse X is in ``_cd_sparse``.
"""

import warnings
from collections import namedtuple

import numpy as np
import scipy.sparse as sp

from ._cd_fast import py_gram_cd, py_residual_cd
from ._cd_ws import fit_ws, ws_preferred
from ._squared_loss import _resolve_n_threads
from ._base import _gram
from ._iterative import fit_least_squares
from ._status import DivergenceError

__all__ = []

# Above this many features the p x p Gram matrix stops paying off: its pass
# costs n p^2 / 2 multiply-adds, as much as ~p / 4 residual epochs, and CD
# typically needs tens to a few hundred epochs.
_GRAM_MAX_FEATURES = 512

_EnetProblem = namedtuple(
    "_EnetProblem",
    "X Y sample_weight fit_intercept l1 l2 coef_init max_iter tol positive seeds verbose",
)
_EnetProblem.__doc__ = """Everything a solver needs, validated.

``X`` (n, p) C-contiguous float32/64; ``Y`` (n, k); ``sample_weight`` None
or normalised to sum to n; ``l1``, ``l2`` the penalties of the mean-scale
objective; ``coef_init`` (k, p) float64; ``seeds`` one int per target
(None for cyclic selection).
"""

_EnetResult = namedtuple("_EnetResult", "coef x_mean y_mean status n_iter gap loss_curve variant")
_EnetResult.__doc__ = """A solver's answer: ``coef`` (k, p) float64, ``x_mean``
(p,), ``y_mean`` (k,), then one ``status``, ``n_iter``, ``gap`` and
``loss_curve`` per target, and a label of how it was solved (``variant``)."""


def nonfinite_error():
    """The error for a fit that overflowed (text as scikit-learn's, then advice)."""
    return DivergenceError(
        "Coordinate descent iterations resulted in non-finite parameter values. "
        "The input data may contain large values and need to be preprocessed "
        "(e.g. sklearn.preprocessing.StandardScaler)."
    )


def _cd_variant(estimator, n_samples, n_features):
    """``"gram"`` or ``"residual"``: which CD loop runs (see the class docs)."""
    precompute = estimator.precompute
    if precompute is True or hasattr(precompute, "__array__"):
        return "gram"
    if precompute is False and estimator.solver == "cd":
        return "residual"
    tall = n_samples > n_features and n_features <= _GRAM_MAX_FEATURES
    return "gram" if tall else "residual"


def _user_gram(estimator, problem, x_mean):
    """The ``precompute`` array as float64, or None to recompute it.

    As in scikit-learn, it must be the Gram matrix of the centred data (with
    weights normalised to sum to n_samples); one entry is checked.
    """
    X, p = problem.X, problem.X.shape[1]
    G = np.asarray(estimator.precompute, dtype=np.float64)
    if G.shape != (p, p) or not np.isfinite(G).all():
        raise ValueError(
            f"precompute must be a finite (n_features, n_features) = ({p}, {p}) Gram "
            f"matrix, got an array of shape {G.shape}."
        )
    if not problem.fit_intercept:
        x_mean = np.zeros(p)
    elif not np.allclose(x_mean, 0.0):
        warnings.warn(
            "Gram matrix was provided but X was centered to fit intercept: "
            "recomputing Gram matrix.", UserWarning, stacklevel=4,
        )
        return None
    a, b = p // 2, min(p // 2 + 1, p - 1)
    s = 1.0 if problem.sample_weight is None else problem.sample_weight
    expected = np.sum(s * (X[:, a] - x_mean[a]) * (X[:, b] - x_mean[b]), dtype=np.float64)
    rtol = 1e-4 if X.dtype == np.float32 else 1e-7
    if not np.isclose(expected, G[a, b], rtol=rtol, atol=1e-5):
        raise ValueError(
            "The Gram matrix in precompute did not pass validation: entry "
            f"({a}, {b}) is {G[a, b]!r} but X gives {expected!r}. Pass "
            "X_c.T @ X_c of the centred data (weights rescaled to sum to "
            "n_samples), or precompute=True."
        )
    return G


def _fit_cd(estimator, problem):
    """Coordinate descent, Gram or residual variant, one target at a time."""
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    if sp.issparse(X):
        # scikit-learn ignores precompute for sparse X too
        from ._cd_sparse import fit_cd_sparse

        return fit_cd_sparse(estimator, problem)
    n, p = X.shape
    variant = _cd_variant(estimator, n, p)
    n_threads = _resolve_n_threads(None)
    common = (problem.l1, problem.l2)
    coef = problem.coef_init.copy()
    if variant == "gram":
        # one blocked BLAS pass over X (it dominates a tall fit's time)
        XtX, XtY, x_mean, y_mean = _gram(X, Y, sw, problem.fit_intercept)
        if hasattr(estimator.precompute, "__array__"):
            G = _user_gram(estimator, problem, x_mean)
            XtX = XtX if G is None else G
        Yc = Y - y_mean if problem.fit_intercept else Y
        # y^T S y per target in float64; the Gram pass does not return it.
        SYc = Yc if sw is None else sw[:, None] * Yc
        yy = np.einsum("ik,ik->k", SYc, Yc, dtype=np.float64) / n
        Q, q = XtX / n, XtY / n
        if not (np.isfinite(Q).all() and np.isfinite(q).all() and np.isfinite(yy).all()):
            # X^T X overflowed: CD on it would stall silently, not diverge
            raise nonfinite_error()
        runs = [
            py_gram_cd(Q, np.ascontiguousarray(q[:, t]), yy[t], coef[t], *common, n,
                       problem.max_iter, problem.tol, problem.positive,
                       problem.seeds is not None, problem.seeds[t] if problem.seeds else 0,
                       problem.verbose)
            for t in range(Y.shape[1])
        ]
    else:
        s = None if sw is None else sw.astype(np.float64)
        if problem.fit_intercept:
            x_mean = np.average(X, axis=0, weights=s).astype(np.float64)
            y_mean = np.average(Y, axis=0, weights=s).astype(np.float64)
        else:
            x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
        # Centred, sqrt(weight)-scaled copy in column order (the input is
        # never modified); the arithmetic is float64, the storage X's dtype.
        Xw = np.empty((n, p), dtype=X.dtype, order="F")
        np.subtract(X, x_mean, out=Xw, casting="same_kind")
        root = None if s is None else np.sqrt(s)
        if root is not None:
            np.multiply(Xw, root[:, None], out=Xw, casting="same_kind")
        runs = []
        for t in range(Y.shape[1]):
            yw = Y[:, t] - y_mean[t]
            yw = np.ascontiguousarray(yw if root is None else yw * root, dtype=np.float64)
            runs.append(
                py_residual_cd(Xw, yw, coef[t], *common, problem.max_iter, problem.tol,
                               problem.positive, problem.seeds is not None,
                               problem.seeds[t] if problem.seeds else 0, n_threads,
                               problem.verbose)
            )
    status, n_iter, gap, curve = (list(v) for v in zip(*runs))
    return _EnetResult(coef, x_mean, y_mean, status, n_iter, gap, curve, variant)


def _enet_gap(X, y, sw, w, l1, l2, positive, fit_intercept):
    """Duality gap of the mean-scale elastic net at ``w`` (one pass over X).

    On the centred problem (weights ``s`` summing to n), take the residual
    ``r`` as the dual point and ``c = X_c^T S r / n``. With ``l2 > 0`` the
    penalty's conjugate is ``sum_j (|c_j| - l1)_+^2 / (2 l2)`` (only
    ``c_j > l1`` counts with ``positive``), so any ``r`` is feasible; for the
    Lasso (``l2 = 0``) ``r`` is shrunk until ``max |c| <= l1``.
    """
    n = X.shape[0]
    s = np.ones(n) if sw is None else np.asarray(sw, np.float64)
    if fit_intercept:
        # X.T @ s rather than np.average: X may be sparse
        x_mean = np.asarray(X.T @ s).ravel() / s.sum()
        y = y - np.average(y, weights=s)
    else:
        x_mean = np.zeros(X.shape[1])
    r = y - (X @ w - x_mean @ w)
    sr = s * r
    c = (X.T @ sr - x_mean * sr.sum()) / n
    rr = sr @ r / n
    ry = sr @ y / n
    primal = 0.5 * rr + l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)
    if l2 > 0:
        excess = np.maximum((c if positive else np.abs(c)) - l1, 0.0)
        dual = ry - 0.5 * rr - excess @ excess / (2.0 * l2)
    else:
        dual_norm = np.max(c) if positive else np.max(np.abs(c))
        scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
        dual = scale * ry - 0.5 * scale * scale * rr
    return primal - dual


def _fit_fista(estimator, problem):
    """Accelerated proximal gradient (FISTA, adaptive restart) from ``_solvers_fast``.

    Stops when the gradient mapping is at most ``tol * sqrt(yy)`` in
    max-norm (``yy`` the weighted variance of y): the same scaling in y as
    CD's ``tol * yy`` for the duality gap, whose square root it mirrors.
    """
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    if sp.issparse(X):
        X = X.tocsr()  # the compiled sparse pass reads rows
    k = Y.shape[1]
    coef = problem.coef_init.copy()
    intercepts = np.zeros(k)
    statuses, iters, gaps, curves = [], [], [], []
    for t in range(k):
        y = Y[:, t].astype(np.float64)
        yy = np.average((y - np.average(y, weights=sw)) ** 2, weights=sw) if problem.fit_intercept \
            else np.average(y * y, weights=sw)
        # a warm start gives coefficients only; the intercept restarts at its
        # optimum for them (the loop's centred start does that)
        w, b, status, n_iter, curve, _ = fit_least_squares(
            estimator, X, Y[:, t], sw, alpha=problem.l2, l1=problem.l1,
            fit_intercept=problem.fit_intercept, solver="nesterov",
            max_iter=problem.max_iter, tol=problem.tol * np.sqrt(max(yy, np.finfo(float).tiny)),
            positive=problem.positive, verbose=problem.verbose,
            warm_coef=coef[t] if np.any(coef[t]) else None,
            warm_intercept=None,
        )
        coef[t], intercepts[t] = w, b
        statuses.append(status)
        iters.append(n_iter)
        curves.append(curve)
        gaps.append(_enet_gap(X, y, sw, w, problem.l1, problem.l2, problem.positive,
                              problem.fit_intercept))
    # intercept = y_mean - coef @ x_mean with x_mean = 0 reproduces b
    return _EnetResult(coef, np.zeros(X.shape[1]), intercepts, statuses, iters, gaps, curves, "fista")


# Solver registry: "auto" resolves to one of these (see _resolve_solver).
_SOLVER_FITS = {"cd": _fit_cd, "fista": _fit_fista, "ws": fit_ws}
_SOLVERS = {"auto"} | set(_SOLVER_FITS)


def _resolve_solver(estimator, problem=None):
    # CD is faster than FISTA on every shape measured (its Gram loop costs
    # nothing per epoch once X^T X exists), so "auto" means "cd" -- except on
    # wide L1 fits, where CD restricted to working sets skips most features
    # (``_cd_ws.ws_preferred``).
    if estimator.solver != "auto":
        return estimator.solver
    if problem is not None and ws_preferred(estimator, problem):
        return "ws"
    return "cd"

