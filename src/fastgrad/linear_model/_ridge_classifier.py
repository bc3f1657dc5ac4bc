"""Ridge classification: ridge regression on labels coded as -1 / +1."""

import numpy as np
from sklearn.base import _fit_context
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._ridge import Ridge

__all__ = ["RidgeClassifier", "RidgeClassifierMixin"]


class RidgeClassifierMixin(LinearClassifierMixin):
    """What turns a ridge regressor into a classifier (shared with the CV variant).

    ``fit`` codes the labels as one column of -1 / +1 per class (one column
    for two classes; one per label for multilabel indicator ``y``), folds
    ``class_weight`` into the sample weights and fits the multi-target ridge
    regression on those columns; the class is the column with the largest
    score (or the sign of the single score).
    """

    def _code_labels(self, y, sample_weight):
        """``(Y, sample_weight)``: the -1 / +1 coding of ``y`` and the class-weighted weights."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        self._label_binarizer = LabelBinarizer(pos_label=1, neg_label=-1)
        Y = self._label_binarizer.fit_transform(y)
        self.classes_ = self._label_binarizer.classes_
        if not self._label_binarizer.y_type_.startswith("multilabel"):
            y = column_or_1d(y, warn=True)
        if self.class_weight:
            reweight = compute_sample_weight(self.class_weight, y)
            if sample_weight is None:
                sample_weight = reweight
            else:
                # a scalar or per-sample weights, each times its class's weight
                sample_weight = np.asarray(sample_weight, dtype=np.float64) * reweight
        return Y.astype(np.float64), sample_weight

    def predict(self, X):
        """Class labels of the rows of ``X`` (an indicator matrix for multilabel fits)."""
        check_is_fitted(self, attributes=["_label_binarizer"])
        if self._label_binarizer.y_type_.startswith("multilabel"):
            scores = np.where(self.decision_function(X) > 0, 1.0, -1.0)
            return self._label_binarizer.inverse_transform(scores)
        return super().predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class RidgeClassifier(RidgeClassifierMixin, Ridge):
    """Ridge regression on -1 / +1 coded labels, a drop-in for scikit-learn's ``RidgeClassifier``.

    Each class gets a column that is +1 for its samples and -1 for the
    others (a single column for two classes) and the multi-target ridge
    problem

        min_W  sum_i s_i ||Y_i - x_i W - b||^2 + alpha ||W||^2

    is solved by :class:`fastgrad.Ridge` (every solver name it knows,
    dense or ``scipy.sparse`` ``X``). The predicted class is the one with
    the largest score.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        Penalty strength, one value or one per coded column.
    fit_intercept, copy_X, max_iter, tol, solver, positive, random_state
        As :class:`fastgrad.Ridge`.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights;
        ``"balanced"`` weights each class by ``n_samples / (n_classes *
        count)``.
    learning_rate, momentum, verbose, warm_start
        fastgrad's own loop settings, as :class:`fastgrad.Ridge`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
        One row per coded column (a flat vector for two classes, as
        scikit-learn reports it).
    intercept_ : ndarray of shape (n_targets,) or float
    classes_ : ndarray of shape (n_classes,)
    n_features_in_, feature_names_in_, n_iter_, loss_curve_, solver_
        As :class:`fastgrad.Ridge`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import RidgeClassifier
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> clf = RidgeClassifier(alpha=1e-3).fit(X, ["no", "no", "yes", "yes"])
    >>> clf.predict([[0.2], [2.8]]).tolist()
    ['no', 'yes']
    """

    _parameter_constraints: dict = {
        **Ridge._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        class_weight=None,
        solver="auto",
        positive=False,
        random_state=None,
        learning_rate=None,
        momentum=None,
        verbose=0,
        warm_start=False,
    ):
        super().__init__(
            alpha=alpha, fit_intercept=fit_intercept, copy_X=copy_X, max_iter=max_iter, tol=tol,
            solver=solver, positive=positive, random_state=random_state, learning_rate=learning_rate,
            momentum=momentum, verbose=verbose, warm_start=warm_start,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : float or array-like of shape (n_samples,), default=None

        Returns
        -------
        self : RidgeClassifier
        """
        Y, sample_weight = self._code_labels(y, sample_weight)
        return self._fit_least_squares(X, Y, sample_weight)
