"""Public finite-difference functions: gradient, jacobian, hessian, derivative (hvp: :mod:`._hvp`)."""
from __future__ import annotations

import numpy as np

from fastgrad import _validation as val
from ._user_function import make_fn, probe_complex, scalar_as_vector
from ._batch import run_batch
from ._info import DiffInfo
from ._richardson import extrapolate
from ._steps import representable, resolve_steps
from ._vectorized import run_vectorized

_MODE = {"forward": 0, "backward": 1, "central": 2}


def _run(name, fn, X, H, V, mode, out_shape, evals):
    if fn.kind == "vectorized":
        return run_vectorized(name, fn, X, H, V, mode)
    return run_batch(name, fn, X, H, V, mode, out_shape, evals)


def _finish(value, batched, full_output, info, ext=None):
    if ext is not None:
        info.error, info.status, info.levels = ext.error, ext.status, ext.levels
    if not batched:
        value = value[0]
        info.step = info.step[0]
        if info.error is not None:
            info.error, info.status = info.error[0], info.status[0]
    return (value, info) if full_output else value


def _first_order(fn, X, user_h, method, kind, out_shape):
    """Gradient (kind "grad") or Jacobian (kind "jac") of a probed ``fn``."""
    n, d = X.shape
    if method == "complex":
        H = resolve_steps(X, user_h, "complex")
        probe_complex(fn, X[0])
        out, _ = _run(f"{kind}_complex", fn, X, H, X, 0, out_shape, d)
        return out, DiffInfo(method, n * d + 1, H), None
    if method == "richardson":
        H = resolve_steps(X, user_h, "richardson")

        def run_at(s):
            return _run(f"{kind}_fd", fn, X, representable(X, H * s), X, 2, out_shape, 2 * d)

        denom = H[:, None, :] if kind == "jac" else H
        ext = extrapolate(run_at, denom, 1)
        return ext.value, DiffInfo(method, ext.levels * n * 2 * d + 1, H), ext
    H = resolve_steps(X, user_h, method)
    evals = 2 * d if method == "central" else d + 1
    out, _ = _run(f"{kind}_fd", fn, X, H, X, _MODE[method], out_shape, evals)
    return out, DiffInfo(method, n * evals + 1, H), None


SPARSE_METHODS_FIRST = ("forward", "backward", "central", "complex")
SPARSE_METHODS_SECOND = ("central", "complex")


def _sparse_modules():
    # Imported on first use: they load scipy.sparse, which dense derivatives never need.
    from . import _sparse_derivatives, _sparsity

    return _sparse_derivatives, _sparsity


def _check_sparse_method(method, allowed):
    if method not in allowed:
        raise ValueError(
            f"method={method!r} cannot be combined with sparsity: the sparse derivatives support "
            + ", ".join(repr(m) for m in allowed)
            + f". Use one of these, or pass sparsity=None for the dense {method!r} result."
        )


