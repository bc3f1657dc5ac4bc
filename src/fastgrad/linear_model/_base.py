"""Shared machinery of the least-squares models (LinearRegression, Ridge).

Validate ``X``, ``y`` and ``sample_weight`` with scikit-learn's helpers, then
either solve the (possibly penalised) normal equations -- the weighted
centred Gram matrix and moment come from one blocked BLAS pass over ``X``
(``_gram.py``), the solve is float64 scipy -- or run one of the
compiled iterative loops (``_iterative.py``).
"""

import math
import numbers

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._gram import weighted_gram
from ._iterative import DEFAULT_MAX_ITER, ITERATIVE_SOLVERS, POSITIVE_SOLVERS, fit_least_squares, stack_curves
from ._status import check_status

__all__ = []

#: The sparse formats the compiled kernels read: rows (CSR) or columns (CSC).
SPARSE_FORMATS = ("csr", "csc")

_FLOAT_DTYPES = [np.float64, np.float32]

#: Every solver name the least-squares estimators accept.
LEAST_SQUARES_SOLVERS = ("auto", "cholesky") + ITERATIVE_SOLVERS
#: solver="auto" uses the closed form up to this many features.
AUTO_CHOLESKY_MAX_FEATURES = 2000


def _reject_sparse(X, name, estimator):
    if sp.issparse(X):
        raise TypeError(
            f"{name} is a scipy.sparse matrix, which {type(estimator).__name__} does not "
            "support yet (sparse input needs an iterative solver). Pass a dense array, "
            "e.g. X.toarray()."
        )


def canonical_sparse(X, original):
    """Sparse ``X`` with sorted, summed indices and one index dtype, for the kernels.

    ``original`` is what the user passed: scipy's ``sum_duplicates`` works in
    place, so when validation handed back the user's own object it is copied
    first (inputs are never modified). Indices and the index pointer share one
    integer dtype (int32 or int64), as the compiled kernels expect.
    """
    if not X.has_canonical_format:
        if X is original:
            X = X.copy()
        X.sum_duplicates()  # sorts the indices too
    if X.indices.dtype != X.indptr.dtype:
        if X is original:
            X = X.copy()
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
    return X


def _validate_fit_data(estimator, X, y, sample_weight, multi_output=True, accept_sparse=False,
                       order="C"):
    """Checked ``X`` and ``y`` of one float dtype, and the weights.

    Dense ``X`` comes back C-contiguous (``order="F"``: Fortran-contiguous;
    None: in the memory layout it came in, possibly not contiguous, so a
    solver that reads columns can take an F-ordered ``X`` without a copy). With ``accept_sparse`` (a format
    name such as ``"csr"`` or ``"csc"``) a scipy.sparse ``X`` is converted
    once to that format and made canonical (``canonical_sparse``); without
    it sparse ``X`` is refused with a clear TypeError. Raises clear errors for
    NaN/inf (also in a sparse matrix's stored values), empty data,
    mismatched lengths and bad weights (negative, non-finite or all zero).
    Never modifies the inputs (a converted copy is made when the layout or
    dtype differs).
    """
    if not accept_sparse:
        _reject_sparse(X, "X", estimator)
    original = X
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=accept_sparse,
        accept_large_sparse=True,
        dtype=_FLOAT_DTYPES,
        order=order,
        multi_output=multi_output,
        y_numeric=True,
    )
    if sp.issparse(X):
        X = canonical_sparse(X, original)
    y = np.ascontiguousarray(y, dtype=X.dtype)
    return X, y, _validate_weights(X, sample_weight)


def linear_predict(estimator, X, accept_sparse=("csr", "csc", "coo")):
    """``X @ coef_.T + intercept_`` for a fitted linear model, dense or sparse ``X``."""
    check_is_fitted(estimator)
    X = validate_data(
        estimator, X, accept_sparse=accept_sparse, accept_large_sparse=True,
        dtype=_FLOAT_DTYPES, reset=False,
    )
    # dense_output: coef_ may be sparse (sparsify()) as well as X
    return np.asarray(safe_sparse_dot(X, estimator.coef_.T, dense_output=True)) + estimator.intercept_


