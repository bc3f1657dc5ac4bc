"""The ``bounds=`` argument of :func:`fastgrad.minimize`: checks and reporting.

Same meaning as in ``scipy.optimize.minimize``: a ``scipy.optimize.Bounds``
(or any object with ``lb`` and ``ub``; scalars apply to every variable) or a
sequence of ``(low, high)`` pairs, one per variable, where ``None`` or
``-inf`` / ``inf`` leaves a side open.  Starting points outside the box are
clipped into it, as scipy's L-BFGS-B does.
"""
from __future__ import annotations

import numbers

import numpy as np

#: methods that honour bounds, and the loop each runs with them
BOUNDED_LOOPS = {"lbfgs": "lbfgs-box", "bfgs": "lbfgs-box", "gd": "gd-box",
                 "momentum": "momentum-box", "nesterov": "momentum-box"}
#: line searches each method accepts with bounds (the first is the default):
#: the quasi-Newton loop backtracks along the projection arc
BOUNDED_LINE_SEARCHES = {"lbfgs": ("backtracking",), "bfgs": ("backtracking",), "gd": ("none", "backtracking"),
                         "momentum": ("none",), "nesterov": ("none",)}

_HOW = ("pass a scipy.optimize.Bounds(lb, ub) or a sequence of one (low, high) pair per variable, "
        "with None (or -inf / inf) for an open side")


def _side(values, d, name, open_value):
    """One side of a Bounds-like object as a float array of shape (d,)."""
    if values is None:
        return np.full(d, open_value)
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers, got {values!r}; {_HOW}.") from None
    if arr.ndim == 0:
        return np.full(d, float(arr))
    if arr.shape != (d,):
        raise ValueError(f"{name} has shape {arr.shape} but x0 has d={d} variables; give a number or "
                         f"one entry per variable.")
    return arr


def _pair_side(value, i, side, open_value):
    if value is None:
        return open_value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"bounds[{i}] {side} bound must be a number or None, got {value!r}; {_HOW}.")
    return float(value)


def check_bounds(bounds, d):
    """``(lo, hi)``, float arrays of shape ``(d,)``, or None for no bounds."""
    if bounds is None:
        return None
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lo = _side(bounds.lb, d, "bounds.lb", -np.inf)
        hi = _side(bounds.ub, d, "bounds.ub", np.inf)
    else:
        if isinstance(bounds, (str, bytes, dict)) or not hasattr(bounds, "__len__"):
            raise TypeError(f"bounds must be a Bounds object or a sequence of pairs, got "
                            f"{type(bounds).__name__}; {_HOW}.")
        if len(bounds) != d:
            raise ValueError(f"bounds has {len(bounds)} pairs but x0 has d={d} variables; {_HOW}.")
        lo, hi = np.empty(d), np.empty(d)
        for i, pair in enumerate(bounds):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValueError(f"bounds[{i}] must be a (low, high) pair, got {pair!r}; {_HOW}.")
            lo[i] = _pair_side(pair[0], i, "lower", -np.inf)
            hi[i] = _pair_side(pair[1], i, "upper", np.inf)
    for arr, side in ((lo, "lower"), (hi, "upper")):
        bad = np.flatnonzero(np.isnan(arr))
        if bad.size:
            raise ValueError(f"bounds: the {side} bound of variable {bad[0]} is NaN; use None or "
                             f"{'-inf' if side == 'lower' else 'inf'} for an open side.")
    bad = np.flatnonzero(lo > hi)
    if bad.size:
        i = bad[0]
        raise ValueError(f"bounds: variable {i} has lower bound {lo[i]:g} > upper bound {hi[i]:g}; "
                         "every lower bound must be <= its upper bound.")
    bad = np.flatnonzero((lo == np.inf) | (hi == -np.inf))
    if bad.size:
        i = bad[0]
        raise ValueError(f"bounds: variable {i} has the empty range [{lo[i]:g}, {hi[i]:g}]; a lower bound "
                         "cannot be inf nor an upper bound -inf.")
    return lo, hi


def active_mask(x, lo, hi):
    """-1 for variables on their lower bound (also those fixed by lo == hi),
    1 on their upper bound, 0 strictly inside (scipy ``least_squares``'s convention)."""
    mask = np.zeros(x.shape, dtype=np.int8)
    mask[x >= hi] = 1
    mask[x <= lo] = -1
    return mask
