"""Plain-numpy reference versions of the closed-form linear-model kernels.

Written for clarity, not speed, and always in float64: the independent
answer that ``fastgrad.linear_model._gram`` and the solvers are checked
against.
"""

import numpy as np


def naive_weighted_gram(X, Y, sample_weight=None, center=True):
    """Weighted (centred) Gram matrix and moment, the textbook two-pass way.

    Returns ``(XtX, XtY, x_mean, y_mean, sum_s)`` like
    ``fastgrad.linear_model._gram.weighted_gram``.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y[:, None]
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    sum_s = s.sum()
    x_mean = s @ X / sum_s
    y_mean = s @ Y / sum_s
    Xc = X - x_mean if center else X
    Yc = Y - y_mean if center else Y
    XtX = Xc.T @ (s[:, None] * Xc)
    XtY = Xc.T @ (s[:, None] * Yc)
    return XtX, XtY, x_mean, y_mean, sum_s


def naive_ridge(X, y, alpha=0.0, sample_weight=None, fit_intercept=True):
    """Ridge / least squares through an augmented lstsq (no normal equations).

    Minimises ``sum s_i (y_i - x_i w - b)**2 + alpha ||w||**2``; returns
    ``(coef, intercept)`` with sklearn's shapes for 1-D or 2-D ``y``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Y = y[:, None] if y.ndim == 1 else y
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    if fit_intercept:
        x_mean = s @ X / s.sum()
        y_mean = s @ Y / s.sum()
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = np.zeros(Y.shape[1])
    root = np.sqrt(s)[:, None]
    Xw = (X - x_mean) * root
    Yw = (Y - y_mean) * root
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64).ravel(), (Y.shape[1],))
    coef = np.empty((Y.shape[1], X.shape[1]))
    for t, a in enumerate(alphas):
        A = np.vstack([Xw, np.sqrt(a) * np.eye(X.shape[1])])
        b = np.concatenate([Yw[:, t], np.zeros(X.shape[1])])
        coef[t] = np.linalg.lstsq(A, b, rcond=None)[0]
    intercept = y_mean - coef @ x_mean if fit_intercept else np.zeros(Y.shape[1])
    if y.ndim == 1:
        return coef[0], float(intercept[0])
    return coef, intercept