def _validate_weights(X, sample_weight, allow_all_zero=False):
    """``sample_weight`` checked (finite, non-negative, one per row) in X's dtype, or None.

    All zero is an error unless ``allow_all_zero``.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number) and not math.isfinite(sample_weight):
        # _check_sample_weight broadcasts a scalar without checking it.
        raise ValueError(f"sample_weight must be finite, got {sample_weight!r}.")
    sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True,
                                         allow_all_zero_weights=allow_all_zero)
    return np.ascontiguousarray(sample_weight)


def _gram(X, y, sample_weight, fit_intercept, n_jobs=None):
    """``(XtX, XtY, x_mean, y_mean)`` in float64, from one pass over ``X``.

    ``n_jobs``: BLAS threads for the pass (None: ``weighted_gram``'s rule).
    """
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    XtX, XtY, x_mean, y_mean, _ = weighted_gram(X, Y, sample_weight, center=fit_intercept, n_jobs=n_jobs)
    return XtX, XtY, x_mean, y_mean


# Relative eigenvalue below which the normal equations count as singular.
# Rounding in the Gram matrix puts "zero" eigenvalues at ~sqrt(n) * eps of
# the largest; 1e-10 stays clear of that noise for any realistic n. (It
# corresponds to singular values of X below 1e-5 of the largest.)
_SINGULAR_RCOND = 1e-10


def _cholesky_solve(A, B):
    """Solve ``A W = B`` for symmetric ``A``; None if ``A`` is (nearly) singular.

    ``A`` is first scaled to unit diagonal (Jacobi): columns measured in very
    different units then do not make a well-posed system look singular.
    """
    diag = np.diag(A).copy()
    scale = np.sqrt(np.where(diag > 0, diag, 1.0))
    As = A / np.outer(scale, scale)
    try:
        factor = scipy.linalg.cho_factor(As, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    # cho_factor succeeds on matrices that are singular up to rounding; the
    # squared ratio of the factor's extreme diagonal entries is a cheap
    # upper estimate of 1 / cond(As).
    root = np.abs(np.diag(factor[0]))
    if root.min() ** 2 <= _SINGULAR_RCOND * root.max() ** 2:
        return None
    return scipy.linalg.cho_solve(factor, B / scale[:, None], check_finite=False) / scale[:, None]


def _lstsq_solve(A, B):
    """Minimum-norm solution of ``A W = B`` (``A`` symmetric, maybe singular).

    For ``A = X_c^T S X_c`` this is the minimum-norm least-squares solution,
    as ``range(A) = range(X_c^T)``. Eigenvalues below ``_SINGULAR_RCOND``
    times the largest are treated as zero.
    """
    return scipy.linalg.lstsq(A, B, cond=_SINGULAR_RCOND, check_finite=False)[0]


def _nnls_solve(A, B):
    """Non-negative minimiser of ``w^T A w - 2 w^T b`` for each column ``b``.

    With ``A = V diag(lam) V^T`` this equals ``||M w - r||^2`` up to a
    constant, where ``M = diag(sqrt(lam)) V^T`` and
    ``r = diag(1 / sqrt(lam)) V^T b`` (zero for the null space of ``A``, where
    ``b`` has no component), which scipy's NNLS solves.
    """
    lam, V = scipy.linalg.eigh(A, check_finite=False)
    keep = lam > _SINGULAR_RCOND * max(lam.max(), 0.0)
    root = np.sqrt(np.where(keep, lam, 0.0))
    M = root[:, None] * V.T
    inv_root = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)
    W = np.empty_like(B)
    for t in range(B.shape[1]):
        r = inv_root * (V.T @ B[:, t])
        W[:, t] = scipy.optimize.nnls(M, r, maxiter=50 * A.shape[0])[0]
    return W


def _solve_normal_equations(XtX, XtY, alphas, positive):
    """Coefficients ``(k, p)`` minimising the least-squares objective per target.

    ``alphas`` has one L2 penalty per target (column of ``XtY``).
    """
    p, k = XtY.shape
    coef = np.empty((k, p))
    # One factorisation per distinct penalty, shared by its targets.
    for alpha in np.unique(alphas):
        cols = np.flatnonzero(alphas == alpha)
        A = XtX + alpha * np.eye(p)
        B = XtY[:, cols]
        if positive:
            W = _nnls_solve(A, B)
        else:
            W = _cholesky_solve(A, B)
            if W is None:
                W = _lstsq_solve(A, B)
        coef[cols] = W.T
    return coef


class _LeastSquaresModel(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Fit / predict shared by LinearRegression and Ridge.

    Subclasses define ``_alphas(n_targets)`` (the L2 penalty per target, in
    the sum-of-squares scale of the objective below) and the parameters
    ``fit_intercept``, ``positive``, ``solver``, ``tol``, ``learning_rate``,
    ``momentum``, ``verbose``, ``warm_start`` and ``max_iter``. The
    objective, per target, is ``sum_i s_i (y_i - x_i . w - b)**2 + alpha * ||w||**2``.
    """

    def _max_iter(self):
        return DEFAULT_MAX_ITER if self.max_iter is None else self.max_iter

    def _resolved_solver(self, n_features):
        if self.solver != "auto":
            return self.solver
        # The closed form costs one Gram pass (n p^2) plus a p^3 factorisation;
        # beyond a few thousand features L-BFGS (n p per iteration) wins.
        return "cholesky" if n_features <= AUTO_CHOLESKY_MAX_FEATURES else "lbfgs"

    def _fit_least_squares(self, X, y, sample_weight):
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight)
        n_targets = 1 if y.ndim == 1 else y.shape[1]
        alphas = self._alphas(n_targets)
        solver = self._resolved_solver(X.shape[1])
        if self.positive and solver not in ("cholesky",) + POSITIVE_SOLVERS:
            raise ValueError(
                f"solver={solver!r} does not support positive=True. Use solver='auto', "
                f"or one of {POSITIVE_SOLVERS} (projected gradient), or set positive=False."
            )
        if solver == "cholesky":
            coef, intercept, curve, n_iter = self._closed_form(X, y, sample_weight, alphas)
        else:
            coef, intercept, curve, n_iter = self._iterative(X, y, sample_weight, alphas, solver)
        if y.ndim == 1:
            self.coef_ = coef[0].astype(X.dtype)
            self.intercept_ = X.dtype.type(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = coef.astype(X.dtype)
            # as scikit-learn: a scalar 0.0 without intercept, even for 2-D y
            self.intercept_ = intercept.astype(X.dtype) if self.fit_intercept else 0.0
        self.n_iter_ = n_iter
        self.loss_curve_ = curve
        self.solver_ = solver
        return self

    def _closed_form(self, X, y, sample_weight, alphas):
        n_targets = alphas.shape[0]
        XtX, XtY, x_mean, y_mean = _gram(X, y, sample_weight, self.fit_intercept, getattr(self, "n_jobs", None))
        coef = _solve_normal_equations(XtX, XtY, alphas, self.positive)
        if self.fit_intercept:
            intercept = y_mean - coef @ x_mean
        else:
            intercept = np.zeros(n_targets)
        # The objective at the solution, from the Gram quantities and one
        # cheap pass over y: sum s (y - ybar)^2 - 2 w.XtY + w.XtX w + alpha ||w||^2.
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        Yc = Y - y_mean if self.fit_intercept else Y
        s = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
        syy = np.einsum("i,ij,ij->j", s, Yc, Yc, dtype=np.float64)
        objective = (
            syy - 2.0 * np.einsum("kp,pk->k", coef, XtY) + np.einsum("kp,pq,kq->k", coef, XtX, coef)
            + alphas * np.einsum("kp,kp->k", coef, coef)
        )
        return coef, intercept, np.array([max(float(objective.sum()), 0.0)]), None

    def _iterative(self, X, y, sample_weight, alphas, solver):
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets, p = Y.shape[1], X.shape[1]
        sum_s = float(X.shape[0] if sample_weight is None else np.sum(sample_weight, dtype=np.float64))
        warm = (
            self.warm_start and hasattr(self, "coef_")
            and np.shape(self.coef_) == ((p,) if y.ndim == 1 else (n_targets, p))
        )
        coef = np.empty((n_targets, p))
        intercept = np.zeros(n_targets)
        n_iter = np.empty(n_targets, dtype=np.int64)
        curves = []
        for t in range(n_targets):
            warm_coef = warm_intercept = None
            if warm:
                warm_coef = np.reshape(self.coef_, (n_targets, p))[t]
                warm_intercept = np.ravel(np.broadcast_to(self.intercept_, (n_targets,)))[t]
            w, b, status, n_iter[t], curve, hint = fit_least_squares(
                self, X, Y[:, t], sample_weight,
                # the loops minimise the mean form: divide the sum form by sum_s
                alpha=alphas[t] / sum_s, fit_intercept=self.fit_intercept, solver=solver,
                max_iter=self._max_iter(), tol=self.tol, learning_rate=self.learning_rate,
                momentum=self.momentum, positive=self.positive, warm_coef=warm_coef,
                warm_intercept=warm_intercept, n_jobs=getattr(self, "n_jobs", None),
                verbose=self.verbose,
            )
            check_status(self, status, n_iter[t], max_iter=self._max_iter(), solver=solver, hint=hint)
            coef[t], intercept[t] = w, b
            curves.append(2.0 * sum_s * curve)
        return coef, intercept, stack_curves(curves), n_iter

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense, finite samples with as many features as seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        _reject_sparse(X, "X", self)
        X = validate_data(self, X, accept_sparse=False, dtype=_FLOAT_DTYPES, reset=False)
        return X @ self.coef_.T + self.intercept_
