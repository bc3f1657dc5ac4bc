"""``RidgeCV``: ridge with alpha chosen by leave-one-out (or any CV), as scikit-learn's.

Without ``cv`` the leave-one-out residuals of every alpha come from one
eigendecomposition. With the centred, ``sqrt(s)``-scaled data ``X_c``, ``y_c``:

* ``n > p`` ("cov"): ``X_c^T X_c = V diag(lam) V^T`` and ``Z = X_c V``; the
  fit is ``Z (d * Z^T y_c)`` and the hat diagonal ``(Z * Z) @ d`` with
  ``d = 1 / (lam + alpha)``; for *all* alphas these are two matrix products;
* ``n <= p`` ("gram"): ``X_c X_c^T = Q diag(lam) Q^T``; the dual
  coefficients are ``Q (d * Q^T y_c)`` and the hat diagonal ``1 - alpha (Q*Q) @ d``.

The LOO residual is ``(y_c - fit) / (1 - h - s / sum(s))`` (the last term
for the intercept; in the "gram" form the intercept's direction ``sqrt(s)``,
an exact null vector of ``X_c X_c^T``, is lifted to a large eigenvalue and its
term dropped, rather than left to rounding next to a tiny alpha), the score the mean of minus its square, or a
scikit-learn scorer (``get_scorer``) on the LOO predictions. With ``cv`` it
is a ``GridSearchCV`` over fastgrad's ``Ridge``, as in scikit-learn.
"""

import numbers
import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_scalar

from ._base import _validate_fit_data, linear_predict
from ._ridge import Ridge

__all__ = ["RidgeCV"]

# entries of the (n_samples, n_targets, alphas) block computed at once
_BLOCK_ENTRIES = 1 << 22


class _Identity(RegressorMixin, BaseEstimator):
    """A fitted regressor whose predictions are its input (to score LOO predictions)."""

    def predict(self, X):
        return X


def _centred(X, Y, s, fit_intercept):
    """Weighted means and ``sqrt(s)``: the data the closed forms run on."""
    n, p = X.shape
    w = np.ones(n) if s is None else s
    if fit_intercept:
        x_mean = np.asarray(X.T @ w).ravel() / w.sum()
        y_mean = w @ Y / w.sum()
    else:
        x_mean, y_mean = np.zeros(p), np.zeros(Y.shape[1])
    return x_mean, y_mean, np.sqrt(w)


