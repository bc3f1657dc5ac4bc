"""Least-squares loss and its gradient in one pass over ``X``.

Python side of ``csrc/_squared_loss_fast.pyx``: validate every argument,
bring the arrays to one contiguous float dtype, pick the thread count, call
the compiled kernel and check what it returns.

Validation is split by cost. Types, shapes, dtypes, signs and scalars are
checked before the kernel runs. NaN/inf in the arrays are found from the
kernel's result instead: a NaN or inf in any input always reaches the loss
(``0 * inf`` is NaN), so a finite result proves finite inputs, and the inputs
are scanned -- to name the culprit -- only when the result is not finite.
An up-front scan would read all of ``X`` once more, as much as the kernel.
"""

import functools
import math
import numbers
import os

import numpy as np
import scipy.sparse as sp
from joblib import cpu_count
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_scalar,
)

from fastgrad import _threads
from ._squared_loss_fast import openmp_max_threads, py_squared_loss_gradient

__all__ = ["squared_loss_gradient"]

# Only these dtypes have a compiled kernel; anything else becomes float64.
_FLOAT_DTYPES = (np.float64, np.float32)

_FIXES = {
    "X": "X must be a non-empty 2-D array of finite numbers, shape (n_samples, n_features).",
    "y": "y must be a 1-D array of finite numbers, one target per row of X.",
    "coef": "coef must be a 1-D array of finite numbers, one per column of X.",
    "sample_weight": (
        "sample_weight must be None or a 1-D array of n_samples finite, "
        "non-negative numbers, not all zero."
    ),
}


def _reraise_with_name(exc, name, fix):
    """Re-raise a validation error with the argument name and a fix attached."""
    message = str(exc).strip()
    if not message.endswith((".", "!")):
        message += "."
    raise type(exc)(f"Invalid {name}: {message} {fix}") from exc


def _as_array(value, name, dtype, ndim):
    """``value`` as a C-contiguous array of ``dtype`` with ``ndim`` dimensions.

    ``dtype`` may be a list (keep any of those, else convert to the first).
    Copies only when the layout or dtype has to change. Finiteness is not
    checked here (see the module docstring).
    """
    dtypes = dtype if isinstance(dtype, (list, tuple)) else (dtype,)
    if (
        type(value) is np.ndarray
        and value.dtype in dtypes
        and value.ndim == ndim
        and value.size > 0
        and value.flags.c_contiguous
    ):
        # Already what the kernel wants: skip check_array, whose fixed
        # overhead (~0.1 ms a call) is a noticeable part of a fast pass.
        return value
    try:
        arr = check_array(
            value,
            dtype=list(dtypes),
            order="C",
            ensure_2d=ndim == 2,
            allow_nd=False,
            ensure_all_finite=False,
            ensure_min_samples=1,
            ensure_min_features=1,
            input_name=name,
        )
    except (TypeError, ValueError) as exc:
        _reraise_with_name(exc, name, _FIXES[name])
    if arr.ndim != ndim:
        raise ValueError(f"Invalid {name}: got an array of shape {arr.shape}. {_FIXES[name]}")
    return arr


def _check_X(X):
    if sp.issparse(X):
        raise TypeError(
            "X is a scipy.sparse matrix, which squared_loss_gradient does not "
            "support. Pass a dense array, e.g. X.toarray()."
        )
    return _as_array(X, "X", _FLOAT_DTYPES, ndim=2)


def _check_weights(sample_weight, X):
    if isinstance(sample_weight, numbers.Number) and not math.isfinite(sample_weight):
        # _check_sample_weight broadcasts scalars without a finiteness check.
        raise ValueError(f"Invalid sample_weight: {sample_weight!r} is not finite.")
    try:
        return _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
    except (TypeError, ValueError) as exc:
        _reraise_with_name(exc, "sample_weight", _FIXES["sample_weight"])


def _check_finite_scalar(value, name, min_val=None):
    fix = f"{name} must be a finite real number" + ("." if min_val is None else f" >= {min_val}.")
    try:
        check_scalar(value, name, target_type=numbers.Real, min_val=min_val)
    except (TypeError, ValueError) as exc:
        _reraise_with_name(exc, name, fix)
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(value):
        raise ValueError(f"Invalid {name}: {value!r}. {fix}")
    return float(value)


@functools.lru_cache(maxsize=1)
def _usable_cpus():
    # joblib sees a container's CPU quota, which OpenMP does not; the call
    # costs ~0.1 ms, so it is made once per process.
    return cpu_count()


def _resolve_n_threads(n_threads):
    """Threads for a Cython kernel: ``n_threads`` (validated), or the OpenMP
    default; always 1 in a forked child, whose OpenMP runtime is unusable
    (:mod:`fastgrad._threads`)."""
    if n_threads is not None:
        n_threads = _check_n_threads(n_threads)
    if _threads.in_forked_child():
        return 1
    if n_threads is None:
        n = openmp_max_threads()
        return n if os.environ.get("OMP_NUM_THREADS") else max(1, min(n, _usable_cpus()))
    return n_threads


