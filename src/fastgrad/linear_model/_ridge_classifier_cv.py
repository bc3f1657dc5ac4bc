"""``RidgeClassifierCV``: a ridge classifier whose alpha is chosen by leave-one-out or any CV.

The labels are coded as -1 / +1 columns (``RidgeClassifierMixin``) and the
coded multi-target problem goes through ``RidgeCV``'s closed forms: every
alpha's leave-one-out residuals from one eigendecomposition. With ``cv`` it
is a ``GridSearchCV`` over fastgrad's ``RidgeClassifier`` on the labels
themselves, as in scikit-learn.

A scorer (``scoring``) sees the leave-one-out scores of the coded columns
through a stand-in classifier whose decision function they are: the class of
a sample is its column with the largest score, and for two classes the sign
of the single column. (scikit-learn 1.9 takes the arg-max of the single
binary column too, so every binary sample is then "class 0" and accuracy is
1.0 for every alpha; fastgrad scores the real binary labels.)
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.metrics import get_scorer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from ._base import _FLOAT_DTYPES
from ._ridge_classifier import RidgeClassifier, RidgeClassifierMixin
from ._ridge_cv import RidgeCV

__all__ = ["RidgeClassifierCV"]


class _ScoresAsDecision(LinearClassifierMixin, BaseEstimator):
    """A fitted classifier whose decision function is its input (to score LOO scores)."""

    def __init__(self, classes):
        self.classes_ = classes

    def decision_function(self, X):
        return X


class RidgeClassifierCV(RidgeClassifierMixin, RidgeCV):
    """Ridge classifier with built-in (efficient leave-one-out) cross-validation.

    A drop-in for scikit-learn's ``RidgeClassifierCV``: labels coded as one
    -1 / +1 column per class (one column for two classes), every alpha scored
    by leave-one-out from one eigendecomposition (dense or ``scipy.sparse``
    ``X``), or by ``GridSearchCV`` over :class:`fastgrad.RidgeClassifier`
    when ``cv`` is given.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try; each ``> 0`` for leave-one-out, ``>= 0`` with ``cv``.
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        None: minus the mean squared leave-one-out error of the coded columns
        (accuracy with ``cv``); else a scorer name or callable.
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient leave-one-out; otherwise ``GridSearchCV`` (an int
        means stratified folds, as for any classifier).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights.
    store_cv_results : bool, default=False
        Keep the leave-one-out squared errors (or scores, with ``scoring``)
        of every alpha in ``cv_results_`` (only without ``cv``).

    Attributes
    ----------
    alpha_ : float
    best_score_ : float
    cv_results_ : ndarray of shape (n_samples, n_targets, n_alphas)
        ``n_targets`` is the number of coded columns (1 for two classes).
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
    intercept_ : ndarray of shape (n_targets,) or float
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastgrad.linear_model import RidgeClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = RidgeClassifierCV(alphas=[1e-3, 1e-2, 1e-1, 1.0]).fit(X, y)
    >>> float(clf.alpha_)
    1.0
    """

    _parameter_constraints: dict = {
        key: value for key, value in RidgeCV._parameter_constraints.items()
        if key not in ("gcv_mode", "alpha_per_target")
    }
    _parameter_constraints["class_weight"] = [dict, StrOptions({"balanced"}), None]

    # RidgeCV's machinery reads these; a classifier has neither setting
    gcv_mode = None
    alpha_per_target = False

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 class_weight=None, store_cv_results=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.class_weight = class_weight
        self.store_cv_results = store_cv_results

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier for every alpha and keep the best.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : float or array-like of shape (n_samples,), default=None

        Returns
        -------
        self : RidgeClassifierCV
        """
        alphas = self._checked_alphas()
        Y, sample_weight = self._code_labels(y, sample_weight)
        if self.cv is None:
            return self._fit_loo(X, Y, sample_weight, alphas)
        if self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        # validated here (n_features_in_, feature names, clear errors); the
        # search splits and fits on the labels themselves
        X, y = validate_data(self, X, y, accept_sparse="csr", accept_large_sparse=True,
                             dtype=_FLOAT_DTYPES, multi_output=True, y_numeric=False)
        if isinstance(sample_weight, numbers.Number):
            sample_weight = np.full(X.shape[0], float(sample_weight))
        return self._search(RidgeClassifier(fit_intercept=self.fit_intercept),
                            X, y, sample_weight, alphas)

    def _scores(self, looe, Y, Yc, root, y_mean, alphas, s):
        """One score per alpha; a scorer sees the LOO scores as a decision function."""
        if self.scoring is None:
            return super()._scores(looe, Y, Yc, root, y_mean, alphas, s)
        scorer = get_scorer(self.scoring)
        scores = self._loo_predictions(looe, Yc, root, y_mean)  # (n, k, A)
        k = Y.shape[1]
        if k == 1:  # two classes: the sign of the one column
            labels, judge = (Y[:, 0] > 0).astype(np.intp), _ScoresAsDecision(np.arange(2))
        else:
            labels, judge = np.argmax(Y, axis=1), _ScoresAsDecision(np.arange(k))
        kw = {} if s is None else {"sample_weight": s}
        out = [scorer(judge, scores[:, 0, a] if k == 1 else scores[:, :, a], labels, **kw)
               for a in range(alphas.shape[0])]
        return np.asarray(out, dtype=np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