def gradient(f, x, *, method="central", step=None, args=(), vectorized=False, full_output=False):
    """Gradient of a scalar function by finite differences.

    Parameters
    ----------
    f : callable
        ``f(x, *args) -> float`` with ``x`` of shape ``(d,)``.  An
        ``@numba.njit`` function is evaluated inside compiled (and, for large
        batches, parallel) kernels; any other callable works too, more slowly.
        With ``vectorized=True``, ``f`` takes an ``(m, d)`` array of points and
        returns their ``m`` values.  ``f`` must not modify its argument.
    x : array_like, shape (d,) or (n, d)
        One point, or a batch of ``n`` points.
    method : {"central", "forward", "backward", "complex", "richardson"}
        ``"complex"`` (complex step) is exact to rounding but needs ``f`` to
        accept complex input analytically; ``"richardson"`` extrapolates
        central differences over several steps and estimates its own error.
    step : float or array_like, optional
        Step per coordinate (scalar, ``(d,)`` or ``(n, d)``); for
        ``"richardson"`` the largest step.  Default: see ``DESIGN.md`` section 3.
    args : tuple
        Extra arguments passed to ``f``.
    vectorized : bool
        Whether ``f`` evaluates many points at once (see ``f``).
    full_output : bool
        Also return a :class:`DiffInfo` (evaluation count, steps and, for
        ``"richardson"``, per-entry error estimates and status).

    Returns
    -------
    ndarray, shape (d,) or (n, d)
        The gradient at each point (and the :class:`DiffInfo` if asked for).

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> g = fastgrad.gradient(lambda x: x[0] ** 2 + 3 * x[1], np.array([1.0, 2.0]))
    >>> np.round(g, 6)
    array([2., 3.])
    >>> g, info = fastgrad.gradient(lambda x: np.sin(x[0]), [0.5], method="richardson",
    ...                             full_output=True)
    >>> bool(abs(g[0] - np.cos(0.5)) <= info.error[0] < 1e-12)
    True
    """
    val.check_function(f)
    args = val.check_args(args)
    val.check_method(method, val.METHODS_FIRST)
    X, batched = val.as_points(x)
    user_h = val.check_step(step, X)
    fn = make_fn(f, args, vectorized=vectorized, x0=X[0])
    out, info, ext = _first_order(fn, X, user_h, method, "grad", (X.shape[1],))
    return _finish(out, batched, full_output, info, ext)


def jacobian(f, x, *, method="central", step=None, args=(), vectorized=False, full_output=False,
             sparsity=None):
    """Jacobian of a vector function ``f: R^d -> R^m`` by finite differences.

    Same parameters as :func:`gradient`, except that ``f(x, *args)`` returns a
    vector of length ``m`` (with ``vectorized=True``: an ``(k, m)`` array for
    ``k`` points).  Returns shape ``(m, d)`` for one point and ``(n, m, d)``
    for a batch.

    With ``sparsity`` -- the ``(m, d)`` pattern of entries that can be
    nonzero, as a ``scipy.sparse`` matrix or array (its nonzero entries) or a
    boolean / 0-1 array_like -- the columns are grouped so that no two
    columns of a group share a row (greedy distance-2 colouring, as Curtis,
    Powell and Reid), and each group costs one evaluation per side of the
    stencil: a tridiagonal pattern needs 3 groups, whatever ``d``.  Every
    entry is the one the dense method of the same ``method`` computes (same
    steps, same formula), provided ``f`` really has that pattern.  The result
    is a ``scipy.sparse.csr_matrix`` with exactly the pattern's structure
    (a ``csr_array`` if ``sparsity`` is a sparse array), or a list of ``n``
    of them for a batch; ``full_output`` reports the number of groups in
    ``DiffInfo.groups``.  Methods: ``"central"``, ``"forward"``,
    ``"backward"``, ``"complex"``.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> J = fastgrad.jacobian(lambda x: np.array([x[0] * x[1], np.sin(x[0])]), [0.0, 2.0])
    >>> np.round(J, 6)
    array([[2., 0.],
           [1., 0.]])

    A diagonal pattern: one group, two evaluations in all (plus the probe).

    >>> import scipy.sparse as sp
    >>> J, info = fastgrad.jacobian(lambda x: x ** 2, np.arange(4.0), sparsity=sp.eye(4), full_output=True)
    >>> info.groups, np.round(J.diagonal(), 6)
    (1, array([0., 2., 4., 6.]))
    """
    val.check_function(f)
    args = val.check_args(args)
    val.check_method(method, val.METHODS_FIRST)
    if sparsity is not None:
        _check_sparse_method(method, SPARSE_METHODS_FIRST)
    X, batched = val.as_points(x)
    user_h = val.check_step(step, X)
    fn = make_fn(f, args, vectorized=vectorized, x0=X[0], vector=True)
    if sparsity is not None:
        sparse, sparsity_mod = _sparse_modules()
        n, d = X.shape
        pattern = sparsity_mod.as_pattern(sparsity, (fn.m, d), f"the Jacobian of f ({fn.m} outputs, d={d} coordinates)")
        H = resolve_steps(X, user_h, method)
        if method == "complex":
            probe_complex(fn, X[0])
        values, ncol, evals = sparse.sparse_jacobian(fn, X, H, method, pattern)
        out = sparse.to_sparse(values, pattern, batched)
        info = sparse.info(method, n, evals, H if batched else H[0], ncol)
        return (out, info) if full_output else out
    out, info, ext = _first_order(fn, X, user_h, method, "jac", (fn.m, X.shape[1]))
    return _finish(out, batched, full_output, info, ext)


