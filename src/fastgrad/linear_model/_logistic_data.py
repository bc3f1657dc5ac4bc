"""How LogisticRegression turns labels and data into a compiled objective and back.

:class:`LogisticDataMixin` holds the steps ``fit`` and ``partial_fit`` share:
checking ``X``/``y``, encoding labels, class weights, building the compiled
(dense or CSR) objective on centred data, the start point, and storing the
solution as ``coef_``/``intercept_`` in the original coordinates.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._base import _FLOAT_DTYPES, _validate_weights, canonical_sparse
from ._glm_solve import prepare
from ._solvers_fast import (
    LogisticObjective,
    MultinomialObjective,
    SparseLogisticObjective,
    SparseMultinomialObjective,
)

__all__ = ["LogisticDataMixin"]


class LogisticDataMixin:
    """Data preparation and result storage for :class:`LogisticRegression`."""

    def _weights(self, y_idx, sample_weight, n_classes, classes, y):
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names classes {sorted(map(str, unknown))} that are not in y; "
                    f"the classes are {classes.tolist()}."
                )
        per_class = compute_class_weight(self.class_weight, classes=classes, y=y, sample_weight=sample_weight)
        w = per_class[y_idx]
        if sample_weight is not None:
            w = w * sample_weight
        return np.ascontiguousarray(w, dtype=sample_weight.dtype if sample_weight is not None else None)

    def _objective(self, X, y_idx, n_classes, sample_weight, C, ratio, prepared=None):
        """The compiled objective, its L1 weight and the centring vector for the encoded data.

        ``prepared``: ``prepare(self, X, sample_weight)`` computed before (a
        path over many C on the same data needs the column means once).
        """
        sum_s, mean, n_threads = prepare(self, X, sample_weight) if prepared is None else prepared
        scale = 0.0 if not np.isfinite(C) else 1.0 / (C * sum_s)
        l2, l1 = (1.0 - ratio) * scale, ratio * scale
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
        sparse = sp.issparse(X)  # CSR: the same objectives with a CSR pass
        if n_classes == 2:
            y01 = np.ascontiguousarray(y_idx == 1, dtype=X.dtype)
            make = SparseLogisticObjective if sparse else LogisticObjective
            obj = make(X, y01, sample_weight, mean, l2, self.fit_intercept, n_threads)
        else:
            obj = (SparseMultinomialObjective if sparse else MultinomialObjective)(
                X, np.ascontiguousarray(y_idx, dtype=np.intp), n_classes, sample_weight, mean, l2,
                self.fit_intercept, n_threads,
            )
        return obj, l1, mean

    def _start(self, X, y_idx, n_classes, sample_weight, mean, obj):
        """Start point in centred coordinates: the warm solution, or the class priors."""
        p = X.shape[1]
        k = 1 if n_classes == 2 else n_classes
        coef0 = np.zeros(obj.n_coef)
        warm = (
            self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (k, p)
            and len(self.classes_) == n_classes
        )
        if warm:
            coef0[: k * p] = np.ravel(self.coef_)
            if self.fit_intercept:
                coef0[k * p:] = np.ravel(self.intercept_) + self.coef_ @ mean
            return coef0
        if self.fit_intercept:
            # the best intercepts for w = 0: the log-odds of the class priors
            prior = np.bincount(y_idx, weights=sample_weight, minlength=n_classes).astype(np.float64)
            prior = np.clip(prior / prior.sum(), 1e-12, None)
            if n_classes == 2:
                coef0[p] = np.log(prior[1] / prior[0])
            else:
                coef0[k * p:] = np.log(prior) - np.log(prior).mean()
        return coef0

    def _store(self, coef, X, mean, n_classes, penalized):
        p = X.shape[1]
        k = 1 if n_classes == 2 else n_classes
        W = coef[: k * p].reshape(k, p)
        if self.fit_intercept:
            b = coef[k * p:] - W @ mean
        else:
            b = np.zeros(k)
        if k > 1:
            # The softmax is unchanged by adding one vector to every class's
            # weights (and one number to every intercept): the intercepts, and
            # without a penalty the weights, are unique only up to that shift.
            # Report the solution whose classes sum to zero (the one
            # scikit-learn's solvers reach from a zero start): every solver,
            # weighting and start then gives the same numbers.
            b = b - b.mean()
            if not penalized:
                W = W - W.mean(axis=0)
        self.coef_ = W.astype(X.dtype)
        self.intercept_ = b.astype(X.dtype)

    def _encode(self, y, classes=None):
        check_classification_targets(y)
        le = LabelEncoder()
        if classes is None:
            y_idx = le.fit_transform(y)
        else:
            le.fit(classes)
            unseen = np.setdiff1d(np.unique(y), le.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()} that are not in classes="
                    f"{le.classes_.tolist()}. Pass every label to the first partial_fit call."
                )
            y_idx = le.transform(y)
        if le.classes_.shape[0] < 2:
            raise ValueError(
                "LogisticRegression needs samples of at least 2 classes in the data, but y "
                f"contains only one class: {le.classes_[0]!r}. Check the labels, or the split "
                "that produced this subset."
            )
        return le.classes_, np.ascontiguousarray(y_idx, dtype=np.intp)

    def _validate_xy(self, X, y, sample_weight, reset=True):
        """Checked float ``X`` (C-contiguous, or canonical CSR), 1-D labels ``y`` and the weights."""
        if y is None:
            raise ValueError(
                "LogisticRegression requires y to be passed, but the target y is None."
            )
        original = X
        X, y = validate_data(
            self, X, y, accept_sparse="csr", accept_large_sparse=True, dtype=_FLOAT_DTYPES,
            order="C", reset=reset,
        )
        if sp.issparse(X):
            X = canonical_sparse(X, original)  # sorted, summed indices of one dtype
        return X, y, _validate_weights(X, sample_weight)
