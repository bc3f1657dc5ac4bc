"""The public Hessian-vector product ``hvp``: checks, the one-pass central
kernel, and the other methods (complex step, Richardson, from ``grad``)."""
from __future__ import annotations

import numpy as np

from fastgrad import _validation as val
from . import _hvp_scaling
from ._batch import run_batch
from ._derivatives import _finish, _run
from ._info import DiffInfo
from ._richardson import extrapolate
from ._steps import STEP_FACTORS, representable, resolve_steps
from ._user_function import make_fn, probe_complex


def hvp(f, x, v, *, method="central", step=None, grad=None, args=(), vectorized=False, full_output=False):
    """Hessian-vector product ``H(x) @ v`` without forming the Hessian.

    From ``f`` alone, ``"central"`` is the cross stencil
    ``[f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)] / (4 h_i t)`` with
    ``a = h_i e_i`` and ``b = t v / |v|_inf``: ``4d`` evaluations per point,
    second-order accurate; ``"complex"`` costs ``2d`` complex evaluations and
    ``"richardson"`` extrapolates the cross stencil (``4d`` per level).  With an
    analytic ``grad`` it costs two gradient evaluations (one complex one).
    ``v`` has shape ``(d,)`` (the same direction for every point) or
    ``(n, d)``.  ``step`` sets the coordinate steps ``h_i`` of the ``f``-only
    stencils; the displacement ``t`` along ``v`` is scaled automatically.
    Returns shape ``(d,)`` or ``(n, d)``; ``DiffInfo.nfev`` counts every
    evaluation, including the one that probes ``f``.

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> np.round(fastgrad.hvp(f, [1.0, 3.0], [1.0, 0.0]), 5)
    array([6., 2.])
    >>> _, info = fastgrad.hvp(f, [1.0, 3.0], [1.0, 0.0], full_output=True)
    >>> info.nfev  # 4d = 8 for the stencil, 1 for the probe
    9
    """
    val.check_function(f)
    args = val.check_args(args)
    val.check_method(method, val.METHODS_SECOND)
    X, batched = val.as_points(x)
    n, d = X.shape
    V = val.check_direction(v, X, batched)
    user_h = val.check_step(step, X)
    X, V = np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(V, dtype=np.float64)
    if grad is None and method == "central" and not vectorized:
        # The common case in one compiled pass: the kernel computes the
        # default steps, the displacement along v and the scaling back per
        # point (hvp_central_point), with no (n, d) temporaries in between.
        fn = make_fn(f, args, vectorized=False, x0=X[0])
        if user_h is None:
            # default steps, computed by the kernel where it uses them; an
            # array of them only when they are reported (fresh memory costs
            # page faults, as much as ~5% of the call)
            H, mode = (np.empty((n, d)), 2) if full_output else (np.empty((n, 0)), 0)
        else:
            H, mode = resolve_steps(X, user_h, "second"), 1
        out, _ = run_batch("hvp_central", fn, X, H, V, mode, (d,), 4 * d)
        return _finish(out, batched, full_output, DiffInfo(method, n * 4 * d + 1, H))  # H unused if not full_output
    if grad is not None:
        val.check_function(grad, "grad")
        fn = make_fn(grad, args, vectorized=vectorized, x0=X[0], name="grad", vector=True)
        if fn.m != d:
            raise ValueError(f"grad must return a vector of length d={d}, got length {fn.m}.")
        names = {"central": "hvp_grad", "complex": "hvp_grad_complex", "richardson": "hvp_grad"}
        factor = {"central": "central", "complex": "complex", "richardson": "richardson"}[method]
        evals, order = (1 if method == "complex" else 2), 1
    else:
        fn = make_fn(f, args, vectorized=vectorized, x0=X[0])
        names = {"central": "hvp_cross", "complex": "hvp_complex", "richardson": "hvp_cross"}
        factor = {"central": "second", "complex": "complex", "richardson": "richardson2"}[method]
        evals, order = 2 * d if method == "complex" else 4 * d, 2
    # Differentiate along the unit (max-norm) direction and scale back at the
    # end: H v is linear in v, and a tiny (e.g. subnormal) v would otherwise
    # make the displacement factor xmax / vmax overflow to inf.  D holds the
    # displacements r_i * v_i / |v_i|_inf, r_i = c max(1, |x_i|_inf).
    D, r, vmax, zero = _hvp_scaling.directions(X, V, STEP_FACTORS[factor])
    H = resolve_steps(X, user_h, {"central": "second", "complex": "central", "richardson": "richardson2"}[method])
    name = names[method]
    if method == "complex":
        probe_complex(fn, X[0])

    def run_at(s):
        out, fscale = _run(name, fn, X, representable(X, H * s) if grad is None else H,
                           D if s == 1.0 else D * s, 0, (d,), evals)
        return out / (r[:, None] * s), fscale

    if method == "richardson":
        denom = r[:, None] * (H if grad is None else 1.0)
        ext = extrapolate(run_at, denom, order)
        out, info = ext.value, DiffInfo(method, ext.levels * n * evals + 1, H)
        out *= vmax[:, None]
        out[zero] = 0.0
        ext.error *= vmax[:, None]
        ext.error[zero] = 0.0
        ext.status[zero] = 0
    else:
        out, _ = _run(name, fn, X, representable(X, H) if grad is None else H, D, 0, (d,), evals)
        _hvp_scaling.unscale(out, r, vmax, zero)
        info, ext = DiffInfo(method, n * evals + 1, H), None
    return _finish(out, batched, full_output, info, ext)