def hessian(f, x, *, method="central", step=None, grad=None, args=(), vectorized=False, full_output=False,
            sparsity=None):
    """Hessian of a scalar function.

    Without ``grad``, a true two-dimensional stencil on ``f`` (``d*d + d + 1``
    evaluations per point, symmetric by construction); ``"complex"`` is the
    hybrid complex-step / central stencil and ``"richardson"`` extrapolates the
    central stencil.  With an analytic ``grad(x, *args) -> (d,)``, its Jacobian
    is differenced instead and symmetrised.  Other parameters as in
    :func:`gradient`.  Returns shape ``(d, d)`` or ``(n, d, d)``.

    With ``sparsity`` -- the ``(d, d)`` pattern of entries that can be
    nonzero (as for :func:`jacobian`; one triangle is enough, it is mirrored)
    -- the result is a symmetric ``scipy.sparse.csr_matrix`` (``csr_array``
    for a sparse-array pattern; a list of them for a batch) with the
    symmetrised pattern's structure, for ``method="central"`` or
    ``"complex"``:

    * with ``grad``, the Jacobian of ``grad`` is compressed by a *star*
      colouring of the pattern and every entry read directly from the
      compressed columns: an arrow pattern (dense last row and column) needs
      2 groups, a band of half-width ``b`` needs ``2b + 1``, each costing two
      ``grad`` evaluations (one complex one);
    * from ``f`` alone, the dense stencil is evaluated on the pattern's
      entries only: ``1 + 2d + 2E`` evaluations for ``E`` off-diagonal pairs
      (instead of ``d*d + d + 1``), every entry equal to the dense one.  One
      evaluation of ``f`` yields one number, so no grouping can need fewer
      than ``O(d + E)`` of them; pass ``grad`` for ``O(groups)`` evaluations.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> H = fastgrad.hessian(lambda x: x[0] ** 2 * x[1], [1.0, 3.0])
    >>> np.round(H, 5)
    array([[6., 2.],
           [2., 0.]])
    >>> H = fastgrad.hessian(lambda x: x[0] * x[1] + x[2] ** 3, [1.0, 2.0, 3.0],
    ...                      sparsity=[[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    >>> H.nnz, np.round(H.toarray(), 5)
    (3, array([[ 0.,  1.,  0.],
           [ 1.,  0.,  0.],
           [ 0.,  0., 18.]]))
    """
    val.check_function(f)
    args = val.check_args(args)
    val.check_method(method, val.METHODS_SECOND)
    if sparsity is not None:
        _check_sparse_method(method, SPARSE_METHODS_SECOND)
    X, batched = val.as_points(x)
    n, d = X.shape
    user_h = val.check_step(step, X)
    pattern = None
    if sparsity is not None:
        sparse, sparsity_mod = _sparse_modules()
        pattern = sparsity_mod.symmetric(
            sparsity_mod.as_pattern(sparsity, (d, d), f"the Hessian of f (d={d} coordinates)",
                                    hint="give one row and one column per coordinate of x"))
    if grad is not None:
        val.check_function(grad, "grad")
        gfn = make_fn(grad, args, vectorized=vectorized, x0=X[0], name="grad", vector=True)
        if gfn.m != d:
            raise ValueError(f"grad must return a vector of length d={d} (one entry per coordinate), got length {gfn.m}.")
        if pattern is not None:
            H = resolve_steps(X, user_h, method)
            if method == "complex":
                probe_complex(gfn, X[0])
            values, ncol, evals = sparse.sparse_hessian_from_grad(gfn, X, H, method, pattern)
            info = sparse.info(method, n, evals, H if batched else H[0], ncol)
            out = sparse.to_sparse(values, pattern, batched)
            return (out, info) if full_output else out
        J, info, ext = _first_order(gfn, X, user_h, method, "jac", (d, d))
        out = 0.5 * (J + np.swapaxes(J, 1, 2))
        if ext is not None:
            ext.error = 0.5 * (ext.error + np.swapaxes(ext.error, 1, 2))
            ext.status = np.maximum(ext.status, np.swapaxes(ext.status, 1, 2))
        return _finish(out, batched, full_output, info, ext)
    fn = make_fn(f, args, vectorized=vectorized, x0=X[0])
    if pattern is not None:
        H = resolve_steps(X, user_h, "central" if method == "complex" else "second")
        if method == "complex":
            probe_complex(fn, X[0])
        values, evals = sparse.sparse_hessian_from_f(fn, X, H, method, pattern)
        info = sparse.info(method, n, evals, H if batched else H[0], None)
        out = sparse.to_sparse(values, pattern, batched)
        return (out, info) if full_output else out
    if method == "complex":
        H = resolve_steps(X, user_h, "central")
        probe_complex(fn, X[0])
        out, _ = _run("hess_complex", fn, X, H, X, 0, (d, d), d * d + d)
        return _finish(out, batched, full_output, DiffInfo(method, n * (d * d + d) + 1, H))
    evals = d * d + d + 1
    if method == "richardson":
        H = resolve_steps(X, user_h, "richardson2")

        def run_at(s):
            return _run("hess_central", fn, X, representable(X, H * s), X, 0, (d, d), evals)

        ext = extrapolate(run_at, H[:, :, None] * H[:, None, :], 2)
        info = DiffInfo(method, ext.levels * n * evals + 1, H)
        return _finish(ext.value, batched, full_output, info, ext)
    H = resolve_steps(X, user_h, "second")
    out, _ = _run("hess_central", fn, X, H, X, 0, (d, d), evals)
    return _finish(out, batched, full_output, DiffInfo(method, n * evals + 1, H))