def _loo_cov(X, Yc, root, x_mean, alphas, fit_intercept):
    """LOO residuals (n, k, A), their denominators (n, A) and coefficients (k, p, A) from ``eigh(X_c^T X_c)``."""
    if sp.issparse(X):
        XV = lambda V: np.asarray(X @ V) - x_mean @ V  # noqa: E731
        G = np.asarray((X.T @ sp.diags(root ** 2) @ X).todense())
        G = G - np.outer(x_mean, x_mean) * (root @ root)
    else:
        # on tall data each (n, p) or (n, A) temporary is tens of MB whose
        # first writes cost more than the arithmetic: build in place
        Xc = X - x_mean
        if np.any(root != 1.0):
            Xc *= root[:, None]
        G = Xc.T @ Xc
        XV = None
    lam, V = np.linalg.eigh(G)
    lam = np.maximum(lam, 0.0)  # rounding can push zero eigenvalues below 0
    if XV is not None:
        Z = root[:, None] * XV(V)
    else:
        Z = Xc @ V
        del Xc  # its memory can serve the next temporaries
    ZY = Z.T @ Yc  # (p, k)
    D = 1.0 / (lam[:, None] + alphas[None, :])  # (p, A)
    n, k, A = Yc.shape[0], Yc.shape[1], alphas.shape[0]
    fit = np.empty((n, k, A))
    step = max(1, _BLOCK_ENTRIES // max(1, n * k))
    for a0 in range(0, A, step):
        a1 = min(A, a0 + step)
        W = (D[:, None, a0:a1] * ZY[:, :, None]).reshape(Z.shape[1], -1)
        fit[:, :, a0:a1] = (Z @ W).reshape(n, k, a1 - a0)
    coefs = np.einsum("pq,qka->kpa", V, D[:, None, :] * ZY[:, :, None])
    np.multiply(Z, Z, out=Z)
    denom = Z @ D  # the hat diagonal (n, A) ...
    np.subtract(1.0, denom, out=denom)  # ... and 1 - it
    if fit_intercept:  # the hat matrix of the centred fit plus the intercept's
        denom -= (root * root / (root @ root))[:, None]
    np.subtract(Yc[:, :, None], fit, out=fit)  # the LOO residuals' numerators
    return fit, denom, coefs


def _loo_gram(X, Yc, root, x_mean, alphas, fit_intercept):
    """The same from ``eigh(X_c X_c^T)`` (wide data)."""
    if sp.issparse(X):
        K = np.asarray((X @ X.T).todense())
        Xm = np.asarray(X @ x_mean).ravel()
        K = K - Xm[:, None] - Xm[None, :] + x_mean @ x_mean
        K *= np.outer(root, root)
    else:
        Xc = (X - x_mean) * root[:, None]
        K = Xc @ Xc.T
    if fit_intercept:
        # sqrt(s) spans the intercept: lift it above the spectrum so that eigh
        # returns it as one clean eigenvector, whose term is then dropped
        unit = root / np.linalg.norm(root)
        K = K + (np.trace(K) + 1.0) * np.outer(unit, unit)
    lam, Q = np.linalg.eigh(K)
    lam = np.maximum(lam, 0.0)
    D = 1.0 / (lam[:, None] + alphas[None, :])  # (n, A)
    if fit_intercept:
        D[int(np.argmax(np.abs(unit @ Q)))] = 0.0
    QY = Q.T @ Yc
    dual = np.einsum("iq,qka->ika", Q, D[:, None, :] * QY[:, :, None])  # (n, k, A)
    # residual = alpha * dual; the hat complement 1 - h = alpha * diag(Q D Q^T)
    diag = (Q * Q) @ D
    resid = dual * alphas
    if sp.issparse(X):
        SD = root[:, None, None] * dual
        coefs = (np.asarray(X.T @ SD.reshape(X.shape[0], -1)).reshape(X.shape[1], *SD.shape[1:])
                 - x_mean[:, None, None] * SD.sum(axis=0)[None])
        coefs = np.moveaxis(coefs, 0, 1)
    else:
        coefs = np.einsum("ip,ika->kpa", Xc, dual)
    return resid, diag * alphas, coefs


class RidgeCV(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ridge regression with built-in (efficient leave-one-out) cross-validation.

    A drop-in for scikit-learn's ``RidgeCV``: the same parameters, attributes
    (``alpha_``, ``best_score_``, ``cv_results_``, ``coef_``, ``intercept_``)
    and choices. Without ``cv``, all alphas are scored from one
    eigendecomposition of the smaller of ``X_c^T X_c`` and ``X_c X_c^T``
    (``gcv_mode`` "auto", "svd" and "eigen" all take it: they are the same
    closed forms); dense or scipy.sparse ``X`` (centred implicitly).

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try, each ``> 0``.
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        None: minus the mean squared LOO error (of the weighted residuals);
        else a scorer name or callable applied to the LOO predictions.
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient leave-one-out; otherwise ``GridSearchCV`` over
        ``fastgrad.Ridge``.
    gcv_mode : {"auto", "svd", "eigen"} or None, default=None
        Accepted for compatibility (see above).
    store_cv_results : bool, default=False
        Keep the LOO squared errors (or predictions, with ``scoring``) of
        every alpha in ``cv_results_`` (only without ``cv``).
    alpha_per_target : bool, default=False
        Choose an alpha for each target (only without ``cv``).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from fastgrad.linear_model import RidgeCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> RidgeCV(alphas=[1e-3, 1e-2, 1e-1, 1.0]).fit(X, y).alpha_
    0.01
    """

    _parameter_constraints: dict = {
        "alphas": ["array-like", Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "cv": ["cv_object"],
        "gcv_mode": [StrOptions({"auto", "svd", "eigen"}), None],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
    }

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 gcv_mode=None, store_cv_results=False, alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def _checked_alphas(self):
        """The grid as float64, each entry checked as scikit-learn checks it.

        Leave-one-out (``cv=None``) needs every alpha > 0; a cross-validated
        grid search also takes 0. The entries are checked as given (so a
        string is a TypeError naming its index, and -1 is reported as -1).
        """
        boundaries = "neither" if self.cv is None else "left"
        raw = self.alphas
        if isinstance(raw, (np.ndarray, list, tuple)) and np.ndim(raw) > 0:
            if len(raw) == 0:
                raise ValueError("alphas must hold at least one value > 0, got an empty list.")
            items = list(np.ravel(raw)) if isinstance(raw, np.ndarray) else list(raw)
            names = [f"alphas[{i}]" for i in range(len(items))] if len(items) > 1 else ["alphas"]
        else:
            items, names = [raw], ["alphas"]
        for name, value in zip(names, items):
            check_scalar(value, name, target_type=Real, min_val=0.0, include_boundaries=boundaries)
        return np.asarray(items, dtype=np.float64)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit ridge for every alpha and keep the best.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the fit (their scale matters, as in ``Ridge``).

        Returns
        -------
        self : object
        """
        alphas = self._checked_alphas()
        if self.cv is not None:
            return self._fit_grid_search(X, y, sample_weight, alphas)
        if self.gcv_mode == "svd" and sp.issparse(X):
            # scikit-learn 1.9 warns here too (and plans an error for 1.11); the
            # computation is the same eigendecomposition either way;
            warnings.warn(
                # the first clause is scikit-learn's, which its tests match
                "The 'svd' mode is not supported for sparse X: the 'eigen' mode is used "
                "instead. scikit-learn will refuse this combination from 1.11 on; pass "
                "gcv_mode='eigen' (or leave the default) to silence this warning.",
                FutureWarning, stacklevel=2)
        return self._fit_loo(X, y, sample_weight, alphas)

    def _fit_loo(self, X, y, sample_weight, alphas):
        """Score every alpha by efficient leave-one-out and keep the best fit."""
        if isinstance(sample_weight, numbers.Number):
            sample_weight = np.full(np.shape(X)[0], float(sample_weight))
        X, y, s = _validate_fit_data(self, X, y, sample_weight, accept_sparse="csr")
        dtype = X.dtype
        X64 = X.astype(np.float64) if dtype != np.float64 else X
        Y = y.reshape(-1, 1).astype(np.float64) if y.ndim == 1 else y.astype(np.float64)
        s = None if s is None else s.astype(np.float64)
        x_mean, y_mean, root = _centred(X64, Y, s, self.fit_intercept)
        Yc = (Y - y_mean) * root[:, None]
        n, p = X.shape
        solve = _loo_cov if n > p else _loo_gram
        resid, denom, coefs = solve(X64, Yc, root, x_mean, alphas, self.fit_intercept)
        looe = resid / denom[:, None, :]  # (n, k, A), weighted scale
        scores = self._scores(looe, Y, Yc, root, y_mean, alphas, s)  # (A,) or (A, k)
        k = Y.shape[1]
        if self.alpha_per_target and k > 1:
            best = np.argmax(scores, axis=0)  # first maximum: ties keep the earlier alpha
            self.alpha_ = alphas[best]
            self.best_score_ = scores[best, np.arange(k)]
            coef = coefs[np.arange(k), :, best]
        else:
            best = int(np.argmax(scores if scores.ndim == 1 else scores.mean(axis=1)))
            self.alpha_ = float(alphas[best])
            self.best_score_ = float(scores[best] if scores.ndim == 1 else scores[best].mean())
            coef = coefs[:, :, best]
        intercept = y_mean - coef @ x_mean if self.fit_intercept else np.zeros(k)
        if y.ndim == 1 or k == 1:
            self.coef_ = coef.ravel().astype(dtype)
            if not self.fit_intercept:
                self.intercept_ = 0.0
            elif y.ndim == 1:
                self.intercept_ = np.float64(intercept[0])
            else:  # a one-column 2-D target keeps a one-entry intercept, as scikit-learn's
                self.intercept_ = intercept.astype(dtype)
        else:
            self.coef_ = coef.astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
        if self.store_cv_results:
            stored = looe ** 2 if self.scoring is None else self._loo_predictions(
                looe, Yc, root, y_mean)
            self.cv_results_ = (stored[:, 0, :] if y.ndim == 1 else stored).astype(dtype)
        return self

    def _loo_predictions(self, looe, Yc, root, y_mean):
        return (Yc[:, :, None] - looe) / root[:, None, None] + y_mean[None, :, None]

    def _scores(self, looe, Y, Yc, root, y_mean, alphas, s):
        """One score per alpha (per alpha and target with ``alpha_per_target``)."""
        per_target = self.alpha_per_target and Y.shape[1] > 1
        if self.scoring is None:
            sq = looe ** 2
            return -(sq.mean(axis=0).T if per_target else sq.mean(axis=(0, 1)))
        scorer = get_scorer(self.scoring)
        pred = self._loo_predictions(looe, Yc, root, y_mean)
        kw = {} if s is None else {"sample_weight": s}
        out = []
        for a in range(alphas.shape[0]):
            if per_target:
                out.append([scorer(_Identity(), pred[:, j, a], Y[:, j], **kw)
                            for j in range(Y.shape[1])])
            else:
                P = pred[:, :, a] if Y.shape[1] > 1 else pred[:, 0, a]
                T = Y if Y.shape[1] > 1 else Y[:, 0]
                out.append(scorer(_Identity(), P, T, **kw))
        return np.asarray(out, dtype=np.float64)

    def _fit_grid_search(self, X, y, sample_weight, alphas):
        if self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        # validated here (n_features_in_, feature names, clear errors), then searched
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight, accept_sparse="csr")
        return self._search(Ridge(fit_intercept=self.fit_intercept), X, y, sample_weight, alphas)

    def _search(self, estimator, X, y, sample_weight, alphas):
        """A ``GridSearchCV`` of ``estimator`` over ``alphas``; its best fit becomes ours."""
        search = GridSearchCV(estimator, {"alpha": alphas}, cv=self.cv, scoring=self.scoring)
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        search.fit(X, y, **fit_params)
        best = search.best_estimator_
        self.alpha_ = float(best.alpha)
        self.best_score_ = float(search.best_score_)
        self.coef_, self.intercept_ = best.coef_, best.intercept_
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags

    def predict(self, X):
        """``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        return linear_predict(self, X)
