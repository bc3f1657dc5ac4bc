"""Public ``minimize``: validate, pick the compiled or the Python loop, report."""
from __future__ import annotations

import numbers

import numpy as np

from fastgrad import _validation as val
from fastgrad.differentiate._user_function import _check_value, is_numba_function, make_fn
from fastgrad.optimize._loops.run import run
from fastgrad.optimize._loops.codes import (C_NFEV, C_NHEV, C_NIT, C_NJEV, C_NMOD, C_STATUS, FP_C1, FP_C2,
                           FP_EXPLODE, FP_FDSTEP, FP_HSTEP, FP_MOMENTUM, FP_STEPFACTOR, FP_TOL, IP_AUTOSTEP,
                           IP_FDMODE, IP_LSKIND, IP_MAXITER, IP_MAXLS, IP_MEMORY, IP_VARIANT,
                           LS_KIND_BACKTRACKING, LS_KIND_NONE, LS_KIND_WOLFE, N_FP, N_IP)
from ._bounds import BOUNDED_LINE_SEARCHES, BOUNDED_LOOPS, active_mask, check_bounds
from ._result import History, OptimizeResult, OptimizeResults, status_message
from ._schedules import learning_rates
from ._scipy_compat import apply_options, canonical_method
from fastgrad.differentiate._steps import STEP_FACTORS

METHODS = ("gd", "momentum", "nesterov", "newton", "bfgs", "lbfgs", "cg")
FIXED_STEP = ("gd", "momentum", "nesterov")
#: line searches each method accepts; the first is the default
LINE_SEARCHES = {
    "gd": ("none", "backtracking", "wolfe"),
    "momentum": ("none",),
    "nesterov": ("none",),
    "newton": ("backtracking", "wolfe", "none"),
    "bfgs": ("wolfe", "backtracking"),
    "lbfgs": ("wolfe", "backtracking"),
    "cg": ("wolfe",),  # PR+ needs accurate steps: Armijo alone does not keep descent
}
_LS_KIND = {"none": LS_KIND_NONE, "backtracking": LS_KIND_BACKTRACKING, "wolfe": LS_KIND_WOLFE}
_FD_JAC = {None: "central", False: "central", "central": "central", "forward": "forward", "backward": "backward"}
_FD_MODE = {"forward": 0, "backward": 1, "central": 2}
#: an objective that rises this many times max(1, |f(x0)|) above f(x0) has diverged
EXPLODE_FACTOR = 1e10


def _check_line_search(line_search, method, bounded):
    allowed = (BOUNDED_LINE_SEARCHES if bounded else LINE_SEARCHES)[method]
    if line_search is None:
        return allowed[0]
    if line_search not in allowed:
        raise ValueError(f"line_search={line_search!r} is not available with method={method!r}"
                         + (" and bounds" if bounded else "") + "; choose "
                         + ("one of " if len(allowed) > 1 else "") + ", ".join(repr(m) for m in allowed) + ".")
    return line_search


def _check_bounded_method(method, box):
    """The box, or None when it bounds nothing; a ValueError for methods without bounds."""
    if box is None or not (np.isfinite(box[0]).any() or np.isfinite(box[1]).any()):
        return None
    if method not in BOUNDED_LOOPS:
        raise ValueError(f"method={method!r} cannot honour bounds; methods that accept bounds are "
                         + ", ".join(repr(m) for m in BOUNDED_LOOPS) + " (e.g. method='lbfgs', or scipy's "
                         "name 'L-BFGS-B').")
    return box


#: step factor (times 1 / L, L the curvature at the start) of the automatic
#: learning rate: half of the largest stable step of gradient descent on a
#: quadratic of curvature L (2 / L), and for momentum the same 1 / L, well
#: inside its stable range (2 (1 + mu) / L); Nesterov's see minimize
AUTO_STEP_FACTOR = {"gd": 1.0, "momentum": 1.0}


def _auto_step_factor(method, momentum):
    if method == "nesterov":
        # Nesterov (gradient at the iterate) is stable on a quadratic of
        # curvature L for lr < 2 (1 + mu) / ((1 + 2 mu) L): take half of it
        return (1.0 + momentum) / (1.0 + 2.0 * momentum)
    return AUTO_STEP_FACTOR[method]