def derivative(f, x, *, order=1, method="central", step=None, args=(), vectorized=False, full_output=False):
    """First or second derivative of a scalar function of one variable, elementwise.

    ``f(t, *args) -> float`` is differentiated at every entry of ``x`` (any
    shape; the result has the same shape).  With ``vectorized=True``, ``f``
    is applied to a 1-D array of points and returns their values.
    ``order=2`` supports ``"central"``, ``"complex"`` (hybrid) and
    ``"richardson"``.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> np.round(fastgrad.derivative(np.exp, [0.0, 1.0], order=2), 6)
    array([1.      , 2.718282])
    """
    val.check_function(f)
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"order must be 1 or 2, got {order!r}.")
    xa = val.as_any_shape(x)
    pts = xa.reshape(-1, 1)
    if step is not None:
        try:
            step = np.broadcast_to(np.asarray(step, dtype=np.float64), xa.shape).reshape(-1, 1)
        except ValueError:
            raise ValueError(f"step must be a scalar or have the shape of x {xa.shape}, got shape {np.shape(step)}.") from None
        except TypeError:
            raise TypeError("step must be a positive number or an array of them.") from None
    g = scalar_as_vector(f, vectorized)
    kw = dict(method=method, step=step, args=args, vectorized=vectorized, full_output=True)
    if order == 1:
        out, info = gradient(g, pts, **kw)
    else:
        out, info = hessian(g, pts, **kw)
    info.step = info.step.reshape(xa.shape)
    if info.error is not None:
        info.error = info.error.reshape(xa.shape)
        info.status = info.status.reshape(xa.shape)
    out = out.reshape(xa.shape)
    if out.ndim == 0:
        out = float(out)
    return (out, info) if full_output else out
