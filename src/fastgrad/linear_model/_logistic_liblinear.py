"""LogisticRegression(solver="liblinear"): liblinear's model on fastgrad's engines.

liblinear is not run; its objective is, so the fitted coefficients are
liblinear's (within the tolerance), including its penalised intercept.
"""

import numpy as np
import scipy.sparse as sp

from ._logistic_params import engine, engine_tol, sklearn_convergence_text

__all__ = []


def fit_liblinear(est, X, y, sample_weight, classes, C, ratio):
    """Fit ``est`` (a LogisticRegression) to liblinear's model: the intercept is penalised.

    liblinear appends a constant feature of value ``intercept_scaling``
    to ``X`` and penalises its weight like the others; the intercept is
    ``intercept_scaling`` times that weight. fastgrad fits the same
    objective (an inner fit without an unpenalised intercept on the
    augmented data), so the coefficients are liblinear's model, not the
    unpenalised-intercept one of the other solvers.
    """
    if classes.shape[0] > 2:
        raise ValueError(
            "Only binary classification is supported by solver='liblinear'. The 'liblinear' solver "
            "does not support multiclass classification (n_classes >= 3). "
            "Either use another solver or wrap the estimator in a OneVsRestClassifier to keep "
            "applying a one-versus-rest scheme."
        )
    values = X.data if sp.issparse(X) else X
    if values.size and np.max(values) > 1e30:
        raise ValueError(
            "Using the 'liblinear' solver while X contains a maximum value > 1e30 results in a "
            "frozen fit. Please choose another solver or rescale the input X."
        )
    scaling = float(est.intercept_scaling)
    if est.fit_intercept:
        column = np.full((X.shape[0], 1), scaling, dtype=X.dtype)
        if sp.issparse(X):
            # one stored entry per row more: the copy is X's size plus n, never dense
            X = sp.hstack([X, sp.csr_array(column)], format="csr", dtype=X.dtype)
        else:
            X = np.hstack([X, column])
    inner = type(est)(
        C=C, l1_ratio=ratio, tol=engine_tol("liblinear", est.tol, ratio > 0), fit_intercept=False,
        class_weight=est.class_weight,
        solver=engine("liblinear", ratio > 0), max_iter=est.max_iter, verbose=est.verbose,
        warm_start=est.warm_start, n_jobs=est.n_jobs, random_state=est.random_state,
    )
    if (
        est.warm_start and hasattr(est, "coef_") and np.array_equal(est.classes_, classes)
        and est.coef_.shape[1] + est.fit_intercept == X.shape[1]
    ):
        inner.classes_ = classes
        inner.coef_ = np.asarray(est.coef_, dtype=np.float64)
        if est.fit_intercept:
            inner.coef_ = np.column_stack([inner.coef_, np.ravel(est.intercept_) / scaling])
        inner.intercept_ = np.zeros(1)
    with sklearn_convergence_text("liblinear", est.max_iter):
        inner.fit(X, y, sample_weight)
    # liblinear computes in float64 and scikit-learn keeps its float64 coefficients
    W = inner.coef_.astype(np.float64)
    est.classes_ = inner.classes_
    if est.fit_intercept:
        est.coef_, est.intercept_ = W[:, :-1].copy(), scaling * W[:, -1]
    else:
        est.coef_, est.intercept_ = W, np.zeros(1)
    est.n_iter_ = inner.n_iter_
    est.loss_curve_ = inner.loss_curve_
    est.solver_ = inner.solver_
    return est
