"""Least squares by the compiled iterative loops (``csrc/_solvers_fast.pyx``).

The estimators hand over validated, C-contiguous data; this module builds
the compiled objective, picks the step size, runs one loop per target and
converts the result back to the raw (uncentred) model. It never copies ``X``.

The objective the loops minimise is the *mean* form::

    f(w, c) = 0.5 * sum_i s_i ((x_i - m) . w + c - y_i)**2 / sum_s
              + 0.5 * alpha * ||w||**2  (+ l1 * ||w||_1)

with ``m`` the column means, so that the intercept ``c`` does not couple to
``w`` (gradient methods then converge as fast as on centred data). The raw
intercept is ``b = c - m . w``. Estimators with another scaling (Ridge uses
sums, not means) convert ``alpha`` and the reported objective.
"""

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg

from ._solvers_fast import SparseSquaredObjective, SquaredObjective, py_lipschitz, run_solver
from ._squared_loss import _resolve_n_threads
from ._gram import sparse_weighted_gram, weighted_gram
from ._status import CONVERGED, MAX_ITER, NONFINITE, STALLED, check_status

__all__ = []

# stored entries per block of _weighted_column_squares: bounds its temporaries
# (~24 bytes per entry) far below the size of X
_SQUARE_BLOCK = 1 << 18


