"""Plain-numpy reference versions of the compiled loss kernels.

Written for clarity, not speed: two passes over ``X``, in the dtype of
``X`` (float32 stays float32, anything else becomes float64) -- what a numpy
user would write. They are the independent answer in the tests (pass float64
data there for an accurate reference) and the baseline in the benchmarks.
"""

import numpy as np


def naive_squared_loss_gradient(coef, X, y, *, intercept=0.0, sample_weight=None, alpha=0.0):
    """Least-squares loss and gradient, the textbook way.

    Returns ``(loss, grad_coef, grad_intercept)`` for::

        r = X @ coef + intercept - y
        loss = 0.5 * sum(s * r**2) / sum(s) + 0.5 * alpha * ||coef||**2
    """
    X = np.asarray(X)
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    X = X.astype(dtype, copy=False)
    y = np.asarray(y, dtype=dtype)
    coef = np.asarray(coef, dtype=dtype)

    r = X @ coef + intercept - y            # pass 1 over X
    if sample_weight is None:
        total = X.shape[0]
        sr = r
    else:
        s = np.asarray(sample_weight, dtype=dtype)
        total = s.sum()
        sr = s * r
    loss = 0.5 * np.dot(sr, r) / total + 0.5 * alpha * np.dot(coef, coef)
    grad_coef = X.T @ sr / total + alpha * coef  # pass 2 over X
    grad_intercept = sr.sum() / total
    return float(loss), grad_coef, float(grad_intercept)
