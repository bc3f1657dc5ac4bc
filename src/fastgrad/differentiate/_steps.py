"""Default finite-difference steps (see DESIGN.md section 3).

A step ``h`` for coordinate ``x_i`` is ``c * max(1, |x_i|)`` where ``c`` balances
truncation error against rounding error for the stencil's order:

* one-sided first differences: error ~ h + eps/h      -> c = eps**(1/2)
* central first differences:   error ~ h**2 + eps/h   -> c = eps**(1/3)
* second differences:          error ~ h**2 + eps/h**2 -> c = eps**(1/4)
* complex step: no subtraction, so h can be tiny      -> c = 1e-20

Real steps are then replaced by ``(x + h) - x`` so that the perturbed point is
exactly ``x + h`` in floating point and the divisor matches the true step.
"""
from __future__ import annotations

import numpy as np

EPS = float(np.finfo(np.float64).eps)

STEP_FACTORS = {
    "forward": EPS ** 0.5,
    "backward": EPS ** 0.5,
    "central": EPS ** (1.0 / 3.0),
    "second": EPS ** 0.25,
    "complex": 1e-20,
    # Richardson starts from a much larger step: extrapolation removes the
    # h**2, h**4, ... terms, so the largest step only has to stay small enough
    # for the Taylor series to be meaningful, and large steps keep the rounding
    # error (eps*|f|/h) low.  Found on the accuracy suite in tests/.
    "richardson": 2.0 ** -4,
    "richardson2": 2.0 ** -4,
}


def representable(X: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Round steps so that ``X + H`` is exactly representable."""
    return (X + H) - X


def default_steps(X: np.ndarray, kind: str) -> np.ndarray:
    """Steps of the same shape as ``X`` for a stencil of the given kind."""
    H = STEP_FACTORS[kind] * np.maximum(1.0, np.abs(X))
    return H if kind == "complex" else representable(X, H)


def resolve_steps(X: np.ndarray, user_steps: np.ndarray | None, kind: str, name: str = "step") -> np.ndarray:
    """User steps if given (made representable), else the default for ``kind``."""
    if user_steps is None:
        return default_steps(X, kind)
    if kind == "complex":
        return user_steps
    H = representable(X, user_steps)
    if np.any(H <= 0):
        i = tuple(int(k) for k in np.argwhere(H <= 0)[0])
        raise ValueError(
            f"{name} is too small for x: at index {list(i)} the step "
            f"{user_steps[i]!r} vanishes when added to x={X[i]!r}; use a step "
            "of at least a few ulps of |x|."
        )
    return H