def _weighted_column_squares(X, s):
    """``sum_i s_i x_ij**2`` per column of a sparse matrix (read as CSR), in float64.

    Reads ``X`` in row blocks of about ``_SQUARE_BLOCK`` stored entries, so no
    temporary of the size of ``X`` is made (the fit's peak memory stays close
    to what the solver holds).
    """
    if X.format != "csr":
        X = X.tocsr()
    n, p = X.shape
    out = np.zeros(p)
    indptr = X.indptr
    start = 0
    while start < n:
        # rows [start, stop) hold about _SQUARE_BLOCK entries (at least one row)
        stop = int(np.searchsorted(indptr, indptr[start] + _SQUARE_BLOCK, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        k0, k1 = indptr[start], indptr[stop]
        v = X.data[k0:k1].astype(np.float64)
        rows = np.repeat(s[start:stop], np.diff(indptr[start:stop + 1]))
        out += np.bincount(X.indices[k0:k1], weights=rows * v * v, minlength=p)
        start = stop
    return out


def _hessian_diagonal(X, sample_weight, mean, alpha, fit_intercept):
    """Diagonal of the mean-form Hessian (the Jacobi preconditioner of ``_pcg``).

    ``H_jj = sum_i s_i (x_ij - m_j)**2 / sum_s + alpha``, from the weighted
    column sums of ``x`` and ``x**2`` (one pass, sparse-friendly: no centred
    copy); the intercept's entry is 1 (``m`` the weighted mean decouples it).
    """
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sum_s = float(s.sum())
    # squares in float64: float32 entries above ~1e19 would overflow to inf,
    # and an inf diagonal would freeze CG at its start (no error, zero coef)
    if sp.issparse(X):
        sum_x2 = _weighted_column_squares(X, s)
    else:
        sum_x2 = np.asarray(s @ np.square(X, dtype=np.float64), dtype=np.float64).ravel()
    sum_x = np.asarray(s @ X, dtype=np.float64).ravel()
    d = (sum_x2 - 2.0 * mean * sum_x) / sum_s + mean * mean + alpha
    # a zero column without penalty has zero curvature: any scale works
    d = np.where(d > 0, d, 1.0)
    return np.r_[d, 1.0] if fit_intercept else d


def _pcg(obj, coef0, diag, max_iter, tol):
    """Jacobi-preconditioned conjugate gradients on the quadratic objective.

    The squared objective is exactly quadratic, so CG is the optimal Krylov
    method for it (L-BFGS with a line search needs several times more
    passes); each iteration is one compiled pass over X (``hess_vec``). The
    preconditioner evens out column scales (power-law TF-IDF columns differ
    by orders of magnitude). Stops when the largest gradient entry is at
    most ``tol``, the loops' rule. Returns ``(coef, status, n_iter, curve)``.
    """
    x = np.array(coef0, dtype=np.float64)
    if not np.all(np.isfinite(diag)):  # the curvature overflows: data too large
        return x, NONFINITE, 0, np.array([np.nan])
    f0, g0 = obj.py_value_grad(np.zeros_like(x))
    f, g = obj.py_value_grad(x)
    r = -g
    curve = [f]
    if not (np.isfinite(f) and np.all(np.isfinite(g))):
        return x, NONFINITE, 0, np.array(curve)
    z = r / diag
    d = z.copy()
    rz = r @ z
    n_iter = 0
    status = MAX_ITER
    while True:
        if np.max(np.abs(r)) <= tol:
            status = CONVERGED
            break
        if n_iter >= max_iter:
            break
        Hd = obj.py_hess_vec(d)
        curv = d @ Hd
        if not np.isfinite(curv):
            status = NONFINITE
            break
        if curv <= 0:  # no curvature left along d: rounding level reached
            status = STALLED
            break
        step = rz / curv
        x += step * d
        r -= step * Hd
        n_iter += 1
        # f(x) = f(0) + 0.5 x . (g(x) + g(0)) for a quadratic, with g = -r
        curve.append(f0 + 0.5 * x @ (g0 - r))
        z = r / diag
        rz_new = r @ z
        d = z + (rz_new / rz) * d
        rz = rz_new
    if n_iter:
        # the recurrence drifts from the true gradient by rounding: recheck
        f, g = obj.py_value_grad(x)
        curve[-1] = f
        if status == CONVERGED and np.max(np.abs(g)) > 10 * tol:
            status = STALLED
    return x, status, n_iter, np.array(curve)


#: Compiled loops an estimator may name, and the update each makes.
ITERATIVE_SOLVERS = ("gd", "momentum", "nesterov", "lbfgs", "newton")
#: Loops that can honour ``positive=True`` (a projection in the prox step).
POSITIVE_SOLVERS = ("gd", "nesterov")
#: Default heavy-ball momentum of solver="momentum".
DEFAULT_MOMENTUM = 0.9
#: Iteration limit when the estimator's max_iter is None.
DEFAULT_MAX_ITER = 1000


def _column_means(X, sample_weight):
    """(Weighted) column means in float64; any vector would be correct, the mean is best."""
    if sample_weight is None and sp.issparse(X) and X.format == "csr":
        # scipy's X.mean scales a full copy of X first; this reads it in place
        return np.bincount(X.indices, weights=X.data, minlength=X.shape[1]) / X.shape[0]
    if sample_weight is None:
        return np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
    # float32 X stays float32 here: m only conditions the problem, the
    # reparametrisation b = c - m . w is exact for any m.
    return np.asarray(sample_weight @ X, dtype=np.float64).ravel() / float(np.sum(sample_weight, dtype=np.float64))


def _hessian(X, sample_weight, mean, alpha, fit_intercept):
    """Exact Hessian of the mean-form objective for the centring vector ``mean``."""
    Y = np.zeros((X.shape[0], 1))
    gram = sparse_weighted_gram if sp.issparse(X) else weighted_gram
    XtX, _, x_mean, _, sum_s = gram(X, Y, sample_weight, center=True)
    p = X.shape[1]
    d = x_mean - mean
    k = p + 1 if fit_intercept else p
    H = np.zeros((k, k))
    if fit_intercept:
        # sum_i s_i (x_i - m)(x_i - m)^T = XtX_c + sum_s d d^T, d = xbar - m
        H[:p, :p] = XtX / sum_s + np.outer(d, d) + alpha * np.eye(p)
        H[:p, p] = H[p, :p] = d
        H[p, p] = 1.0
    else:
        H[:, :] = XtX / sum_s + np.outer(x_mean, x_mean) + alpha * np.eye(p)
    return H


def fit_least_squares(
    estimator, X, y, sample_weight, *, alpha, l1=0.0, fit_intercept, solver, max_iter, tol,
    learning_rate=None, momentum=None, positive=False, warm_coef=None, warm_intercept=None,
    n_jobs=None, verbose=0,
):
    """Fit one target column ``y`` (1-D) with a compiled loop.

    Returns ``(w, b, status, n_iter, curve, hint)``: raw coefficients and
    intercept, the loop's status code, the updates made, the mean-form
    objective (plus ``l1 * ||w||_1``) at each gradient evaluation, and advice
    for ``check_status`` should the status be a divergence.
    """
    n_threads = _resolve_n_threads(None if n_jobs in (None, -1) else n_jobs)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
    mean = _column_means(X, sample_weight) if fit_intercept else np.zeros(X.shape[1])
    y = np.ascontiguousarray(y, dtype=X.dtype)
    # CSR X: the compiled sparse pass (the estimators hand over canonical CSR)
    objective = SparseSquaredObjective if sp.issparse(X) else SquaredObjective
    obj = objective(X, y, sample_weight, mean, float(alpha), fit_intercept, n_threads)

    p = X.shape[1]
    coef0 = np.zeros(obj.n_coef)
    if warm_coef is not None:
        coef0[:p] = warm_coef
    if fit_intercept:
        if warm_intercept is not None:
            coef0[p] = float(warm_intercept) + mean @ coef0[:p]
        else:
            # the optimal c for any w (with exact means)
            coef0[p] = float(np.average(y, weights=sample_weight))

    kind = solver
    if solver in ("gd", "nesterov") and (l1 > 0 or positive):
        kind = {"gd": "ista", "nesterov": "fista"}[solver]
    lr = 0.0
    if solver in ("gd", "momentum", "nesterov"):
        if learning_rate is None:
            lipschitz = py_lipschitz(obj)
            if not np.isfinite(lipschitz) or lipschitz < 0:
                check_status(estimator, NONFINITE, 0, max_iter=max_iter, solver=solver)
            # a zero Hessian (all-zero X, no penalty): any step works
            lr = 1.0 / lipschitz if lipschitz > 0 else 1.0
        else:
            lr = float(learning_rate)
    if solver == "newton":
        obj.set_hessian(_hessian(X, sample_weight, mean, float(alpha), fit_intercept))
    if momentum is None:
        mu = DEFAULT_MOMENTUM if solver == "momentum" else -1.0
    else:
        mu = float(momentum)

    if solver == "cg":
        if alpha > 0:
            diag = _hessian_diagonal(X, sample_weight, mean, float(alpha), fit_intercept)
        else:
            # Without a penalty the minimiser may not be unique: plain CG from
            # 0 stays in range(X^T) and so ends at the minimum-norm solution,
            # as scikit-learn's solvers do; a preconditioner would not.
            diag = np.ones(obj.n_coef)
        coef, status, n_iter, curve = _pcg(obj, coef0, diag, int(max_iter), float(tol))
    else:
        coef, status, n_iter, curve = run_solver(
            obj, coef0, kind, int(max_iter), float(tol), lr=lr, momentum=mu, l1=float(l1),
            positive=bool(positive), verbose=int(verbose),
        )
    if status != CONVERGED:
        # A loop that stopped early may be stuck because the data overflow
        # (e.g. X ~ 1e300): the loss at the start is finite, but the curvature
        # along the gradient is not, so no step is accepted. Two extra passes
        # tell that apart from a slow convergence.
        f_end, g_end = obj.py_value_grad(np.ascontiguousarray(coef, dtype=np.float64))
        finite = np.isfinite(f_end) and np.all(np.isfinite(g_end))
        if finite and np.any(g_end):
            finite = np.all(np.isfinite(obj.py_hess_vec(g_end / np.max(np.abs(g_end)))))
        if not finite:
            status = NONFINITE
    hint = (
        f"The step size was learning_rate={learning_rate!r}; lower it, or leave it at "
        "None to use 1/L from the data." if learning_rate is not None else
        "Standardise the features (e.g. sklearn.preprocessing.StandardScaler)."
    )
    w = coef[:p]
    b = coef[p] - mean @ w if fit_intercept else 0.0
    return w, b, status, n_iter, curve, hint


def stack_curves(curves):
    """One curve for several targets: the sum of their objectives per iteration.

    Targets that stopped early contribute their final value from then on.
    """
    length = max(len(c) for c in curves)
    total = np.zeros(length)
    for c in curves:
        total[: len(c)] += c
        total[len(c):] += c[-1]
    return total


def lsqr_least_squares(X, y, sample_weight, *, alpha, fit_intercept, max_iter, tol):
    """One target by scipy's LSQR on the implicitly centred, weighted operator.

    Minimises ``||sqrt(s) * ((X - 1 m^T) w - (y - ybar))||**2 + alpha ||w||**2``
    (the sum form; ``m``, ``ybar`` the weighted means, zero without an
    intercept) through a ``LinearOperator``: ``X`` -- dense or sparse -- is
    never centred, copied or densified. Returns ``(w, b, n_iter)``.
    """
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    root = np.sqrt(s)
    y = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        m = _column_means(X, sample_weight)
        y_mean = float(s @ y / s.sum())
    else:
        m, y_mean = np.zeros(p), 0.0

    def matvec(v):
        v = np.ravel(v)
        return root * (np.asarray(X @ v).ravel() - m @ v)

    def rmatvec(u):
        u = root * np.ravel(u)
        return np.asarray(X.T @ u).ravel() - m * u.sum()

    op = scipy.sparse.linalg.LinearOperator((n, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    result = scipy.sparse.linalg.lsqr(
        op, root * (y - y_mean), damp=float(np.sqrt(alpha)), atol=tol, btol=tol, iter_lim=max_iter,
    )
    w = result[0]
    return w, y_mean - m @ w, int(result[2])