def _check_real(value, name, low, high, *, low_open=False, high_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be a number in {lo}{low:g}, {high:g}{hi}, got {value!r}.")
    return float(value)


def _probe_vector(func, x0, args, name, shape):
    """Call ``func`` once at ``x0``; check that it returns finite numbers of ``shape``."""
    try:
        value = func(x0.copy(), *args)
    except Exception as exc:  # numba typing errors, bad signatures, ...
        raise TypeError(f"{name} failed when called at x0 = {x0}: {type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must return numbers, got {type(value).__name__} at x0 = {x0}.")
    if arr.shape != shape:
        raise ValueError(f"{name} must return an array of shape {shape} (d={x0.size}), got shape "
                         f"{arr.shape} at x0 = {x0}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} returned a non-finite value at x0 = {x0}; it must be finite there.")
    return arr


def _pair_parts(out, x0, name="fun"):
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"with jac=True, {name} must return a pair (value, gradient), got "
                        f"{type(out).__name__} at x0 = {x0}.")
    return out


def _prepare_functions(fun, jac, hess, args, x0, method, callback):
    """Return ``(compiled, fun, jac, hess, vg, hf)`` ready for the loops."""
    d = x0.size
    if jac is True:
        vg = "pair"
        try:
            out = fun(x0.copy(), *args)
        except Exception as exc:
            raise TypeError(f"fun failed when called at x0 = {x0}: {type(exc).__name__}: {exc}") from None
        value, grad = _pair_parts(out, x0)
        _check_value(value, "fun (first element of its (value, gradient) pair)", x0, vector=False)
        _probe_vector(lambda x, *a: grad, x0, args, "fun's gradient (second element of its pair)", (d,))
    elif jac in _FD_JAC:
        vg = "fd"
        make_fn(fun, args, vectorized=False, x0=x0, name="fun")
    elif callable(jac):
        vg = "jac"
        make_fn(fun, args, vectorized=False, x0=x0, name="fun")
        _probe_vector(jac, x0, args, "jac", (d,))
    else:
        raise ValueError(f"jac={jac!r} is not understood: pass None (finite differences, or one of "
                         "'central', 'forward', 'backward'), a callable jac(x, *args) returning the "
                         "gradient, or True if fun returns (value, gradient).")
    if hess is not None:
        if method != "newton":
            raise ValueError(f"hess is only used by method='newton', not method={method!r}; drop it.")
        val.check_function(hess, "hess")
        _probe_vector(hess, x0, args, "hess", (d, d))
        hf = "exact"
    else:
        hf = "fd" if vg == "fd" else "grad"
    user = [fun] + ([jac] if vg == "jac" else []) + ([hess] if hess is not None else [])
    compiled = callback is None and all(is_numba_function(u) for u in user)
    if not compiled:
        # Python loops hand the user's functions a private copy of x each call
        fun = _copying(fun, pair=(vg == "pair"))
        if vg == "jac":
            jac = _copying_vector(jac)
        if hess is not None:
            hess = _copying_vector(hess)
    return compiled, fun, (jac if vg == "jac" else None), hess, vg, hf


def _copying(f, pair):
    if pair:
        def fp(x, *a):
            v, g = f(x.copy(), *a)
            return float(v), np.asarray(g, dtype=np.float64)
        return fp
    return lambda x, *a: f(x.copy(), *a)


def _copying_vector(f):
    return lambda x, *a: np.asarray(f(x.copy(), *a), dtype=np.float64)


def _python_callback(callback):
    def cb(x, g, f, k):
        try:
            stop = callback(OptimizeResult(x=x.copy(), fun=float(f), jac=g.copy(), nit=k))
        except StopIteration:
            return True
        return bool(stop)
    return cb


_DEFAULTS = {"tol": 1e-6, "max_iter": None, "learning_rate": None, "momentum": 0.9, "line_search": None,
             "memory": 10, "c1": 1e-4, "c2": None, "max_line_search": 40, "history": True}


