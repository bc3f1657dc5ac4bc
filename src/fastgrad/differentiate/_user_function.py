"""Wrap a user function once: decide how it is evaluated and probe it.

Three kinds of ``f`` are supported:

* ``"numba"``: an ``@numba.njit`` function; it is passed into compiled drivers
  and called natively, with no interpreter round trip per evaluation;
* ``"python"``: any other callable taking one point ``(d,)``; it is called from
  the interpreted driver, one evaluation at a time;
* ``"vectorized"``: a callable taking an ``(m, d)`` array of points and
  returning all ``m`` values at once (``vectorized=True``).

The probe evaluates ``f`` once at the first point, so that a wrong return
shape, a non-numeric or non-finite value, or a function numba cannot compile
is reported clearly *before* any kernel runs.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
from numba.core.registry import CPUDispatcher


@dataclass(frozen=True)
class Fn:
    func: object
    kind: str  # "numba" | "python" | "vectorized"
    args: tuple
    name: str  # the argument name used in error messages
    m: int | None  # output length for vector functions, None for scalar ones

    def compile_error_message(self, complex_input: bool, exc) -> str:
        arg = "a complex128 array" if complex_input else "a float64 array"
        # numba's message starts with the pipeline stage; the cause follows.
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        useful = [ln for ln in lines if not ln.startswith(("Failed in", "During:", "File ", "^"))]
        detail = " ".join(useful[:2])[:400] or (lines[0] if lines else "")
        hint = (
            " The complex-step method needs f written with operations numba "
            "supports for complex numbers (use np.exp, not math.exp; no abs or "
            ".real); use method='central' otherwise."
            if complex_input
            else ""
        )
        return (
            f"{self.name} could not be compiled for the arguments fastgrad passes "
            f"({arg} followed by args of types "
            f"{tuple(type(a).__name__ for a in self.args)}): {detail}.{hint}"
        )


def is_numba_function(f) -> bool:
    return isinstance(f, CPUDispatcher)


def _copying(f, vector: bool):
    # Hand f a private copy of the scratch point, so that an f which writes
    # into its argument cannot corrupt the stencil.
    if vector:
        return lambda x, *a: np.asarray(f(x.copy(), *a))
    return lambda x, *a: f(x.copy(), *a)


def _check_value(value, name, x, *, vector, rows=None):
    if rows is None and not vector and type(value) is float:  # the common case, cheaply
        if not math.isfinite(value):
            raise ValueError(f"{name} returned a non-finite value {value!r} at x = {x}; it must be finite there.")
        return value
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must return numbers, got {type(value).__name__} at x = {x}.")
    if rows is None:
        want = "a 1-D array (one entry per output)" if vector else "a scalar"
        ok = arr.ndim == 1 and arr.size > 0 if vector else arr.ndim == 0
        if not ok:
            raise ValueError(
                f"{name} must return {want}, got shape {arr.shape} at x = {x}"
                + ("; a function of several outputs needs fastgrad.jacobian." if not vector else ".")
            )
    else:
        ok = (arr.ndim == 2 and arr.shape[0] == rows) if vector else arr.shape == (rows,)
        if not ok:
            want = f"({rows}, m)" if vector else f"({rows},)"
            raise ValueError(
                f"with vectorized=True, {name} must map an array of points of shape "
                f"({rows}, d) to values of shape {want}, got shape {arr.shape}."
            )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} returned a non-finite value {value!r} at x = {x}; it must be finite there.")
    return arr


def make_fn(f, args, *, vectorized, x0, name="f", vector=False) -> Fn:
    """Classify ``f`` and probe it once at ``x0`` (a float64 vector)."""
    if vectorized:
        pts = np.stack([x0, x0])
        value = _check_value(f(pts.copy(), *args), name, x0, vector=vector, rows=2)
        return Fn(f, "vectorized", args, name, value.shape[1] if vector else None)
    if is_numba_function(f):
        try:
            value = f(x0.copy(), *args)
        except numba.core.errors.TypingError as exc:
            fn = Fn(f, "numba", args, name, None)
            raise TypeError(fn.compile_error_message(False, exc)) from None
        value = _check_value(value, name, x0, vector=vector)
        return Fn(f, "numba", args, name, np.size(value) if vector else None)
    value = _check_value(f(x0.copy(), *args), name, x0, vector=vector)
    return Fn(_copying(f, vector), "python", args, name, np.size(value) if vector else None)


def _call(fn, z):
    if fn.kind == "vectorized":
        return np.asarray(fn.func(z[None, :], *fn.args))[0]
    return np.asarray(fn.func(z, *fn.args))


def probe_complex(fn: Fn, x0) -> None:
    """Check that ``fn`` is safe for the complex step, at ``x0``.

    Two checks: the value for a complex argument must be complex, and the
    complex-step derivative along the first coordinate must agree with a
    central difference.  The second catches functions that accept complex
    numbers but are not analytic in practice -- ``abs``, comparisons, or
    numba's complex ``z ** n``, which goes through the polar form and buries
    the tiny imaginary part under rounding noise.
    """
    c = 1e-20 * max(1.0, abs(x0[0]))
    z = x0.astype(np.complex128)
    z[0] += 1j * c
    try:
        value = _call(fn, z)
    except numba.core.errors.TypingError as exc:
        raise TypeError(fn.compile_error_message(True, exc)) from None
    except TypeError as exc:
        raise TypeError(
            f"{fn.name} failed on a complex point, which method='complex' needs: {exc}. "
            "Use method='central' for functions that are not complex-analytic."
        ) from None
    if not np.iscomplexobj(value):
        raise TypeError(
            f"{fn.name} returned a real value for a complex argument, so the complex "
            "step cannot see its derivative. Write f with complex-safe operations "
            "(np.exp, np.sin, ..., no abs(), .real or float()) or use method='central'."
        )
    h = 6e-6 * max(1.0, abs(x0[0]))
    xp, xm = x0.copy(), x0.copy()
    xp[0] += h
    xm[0] -= h
    fp, fm = _call(fn, xp).real, _call(fn, xm).real
    central = (fp - fm) / ((xp[0] - x0[0]) + (x0[0] - xm[0]))
    cstep = value.imag / c
    tol = 1e-5 * np.abs(central) + 1e-6 * (1.0 + np.abs(value.real)) / max(1.0, abs(x0[0]))
    if np.any(~np.isfinite(cstep)) or np.any(np.abs(cstep - central) > tol):
        raise ValueError(
            f"method='complex': the complex-step derivative of {fn.name} along x[0] "
            f"({np.ravel(cstep)[0]:.6g}) disagrees with a central difference "
            f"({np.ravel(central)[0]:.6g}), so {fn.name} is not complex-analytic as "
            "written (abs, comparisons, or z ** n in numba, which loses the tiny "
            "imaginary part: write x * x * x instead of x ** 3). Use method='central'."
        )


@functools.lru_cache(maxsize=256)
def _numba_scalar_as_vector(f):
    @numba.njit
    def g(x, *args):
        return f(x[0], *args)

    return g


def scalar_as_vector(f, vectorized: bool):
    """Turn a scalar function ``f(t)`` into one of a length-1 vector."""
    if vectorized:
        return lambda P, *a: f(P[:, 0], *a)
    if is_numba_function(f):
        return _numba_scalar_as_vector(f)
    return lambda x, *a: f(x[0], *a)
