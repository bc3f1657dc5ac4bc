"""Input checks shared by the public wrappers.

Every check raises a ``TypeError`` or ``ValueError`` whose message starts with
the argument's name and says how to fix it.  Kernels never check anything, so
everything a kernel relies on (shape, dtype, contiguity, finiteness) is
established here.
"""
from __future__ import annotations

import numbers

import numpy as np

METHODS_FIRST = ("forward", "backward", "central", "complex", "richardson")
METHODS_SECOND = ("central", "complex", "richardson")


def check_function(f, name: str = "f"):
    if not callable(f):
        raise TypeError(
            f"{name} must be callable (a Python function or an @numba.njit "
            f"function), got an object of type {type(f).__name__}."
        )
    return f


def check_args(args, name: str = "args") -> tuple:
    if not isinstance(args, tuple):
        raise TypeError(
            f"{name} must be a tuple of extra arguments for f, got "
            f"{type(args).__name__}; write args=(a,) for a single argument."
        )
    return args


def check_method(method, allowed, name: str = "method") -> str:
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(
            f"{name}={method!r} is not supported here; choose one of "
            + ", ".join(repr(m) for m in allowed) + "."
        )
    return method


def _nonfinite_error(x, name):
    bad = np.argwhere(~np.isfinite(np.asarray(x, dtype=float)))
    where = [int(i) for i in bad[0]] if bad.size else []
    return ValueError(
        f"{name} must be finite, but {name}{where} is not; "
        "derivatives are only defined at finite points."
    )


def _as_float_array(x, name: str, *, max_ndim: int) -> np.ndarray:
    if np.iscomplexobj(x):
        raise TypeError(f"{name} must be real-valued, got complex data.")
    # Fast path for the common case of a real numpy array: check_array costs
    # ~150 us per call, more than a whole small gradient, and callers in
    # training loops pass plain float arrays.  Everything else (lists, object
    # arrays, data frames, ...) goes through scikit-learn's check_array,
    # imported here so that differentiating never waits for scikit-learn's
    # import (longer than a first gradient) when it is not needed.
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu" and 1 <= x.ndim <= max_ndim and x.size:
        arr = np.array(x, dtype=np.float64, order="C", copy=True)
        if not np.isfinite(arr).all():
            raise _nonfinite_error(arr, name)
        return arr
    from sklearn.utils.validation import check_array

    try:
        arr = check_array(
            x,
            ensure_2d=False,
            allow_nd=max_ndim > 2,
            dtype=np.float64,
            order="C",
            copy=True,  # never hand the user's array to a kernel or to f
            ensure_min_samples=1,
            ensure_min_features=1,
            input_name=name,
        )
    except ValueError as exc:
        msg = str(exc)
        if "contains NaN" in msg or "infinity" in msg:
            raise _nonfinite_error(x, name) from None
        if "could not convert" in msg or "dtype" in msg:
            raise TypeError(f"{name} must be numeric: {msg}") from None
        raise ValueError(f"{name}: {msg}") from None
    if arr.ndim > max_ndim:
        raise ValueError(f"{name} must have at most {max_ndim} dimensions, got shape {arr.shape}.")
    return arr


def as_points(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """Return ``(X, batched)`` with ``X`` a C-contiguous float64 ``(n, d)`` copy."""
    if np.ndim(x) == 0:
        raise ValueError(
            f"{name} must be a point of shape (d,) or a batch of shape (n, d), got a "
            "scalar; use fastgrad.derivative for scalar functions of a scalar, or pass "
            f"{name}=[value]."
        )
    if np.ndim(x) > 2:
        raise ValueError(
            f"{name} must be a point of shape (d,) or a batch of shape (n, d), got "
            f"{np.ndim(x)} dimensions (shape {np.shape(x)})."
        )
    arr = _as_float_array(x, name, max_ndim=2)
    batched = arr.ndim == 2
    return (arr if batched else arr[None, :]), batched


def as_any_shape(x, name: str = "x") -> np.ndarray:
    """Float64 copy of an array of any shape (for elementwise derivatives)."""
    if np.ndim(x) == 0:
        return _as_float_array(np.reshape(x, (1,)), name, max_ndim=1).reshape(())
    return _as_float_array(x, name, max_ndim=64)


def check_step(step, X: np.ndarray, name: str = "step") -> np.ndarray | None:
    """Broadcast a user step (scalar, ``(d,)`` or ``(n, d)``) to ``X.shape``."""
    if step is None:
        return None
    try:
        s = np.asarray(step, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive number or an array of them.") from None
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"{name} must be positive and finite, got {step!r}.")
    try:
        return np.ascontiguousarray(np.broadcast_to(s, X.shape), dtype=np.float64)
    except ValueError:
        raise ValueError(
            f"{name} of shape {s.shape} does not match the points of shape {X.shape}; "
            "pass a scalar, one step per coordinate (d,), or one per entry (n, d)."
        ) from None


def check_direction(v, X: np.ndarray, batched: bool, name: str = "v") -> np.ndarray:
    """Broadcast ``v`` to ``X.shape`` (one direction per point)."""
    V = _as_float_array(v, name, max_ndim=2)
    n, d = X.shape
    if V.shape[-1] != d or (V.ndim == 2 and V.shape[0] not in (1, n)) or (V.ndim == 2 and not batched and V.shape[0] != 1):
        raise ValueError(
            f"{name} must have length d={d} (one direction for every point) or shape "
            f"({n}, {d}) (one per point), got shape {V.shape}."
        )
    if V.size == X.size:
        # V is already a private C-contiguous copy: a broadcast view of it
        # would be read-only, and the native drivers would copy it once more
        return V.reshape(X.shape)
    return np.ascontiguousarray(np.broadcast_to(V, X.shape))


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_nonneg_float(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)
