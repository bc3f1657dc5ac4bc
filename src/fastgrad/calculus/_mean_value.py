"""Mean value points: where the derivative equals the secant slope (Lagrange / Cauchy)."""
from __future__ import annotations

import numbers

import numpy as np

from fastgrad import _validation as val
from fastgrad.differentiate._derivatives import derivative


def _check_interval(a, b):
    for name, v in (("a", a), ("b", b)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}.")
    if not a < b:
        raise ValueError(f"the interval needs a < b, got a={a!r}, b={b!r}.")
    return float(a), float(b)


def mean_value_points(f, a, b, g=None, *, n_grid=2001, args=(), xtol=1e-12):
    """Points ``c`` in ``(a, b)`` where ``f'(c) (g(b) - g(a)) = g'(c) (f(b) - f(a))``.

    Cauchy's mean value theorem guarantees at least one such ``c`` for
    ``f, g`` continuous on ``[a, b]`` and differentiable inside; with
    ``g=None`` (``g(x) = x``) it is Lagrange's: ``f'(c) = (f(b) - f(a)) / (b - a)``.
    The function ``h(c) = f'(c) (g(b) - g(a)) - g'(c) (f(b) - f(a))`` is
    evaluated (with fastgrad's finite-difference derivatives) on a fine
    grid; every sign change is refined by Brent's method, and grid minima of
    ``|h|`` that touch zero (roots of even multiplicity) are kept too.

    Parameters
    ----------
    f, g : callable
        Scalar functions of a scalar, ``f(t, *args)``; ``g`` defaults to the
        identity.  Plain Python, numpy or ``@numba.njit`` functions.
    a, b : float
        The interval, ``a < b``.
    n_grid : int
        Grid points used to bracket the roots (roots closer together than the
        grid spacing can be missed).
    args : tuple
        Extra arguments of ``f`` and ``g``.
    xtol : float
        Absolute tolerance of the refined points.

    Returns
    -------
    ndarray
        The points, sorted.

    Raises
    ------
    ValueError
        If the relation holds on the whole grid (e.g. ``f`` linear): every
        point is then a mean value point.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> np.round(fastgrad.mean_value_points(lambda t: t ** 3, 0.0, 3.0), 8)  # 3 c**2 = 9
    array([1.73205081])
    >>> np.round(fastgrad.mean_value_points(np.sin, 0.0, 4 * np.pi), 8) / np.pi
    array([0.5, 1.5, 2.5, 3.5])
    """
    from scipy.optimize import brentq, minimize_scalar

    val.check_function(f)
    if g is not None:
        val.check_function(g, "g")
    args = val.check_args(args)
    a, b = _check_interval(a, b)
    n_grid = val.check_positive_int(n_grid, "n_grid", minimum=3)
    fa, fb = float(f(a, *args)), float(f(b, *args))
    ga, gb = (a, b) if g is None else (float(g(a, *args)), float(g(b, *args)))
    if not np.all(np.isfinite([fa, fb, ga, gb])):
        raise ValueError("f (and g) must be finite at a and b.")
    df, dg = fb - fa, gb - ga

    def h(t):
        t = np.asarray(t, dtype=float)
        fp = derivative(f, t, args=args)
        gp = 1.0 if g is None else derivative(g, t, args=args)
        return fp * dg - gp * df

    T = np.linspace(a, b, n_grid)[1:-1]
    H = h(T)
    scale = max(abs(df), abs(dg), 1e-300) * max(1.0, float(np.max(np.abs(derivative(f, T, args=args)))))
    zero = 1e-9 * scale  # |h| below this is zero to finite-difference accuracy
    if np.all(np.abs(H) <= zero):
        raise ValueError("the mean value relation holds at every grid point (f is linear in g on [a, b]); "
                         "every point of (a, b) is a mean value point.")
    roots = list(T[H == 0.0])
    for i in np.flatnonzero(np.sign(H[:-1]) * np.sign(H[1:]) < 0):
        roots.append(brentq(lambda t: float(h(t)), T[i], T[i + 1], xtol=xtol))
    # touching roots: local minima of |h| close to zero without a sign change
    A = np.abs(H)
    for i in np.flatnonzero((A[1:-1] < A[:-2]) & (A[1:-1] <= A[2:]) & (A[1:-1] < 1e-3 * scale)) + 1:
        if np.sign(H[i - 1]) == np.sign(H[i + 1]) != 0:
            r = minimize_scalar(lambda t: abs(float(h(t))), bounds=(T[i - 1], T[i + 1]), method="bounded",
                                options={"xatol": xtol})
            if abs(float(h(r.x))) <= zero:
                roots.append(float(r.x))
    roots = np.sort(np.asarray(roots, dtype=float))
    if len(roots):
        keep = np.concatenate([[True], np.diff(roots) > 10 * xtol + 1e-9 * (b - a)])
        roots = roots[keep]
    return roots[(roots > a) & (roots < b)]
