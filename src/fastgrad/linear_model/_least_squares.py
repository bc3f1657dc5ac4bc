"""Fit dispatch of LinearRegression and Ridge: dense or sparse X, every solver name.

``_base._LeastSquaresModel`` holds the dense closed form and the compiled
loops; this subclass adds what scikit-learn's names and inputs need:

* sparse ``X`` (CSR after validation): the closed form from a sparse Gram
  matrix with the centring as a rank-one correction (moderate ``p``), the
  compiled CSR loops of ``_solvers_fast`` otherwise, LSQR on an implicitly
  centred operator -- ``X`` is never densified;
* an *engine* per public solver name (``_plan`` of each estimator): the
  name is what ``solver_`` reports, the engine what runs -- a faster
  fastgrad method that reaches the same optimum where one exists;
* a non-finite result (overflow in the data) is an error, on every path.
"""

import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from ._base import (
    AUTO_CHOLESKY_MAX_FEATURES, _gram, _LeastSquaresModel, _solve_normal_equations, _validate_fit_data,
    linear_predict,
)
from ._gram import sparse_weighted_gram
from ._iterative import lsqr_least_squares
from ._status import DivergenceError

__all__ = []

#: Engines a plan may name besides the compiled loops ("loop:<kind>").
GRAM, LSQR = "gram", "lsqr"

#: Constraints of the fastgrad-only parameters of LinearRegression and Ridge.
LOOP_CONSTRAINTS = {
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "momentum": [Interval(Real, 0, 1, closed="left"), None],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
}


def _check_finite_result(estimator, coef, intercept):
    """Raise a clear error when a fit produced NaN/inf (overflow in X or y)."""
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ValueError(
            f"{type(estimator).__name__}.fit produced non-finite coefficients: the sums of "
            "squares of X or y overflow the floating-point range (values too large, e.g. "
            "~1e150 or more in float64). Rescale X and y first, e.g. with "
            "sklearn.preprocessing.StandardScaler, or divide them by a constant."
        )