def minimize(fun, x0, *, method="bfgs", jac=None, hess=None, args=(), bounds=None, tol=1e-6, max_iter=None,
             learning_rate=None, momentum=0.9, line_search=None, memory=10, c1=1e-4, c2=None,
             max_line_search=40, callback=None, history=True, options=None):
    """Minimise a function of several variables, in compiled loops when possible.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` with ``x`` of shape ``(d,)`` (``-> (float,
        gradient)`` with ``jac=True``).  When ``fun`` (and ``jac``, ``hess``)
        are ``@numba.njit`` functions, the whole minimisation runs in compiled
        code; any other callable runs the same algorithm in Python.
    x0 : array_like, shape (d,) or (n, d)
        Start, or ``n`` starts minimised independently (in parallel).
    method : {"bfgs", "lbfgs", "cg", "newton", "gd", "momentum", "nesterov"}
        Quasi-Newton BFGS (dense inverse Hessian) or limited-memory BFGS,
        nonlinear conjugate gradient (Polak-Ribiere+), Newton's method
        (indefinite Hessians are shifted to positive definite ones),
        gradient descent, heavy-ball momentum, Nesterov momentum.  Case and
        dashes do not matter, and scipy's names map to these loops:
        ``"BFGS"``, ``"L-BFGS-B"`` (lbfgs), ``"CG"``, ``"Newton-CG"`` (newton).
    jac : None, {"central", "forward", "backward"}, callable or True
        Gradient: finite differences of ``fun`` (``None`` = ``"central"``),
        ``jac(x, *args) -> (d,)``, or ``True`` when ``fun`` returns both.
    hess : callable, optional
        ``hess(x, *args) -> (d, d)`` for ``method="newton"``; by default finite
        differences (of ``jac`` when given, else of ``fun``).
    args : tuple
        Extra arguments of ``fun``, ``jac`` and ``hess``.
    bounds : scipy.optimize.Bounds or sequence of (low, high), optional
        Box constraints, as in scipy: ``Bounds(lb, ub)`` or one pair per
        variable, ``None`` or +-inf for an open side.  Starts outside the box
        are clipped into it.  ``lbfgs`` and ``bfgs`` then run a projected
        L-BFGS (variables on a bound with the gradient pushing outward are
        held, the others take the L-BFGS step of their subspace; backtracking
        along the projection arc), ``gd``, ``momentum`` and ``nesterov``
        project every step; ``newton`` and ``cg`` do not take bounds.  The
        tolerance then applies to the projected gradient ``max |P(x - g) -
        x|`` (scipy's ``pgtol``), variables on a bound equal it exactly and
        the result has ``active_mask`` (-1 lower, 1 upper, 0 free).
    tol : float
        Stop when the largest absolute gradient entry (projected gradient,
        with bounds) is ``<= tol``.
    max_iter : int, optional
        Iteration limit (default ``10000`` for the fixed-step methods,
        ``max(1000, 200 d)`` for the others).
    learning_rate : float, Schedule or callable, optional
        Step size of ``gd``/``momentum``/``nesterov``: a number, a schedule
        (:class:`Constant`, :class:`InverseScaling`,
        :class:`ExponentialDecay`, :class:`StepDecay`, :class:`Cosine`) or a
        callable of the iteration ``t``.  By default a step from the problem:
        ``1 / L`` (Nesterov: ``(1 + momentum) / ((1 + 2 momentum) L)``),
        ``L`` the largest curvature at the start (a power iteration on
        gradient differences), halved and restarted from the best iterate
        whenever the objective climbs above its starting value.  For the
        other methods a multiplier of the first trial step of the line search
        (default ``1``).
    momentum : float
        Momentum coefficient in ``[0, 1)`` of ``momentum`` and ``nesterov``.
    line_search : {"none", "backtracking", "wolfe"}, optional
        ``"backtracking"`` (Armijo) or ``"wolfe"`` (strong Wolfe), where the
        method supports it.  Defaults: ``"wolfe"`` for bfgs/lbfgs/cg,
        ``"backtracking"`` for newton, ``"none"`` (fixed steps) for the rest.
    memory : int
        Number of stored pairs of ``lbfgs``.
    c1, c2 : float
        Sufficient-decrease and curvature constants, ``0 < c1 < c2 < 1``
        (``c2`` defaults to 0.4 for ``cg``, 0.9 otherwise).
    max_line_search : int
        Function evaluations allowed per line search.
    callback : callable, optional
        ``callback(intermediate_result)`` after every iteration, with an
        :class:`OptimizeResult` holding ``x``, ``fun``, ``jac``, ``nit``;
        returning True (or raising ``StopIteration``) stops.  A callback makes
        the loop run in Python.
    history : bool
        Record the objective, gradient norm and step of every iteration.
    options : dict, optional
        scipy-style options: ``maxiter``, ``gtol``, ``maxcor`` (memory),
        ``maxls``, ``c1``, ``c2``, ``disp`` (print the final message), or
        any of the keyword names above.  Options fastgrad cannot honour
        (``ftol``, ``eps``, ``maxfun``, ...) raise a ValueError saying what to
        use instead.

    Returns
    -------
    OptimizeResult or OptimizeResults
        For one start, an :class:`OptimizeResult` (``x, fun, jac, nit, nfev,
        njev, success, status, message, history``, ...); for ``n`` starts an
        :class:`OptimizeResults` list of them (``.best`` is the lowest).

    Examples
    --------
    >>> import numpy as np, fastgrad
    >>> def f(x):
    ...     return (x[0] - 1.0) ** 2 + 10.0 * (x[1] + 2.0) ** 2
    >>> res = fastgrad.minimize(f, [0.0, 0.0], method="bfgs")
    >>> bool(res.success), np.round(res.x, 5)
    (True, array([ 1., -2.]))
    >>> res = fastgrad.minimize(f, [0.0, 0.0], method="gd", learning_rate=0.05, max_iter=20)
    >>> res.status, res.message.split(":")[0]
    (1, 'Maximum number of iterations reached (max_iter=20) before convergence')
    >>> many = fastgrad.minimize(f, np.zeros((3, 2)), method="lbfgs")
    >>> len(many), bool(many.success.all())
    (3, True)
    >>> res = fastgrad.minimize(f, [0.0, 0.0], method="L-BFGS-B", bounds=[(None, 0.5), (-1.0, 1.0)],
    ...                         options={"gtol": 1e-9})
    >>> res.x, res.active_mask
    (array([ 0.5, -1. ]), array([ 1, -1], dtype=int8))
    """
    values, disp = apply_options(options, dict(
        tol=tol, max_iter=max_iter, learning_rate=learning_rate, momentum=momentum, line_search=line_search,
        memory=memory, c1=c1, c2=c2, max_line_search=max_line_search, history=history), _DEFAULTS)
    tol, max_iter, learning_rate, momentum, line_search, memory, c1, c2, max_line_search, history = (
        values[k] for k in ("tol", "max_iter", "learning_rate", "momentum", "line_search", "memory", "c1", "c2",
                            "max_line_search", "history"))
    val.check_function(fun, "fun")
    args = val.check_args(args)
    method = canonical_method(method, METHODS)
    X, batched = val.as_points(x0, "x0")
    n, d = X.shape
    box = _check_bounded_method(method, check_bounds(bounds, d))
    if box is not None:
        X = np.clip(X, box[0], box[1])  # as scipy's L-BFGS-B: a start outside the box is clipped into it
    tol = val.check_nonneg_float(tol, "tol")
    if max_iter is None:
        max_iter = 10000 if method in FIXED_STEP else max(1000, 200 * d)
    max_iter = val.check_positive_int(max_iter, "max_iter", minimum=0)
    momentum = _check_real(momentum, "momentum", 0.0, 1.0, high_open=True)
    auto_step = learning_rate is None and method in FIXED_STEP
    if learning_rate is None:
        learning_rate = 1.0
    lr = learning_rates(learning_rate, max_iter)
    ls = _check_line_search(line_search, method, box is not None)
    memory = val.check_positive_int(memory, "memory")
    c1 = _check_real(c1, "c1", 0.0, 1.0, low_open=True, high_open=True)
    c2 = (0.4 if method == "cg" else 0.9) if c2 is None else c2
    c2 = _check_real(c2, "c2", c1, 1.0, low_open=True, high_open=True)
    max_ls = val.check_positive_int(max_line_search, "max_line_search")
    if callback is not None:
        val.check_function(callback, "callback")
    if not isinstance(history, (bool, np.bool_)):
        raise TypeError(f"history must be True or False, got {history!r}.")

    compiled, fun_, jac_, hess_, vg, hf = _prepare_functions(fun, jac, hess, args, X[0], method, callback)
    if method in FIXED_STEP:
        hf = "lipschitz" if auto_step else "none"  # their only use of curvature: the automatic step
    fd_method = _FD_JAC.get(jac, "central") if vg == "fd" else "central"
    ip = np.zeros(N_IP, dtype=np.int64)
    ip[IP_MAXITER], ip[IP_MAXLS], ip[IP_MEMORY] = max_iter, max_ls, memory
    ip[IP_FDMODE], ip[IP_LSKIND] = _FD_MODE[fd_method], _LS_KIND[ls]
    ip[IP_VARIANT] = 1 if method == "nesterov" else 0
    ip[IP_AUTOSTEP] = 1 if auto_step else 0
    fp = np.zeros(N_FP)
    fp[FP_TOL], fp[FP_MOMENTUM], fp[FP_C1], fp[FP_C2] = tol, momentum, c1, c2
    fp[FP_FDSTEP], fp[FP_HSTEP], fp[FP_EXPLODE] = STEP_FACTORS[fd_method], STEP_FACTORS["second"], EXPLODE_FACTOR
    fp[FP_STEPFACTOR] = _auto_step_factor(method, momentum) if auto_step else 1.0
    loop, ls_piece = method, ls
    if box is not None:
        loop, ls_piece = BOUNDED_LOOPS[method], "projected"
        if vg == "fd":
            vg = "fd-box"  # differences that never evaluate fun outside the box, as scipy's
        fp = np.concatenate([fp, box[0], box[1]])  # the box travels at the end of fp (codes.py)
    cb = None if callback is None else _python_callback(callback)
    Xf, G, F, H, C = run(compiled, loop, vg, hf, ls_piece, fun_, jac_, hess_, args, X, ip, fp, lr,
                         max_iter + 1 if history else 0, cb)

    results = OptimizeResults()
    for i in range(n):
        c = C[i]
        status, nit = int(c[C_STATUS]), int(c[C_NIT])
        if box is None:
            gnorm = float(np.max(np.abs(G[i]))) if d else 0.0
        else:
            gnorm = float(np.max(np.abs(np.clip(Xf[i] - G[i], box[0], box[1]) - Xf[i])))
        start_f = float(H[i, 0, 0]) if history else np.nan
        msg = status_message(status, method=method, nit=nit, max_iter=max_iter, gnorm=gnorm, tol=tol,
                             fixed_step=(ls == "none"), start_f=start_f, f=float(F[i]), bounded=box is not None,
                             auto_step=auto_step)
        res = OptimizeResult(
            x=Xf[i], fun=float(F[i]), jac=G[i], nit=nit, nfev=int(c[C_NFEV]), njev=int(c[C_NJEV]),
            success=status == 0, status=status, message=msg, method=method,
            history=History(H[i, :nit + 1, 0].copy(), H[i, :nit + 1, 1].copy(), H[i, :nit + 1, 2].copy())
            if history else None,
        )
        if bounds is not None:
            res.active_mask = (active_mask(Xf[i], box[0], box[1]) if box is not None
                               else np.zeros(d, dtype=np.int8))
        if method == "newton":
            res.nhev = int(c[C_NHEV])
            res.hessian_modified = int(c[C_NMOD])
            if res.hessian_modified:
                res.message += (f" The Hessian was not positive definite at {res.hessian_modified} of "
                                f"{nit} iterations and was shifted (H + tau I) to keep descent directions.")
        if disp:
            print(res.message)
        results.append(res)
    return results if batched else results[0]