def _check_n_threads(n_threads):
    if isinstance(n_threads, (bool, np.bool_)):
        raise TypeError("Invalid n_threads: got a bool. n_threads must be None or an int >= 1.")
    try:
        check_scalar(n_threads, "n_threads", target_type=numbers.Integral, min_val=1)
    except (TypeError, ValueError) as exc:
        _reraise_with_name(exc, "n_threads", "n_threads must be None or an int >= 1.")
    return int(n_threads)


def _check_result(result, arrays):
    """Return ``result`` if finite, else raise naming the non-finite input."""
    loss, grad, grad_intercept = result
    if math.isfinite(loss) and math.isfinite(grad_intercept) and np.isfinite(grad).all():
        return result
    for name, arr in arrays.items():
        if arr is not None:
            try:
                assert_all_finite(arr, input_name=name)
            except ValueError as exc:
                _reraise_with_name(exc, name, _FIXES[name])
    raise ValueError(
        "The least-squares loss overflowed: X, y, coef or intercept hold values "
        "so large that squared residuals exceed the floating-point range "
        f"({arrays['X'].dtype}). Rescale the data (e.g. standardise X and y)."
    )


def squared_loss_gradient(
    coef, X, y, *, intercept=0.0, sample_weight=None, alpha=0.0, n_threads=None
):
    """Weighted least-squares loss and its gradient, in one pass over ``X``.

    With residuals ``r = X @ coef + intercept - y`` and weights ``s``::

        loss = 0.5 * sum(s * r**2) / sum(s) + 0.5 * alpha * ||coef||**2

    and the gradients with respect to ``coef`` and ``intercept``.

    Parameters
    ----------
    coef : array-like of shape (n_features,)
        Coefficients ``w``.
    X : array-like of shape (n_samples, n_features)
        Dense, finite data. ``scipy.sparse`` matrices are not supported.
        float32 data stays float32 (all sums are still done in float64); any
        other dtype is converted to float64. A copy is made only if ``X``
        is not C-contiguous or needs a dtype conversion.
    y : array-like of shape (n_samples,)
        Finite targets.
    intercept : float, default=0.0
        Intercept ``b``.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Non-negative, finite weights, not all zero. None means unit weights.
    alpha : float, default=0.0
        L2 penalty strength, finite and ``>= 0``. The intercept is not
        penalised.
    n_threads : int, default=None
        Number of OpenMP threads. None uses every available core (or
        ``OMP_NUM_THREADS``). Small problems always run on one thread.

    Returns
    -------
    loss : float
        Weighted mean of ``0.5 * r**2`` plus the penalty.
    grad_coef : ndarray of shape (n_features,)
        Gradient with respect to ``coef``, dtype float32 if ``X`` is
        float32 else float64.
    grad_intercept : float
        Gradient with respect to ``intercept``.

    Raises
    ------
    TypeError
        If ``X`` is sparse, or an argument has the wrong type.
    ValueError
        If an array has the wrong shape, is empty or contains NaN/inf, if a
        weight is negative or all are zero, if a scalar is out of range, or
        if the loss overflows; the message names the argument. NaN/inf are
        detected from the result, so they cost no extra pass over ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model._squared_loss import squared_loss_gradient
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 0.0])
    >>> loss, grad, grad_b = squared_loss_gradient(np.array([1.0, 1.0]), X, y)
    >>> round(loss, 6)
    0.666667
    >>> grad
    array([0.66666667, 0.66666667])
    >>> round(grad_b, 6)
    0.666667
    """
    X = _check_X(X)
    n_samples, n_features = X.shape
    y = _as_array(y, "y", X.dtype, ndim=1)
    try:
        check_consistent_length(X, y)
    except ValueError as exc:
        _reraise_with_name(exc, "y", _FIXES["y"])
    coef = _as_array(coef, "coef", X.dtype, ndim=1)
    if coef.shape[0] != n_features:
        raise ValueError(
            f"Invalid coef: it has {coef.shape[0]} entries but X has "
            f"{n_features} columns. {_FIXES['coef']}"
        )
    if sample_weight is not None:
        sample_weight = _check_weights(sample_weight, X)
    intercept = _check_finite_scalar(intercept, "intercept")
    alpha = _check_finite_scalar(alpha, "alpha", min_val=0.0)
    n_threads = _resolve_n_threads(n_threads)

    result = py_squared_loss_gradient(
        X, y, coef, sample_weight, intercept=intercept, alpha=alpha, n_threads=n_threads
    )
    arrays = {"X": X, "y": y, "coef": coef, "sample_weight": sample_weight}
    return _check_result(result, arrays)
