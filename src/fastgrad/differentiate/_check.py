"""check_gradient: compare an analytic gradient with finite differences."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastgrad import _validation as val
from ._derivatives import _run, gradient
from ._user_function import make_fn
from ._steps import default_steps


@dataclass
class GradientCheck:
    """Outcome of :func:`check_gradient`.

    ``analytic`` and ``numerical`` are the compared quantities: full gradients
    (shape like ``x``) or, in directional mode, derivatives along the random
    unit ``directions`` (shape ``(n, k)`` or ``(k,)``).  ``worst`` is the index
    of the largest relative error.
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst: tuple
    analytic: np.ndarray
    numerical: np.ndarray
    directions: np.ndarray | None = None

    def __bool__(self) -> bool:
        return self.ok


def _analytic(grad, X, args, vectorized):
    n, d = X.shape
    if vectorized:
        G = np.asarray(grad(X.copy(), *args), dtype=float)
        if G.shape != (n, d):
            raise ValueError(f"with vectorized=True, grad must return shape ({n}, {d}), got {G.shape}.")
        return G
    G = np.empty((n, d))
    for i in range(n):
        g = np.asarray(grad(X[i].copy(), *args), dtype=float)
        if g.shape != (d,):
            raise ValueError(f"grad must return a vector of shape ({d},), got {g.shape} at x = {X[i]}.")
        G[i] = g
    return G


def check_gradient(
    f, grad, x, *, method="central", step=None, args=(), vectorized=False,
    directions=None, rtol=1e-5, atol=1e-8, random_state=None,
):
    """Compare an analytic gradient with a finite-difference one.

    Parameters
    ----------
    f, grad : callable
        ``f(x, *args) -> float`` and its claimed gradient ``grad(x, *args) -> (d,)``
        (both taking ``(m, d)`` arrays when ``vectorized=True``).
    x : array_like, shape (d,) or (n, d)
        Where to check.
    method, step, args, vectorized
        As in :func:`fastgrad.gradient`.
    directions : int, optional
        If given, only check this many random directional derivatives per
        point (``2 * directions`` evaluations of ``f`` instead of ``2 * d``),
        which is the cheap test for large ``d``.
    rtol, atol : float
        An entry passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    random_state : int, RandomState or None
        Seeds the random directions.

    Returns
    -------
    GradientCheck
        Truthy when every entry passes; reports the worst absolute and relative errors.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> f = lambda x: np.sum(x ** 3)
    >>> fastgrad.check_gradient(f, lambda x: 3 * x ** 2, np.array([1.0, -2.0])).ok
    True
    >>> fastgrad.check_gradient(f, lambda x: 2 * x ** 2, np.array([1.0, -2.0])).ok
    False
    """
    val.check_function(f)
    val.check_function(grad, "grad")
    args = val.check_args(args)
    rtol = val.check_nonneg_float(rtol, "rtol")
    atol = val.check_nonneg_float(atol, "atol")
    X, batched = val.as_points(x)
    n, d = X.shape
    G = _analytic(grad, X, args, vectorized)
    U = None
    if directions is None:
        num = gradient(f, X, method=method, step=step, args=args, vectorized=vectorized)
        ana = G
    else:
        k = val.check_positive_int(directions, "directions")
        val.check_method(method, ("central",))
        from sklearn.utils import check_random_state  # only here: importing it is slow

        rng = check_random_state(random_state)
        U = rng.standard_normal((n, k, d))
        U /= np.linalg.norm(U, axis=2, keepdims=True)
        ana = np.einsum("nkd,nd->nk", U, G)
        num = _directional(f, X, U, args, vectorized, step)
    abs_err = np.abs(ana - num)
    rel_err = abs_err / np.maximum(np.abs(num), np.finfo(float).tiny)
    passed = abs_err <= atol + rtol * np.abs(num)
    # worst entry: any failing entry ranks above every passing one, then by relative error
    rank = (~passed).astype(float) + rel_err / (1.0 + rel_err.max())
    worst = np.unravel_index(int(np.argmax(rank)), rel_err.shape)
    if not batched:
        ana, num, worst = ana[0], num[0], worst[1:]
        U = None if U is None else U[0]
    return GradientCheck(bool(passed.all()), float(abs_err.max()), float(rel_err.max()),
                         tuple(int(i) for i in worst), ana, num, U)


def _directional(f, X, U, args, vectorized, step):
    """Central differences of ``t -> f(x + t u)`` at ``t = 0`` for every direction."""
    n, k, d = U.shape
    fn = make_fn(f, args, vectorized=vectorized, x0=X[0])
    if step is None:
        t = default_steps(np.linalg.norm(X, axis=1, keepdims=True), "central")
    else:
        t = np.broadcast_to(np.asarray(step, dtype=float).reshape(-1, 1)[:n], (n, 1))
        if not np.all(np.isfinite(t)) or np.any(t <= 0):
            raise ValueError(f"step must be positive and finite, got {step!r}.")
    P = np.concatenate([X[:, None, :] + t[:, :, None] * U, X[:, None, :] - t[:, :, None] * U], axis=1)
    Pf = np.ascontiguousarray(P.reshape(-1, d))
    vals, _ = _run("value", fn, Pf, Pf, Pf, 0, (1,), 1)
    vals = vals.reshape(n, 2 * k)
    return (vals[:, :k] - vals[:, k:]) / (2.0 * t)