class _DispatchLeastSquares(_LeastSquaresModel):
    """Least squares on dense or sparse X with an engine per solver name.

    Subclasses define ``_plan(X)`` returning ``(solver_, engine, report_iter)``
    (``engine`` one of ``GRAM``, ``LSQR`` or ``"loop:<kind>"``;
    ``report_iter``: ``"array"`` sets ``n_iter_`` to the iteration counts,
    ``"none"`` to None -- what scikit-learn's Ridge reports for its direct
    solvers -- and ``"one"`` to one iteration per target: the closed form
    is one Newton step on a quadratic), and
    ``_lsqr_tol()``.
    """

    #: coef_ of shape (p,) for y of shape (n, 1) (scikit-learn's Ridge does this,
    #: its LinearRegression keeps (1, p)).
    _ravel_single_target = False

    def _fit_least_squares(self, X, y, sample_weight):
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight, accept_sparse="csr")
        n_targets = 1 if y.ndim == 1 else y.shape[1]
        alphas = self._alphas(n_targets)
        public, engine, report_iter = self._plan(X)
        n_iter = None
        if engine == GRAM:
            coef, intercept, curve = self._gram_fit(X, y, sample_weight, alphas)
        elif engine == LSQR:
            coef, intercept, curve, n_iter = self._lsqr_fit(X, y, sample_weight, alphas, public)
        else:
            kind = engine.split(":", 1)[1]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                try:
                    coef, intercept, curve, n_iter = self._iterative(X, y, sample_weight, alphas, kind)
                except DivergenceError as exc:
                    if kind == public:
                        raise
                    # name what the user asked for, and what ran
                    raise DivergenceError(
                        str(exc).replace(f"solver={kind!r}", f"solver={public!r} (fastgrad's {kind!r} loop)")
                    ) from None
            self._rewarn(caught, public, n_iter)
        _check_finite_result(self, coef, intercept)
        if y.ndim == 1:
            self.coef_ = coef[0].astype(X.dtype)
            self.intercept_ = X.dtype.type(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = coef.astype(X.dtype)
            self.intercept_ = intercept.astype(X.dtype) if self.fit_intercept else 0.0
            if self._ravel_single_target and y.shape[1] == 1:
                self.coef_ = self.coef_.ravel()  # scikit-learn's Ridge: y of shape (n, 1)
        if report_iter == "one":
            # An estimator with max_iter must report n_iter_ >= 1 (scikit-learn's
            # check_non_transformer_estimators_n_iter); the direct solve is
            # exactly one Newton step on the quadratic objective.
            self.n_iter_ = np.ones(n_targets, dtype=np.int32)
        elif report_iter == "array" and n_iter is not None:
            self.n_iter_ = np.asarray(n_iter, dtype=np.int32)
        else:
            self.n_iter_ = None
        self.loss_curve_ = curve
        self.solver_ = public
        return self

    def _rewarn(self, caught, public, n_iter):
        """Re-issue the loops' warnings; a ConvergenceWarning names the public solver."""
        for w in caught:
            if issubclass(w.category, ConvergenceWarning):
                warnings.warn(
                    f"{public} solver did not converge after {int(np.max(n_iter))} iterations "
                    f"({type(self).__name__}, max_iter={self._max_iter()}, tol={self.tol}). "
                    "Increase max_iter, loosen tol, or standardise the features "
                    "(e.g. sklearn.preprocessing.StandardScaler).",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def _gram_fit(self, X, y, sample_weight, alphas):
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        with np.errstate(all="ignore"):  # overflow is reported below, clearly
            if sp.issparse(X):
                XtX, XtY, x_mean, y_mean, _ = sparse_weighted_gram(X, Y, sample_weight, center=self.fit_intercept)
            else:
                XtX, XtY, x_mean, y_mean = _gram(X, y, sample_weight, self.fit_intercept, getattr(self, "n_jobs", None))
        # An overflowed Gram matrix would reach LAPACK as inf/NaN: stop here.
        if not (np.all(np.isfinite(XtX)) and np.all(np.isfinite(XtY))):
            _check_finite_result(self, np.array([np.inf]), 0.0)
        coef = _solve_normal_equations(XtX, XtY, alphas, self.positive)
        intercept = y_mean - coef @ x_mean if self.fit_intercept else np.zeros(len(alphas))
        # objective at the solution from the Gram quantities and one pass over y
        Yc = Y - y_mean if self.fit_intercept else Y
        s = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
        syy = np.einsum("i,ij,ij->j", s, Yc, Yc, dtype=np.float64)
        objective = (
            syy - 2.0 * np.einsum("kp,pk->k", coef, XtY) + np.einsum("kp,pq,kq->k", coef, XtX, coef)
            + alphas * np.einsum("kp,kp->k", coef, coef)
        )
        return coef, intercept, np.array([max(float(objective.sum()), 0.0)])

    def _lsqr_fit(self, X, y, sample_weight, alphas, public):
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        k, p = Y.shape[1], X.shape[1]
        coef, intercept = np.empty((k, p)), np.zeros(k)
        n_iter = np.empty(k, dtype=np.int32)
        tol = self._lsqr_tol()
        max_iter = self.max_iter  # None: LSQR's own limit (2 p)
        with np.errstate(all="ignore"):  # overflow is reported below, clearly
            for t in range(k):
                coef[t], b, n_iter[t] = lsqr_least_squares(
                    X, Y[:, t], sample_weight, alpha=float(alphas[t]),
                    fit_intercept=self.fit_intercept, max_iter=max_iter, tol=tol,
                )
                intercept[t] = b if self.fit_intercept else 0.0
        return coef, intercept, np.array([np.nan]), n_iter

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples with as many features as seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        return linear_predict(self, X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def small_gram(X):
    """Whether the closed form from the (p, p) Gram matrix is the cheap engine for X."""
    return X.shape[1] <= AUTO_CHOLESKY_MAX_FEATURES
