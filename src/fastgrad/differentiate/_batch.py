"""Batch drivers for the per-point stencils, compiled on demand.

``run_batch`` differentiates ``f`` at every row of ``X``.  Batches that are
large enough run in parallel: the rows are cut into one contiguous chunk per
thread and each chunk gets its own scratch vector.  Three drivers share the
loop below:

* **native** (a jitted ``f`` taking only the point, the common case): the
  driver receives ``f``'s native address (:mod:`._fnptr`) and has one fixed
  signature per stencil, so it is compiled once and cached on disk; a new
  process, or a new user function, costs only the compile of ``f`` itself;
* **specialised** (a jitted ``f`` with extra ``args``, or one whose types the
  native drivers do not cover): ``f`` is bound into the driver, which numba
  then compiles for that function, once per stencil kind and process;
* **interpreted** (any other ``f``): the very same driver source runs in
  Python.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path

import numba
import numpy as np
from numba import types
from numba.extending import register_jitable

from fastgrad import _config, _threads
from . import _fnptr
from . import _stencils_first as p1
from . import _stencils_second as p2

# name -> (point stencil, scratch dtype)
STENCILS = {
    "value": (p1.value_point, np.float64),
    "grad_fd": (p1.grad_fd_point, np.float64),
    "grad_complex": (p1.grad_complex_point, np.complex128),
    "jac_fd": (p1.jac_fd_point, np.float64),
    "jac_complex": (p1.jac_complex_point, np.complex128),
    "hess_central": (p2.hess_central_point, np.float64),
    "hess_complex": (p2.hess_complex_point, np.complex128),
    "hvp_central": (p2.hvp_central_point, np.float64),
    "hvp_cross": (p2.hvp_cross_point, np.float64),
    "hvp_complex": (p2.hvp_complex_point, np.complex128),
    "hvp_grad": (p2.hvp_grad_point, np.float64),
    "hvp_grad_complex": (p2.hvp_grad_complex_point, np.complex128),
}

COMPLEX_STENCILS = frozenset(k for k, (_, dt) in STENCILS.items() if dt is np.complex128)

#: stencils with a native (cached) driver: what f returns, and the rank of
#: one point's result
NATIVE = {
    "value": ("real", 1), "grad_fd": ("real", 1), "grad_complex": ("complex", 1),
    "jac_fd": ("real_vector", 2), "jac_complex": ("complex_vector", 2),
    "hess_central": ("real", 2), "hess_complex": ("complex", 2),
    "hvp_central": ("real", 1), "hvp_cross": ("real", 1), "hvp_complex": ("complex", 1),
    "hvp_grad": ("real_vector", 1), "hvp_grad_complex": ("complex_vector", 1),
}
for _point, _ in STENCILS.values():
    register_jitable(_point)  # callable from jitted code, still a plain function


def _make_driver(point, work_dtype, f):
    # f is bound as a closure constant rather than passed as an argument:
    # numba then compiles the call to f directly, and each call skips
    # re-typing a function object (~7 us, as much as a small gradient).
    def driver(X, H, V, args, mode, out, status, fscale, bad, nchunks):
        n = X.shape[0]
        d = X.shape[1]
        for c in numba.prange(nchunks):
            lo = c * n // nchunks
            hi = (c + 1) * n // nchunks
            work = np.empty(d, dtype=work_dtype)
            for i in range(lo, hi):
                s, fs = point(f, X[i], H[i], V[i], args, mode, out[i], work)
                fscale[i] = fs
                if s != 0:
                    status[i] = s
                    for k in range(d):
                        bad[i, k] = work[k].real
                    break

    return driver


def _make_native_driver(point, work_dtype, parallel, stamp):
    # The closure holds only plain, picklable values: numba hashes them into
    # the on-disk cache key, so ``parallel`` keeps the serial and parallel
    # builds apart and ``stamp`` (a hash of the stencil sources) retires a
    # cached build when a stencil changes.
    def driver(jit_addr, c_addr, ret, X, H, V, mode, out, status, fscale, bad, nchunks):
        n = X.shape[0]
        d = X.shape[1]
        for c in numba.prange(nchunks):
            lo = c * n // nchunks
            hi = (c + 1) * n // nchunks
            work = np.empty(d, dtype=work_dtype)
            f = _fnptr.fn_from_addresses(jit_addr, c_addr, work, ret)
            for i in range(lo, hi):
                s, fs = point(f, X[i], H[i], V[i], (), mode, out[i], work)
                fscale[i] = fs
                if s != 0:
                    status[i] = s
                    for k in range(d):
                        bad[i, k] = work[k].real
                    break
        return parallel and len(stamp) > 0

    return driver


def _source_stamp():
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("_stencils_first.py", "_stencils_second.py", "_fnptr.py", "_batch.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


_STAMP = _source_stamp()
_NATIVE_DRIVERS: dict = {}


def native_driver(name: str, parallel: bool):
    """The cached driver of stencil ``name``; compiled (or loaded) on first use."""
    key = (name, parallel)
    drv = _NATIVE_DRIVERS.get(key)
    if drv is None:
        point, dt = STENCILS[name]
        ret_kind, rank = NATIVE[name]
        a2 = types.Array(types.float64, 2, "C")
        sig = types.boolean(
            types.int64, types.int64, numba.typeof(_fnptr.PROTOTYPES[ret_kind]), a2, a2, a2, types.int64,
            types.Array(types.float64, 1 + rank, "C"), types.Array(types.int8, 1, "C"),
            types.Array(types.float64, 1, "C"), a2, types.int64)
        drv = numba.njit(sig, parallel=parallel, nogil=True, error_model="numpy", cache=True)(
            _make_native_driver(point, dt, parallel, _STAMP))
        _NATIVE_DRIVERS[key] = drv
    return drv


def _writable_c(a):
    return a if a.flags.c_contiguous and a.flags.writeable else np.array(a, order="C")


_JIT_POINTS: dict[str, object] = {}
#: Compiled drivers per (stencil, parallel, user function), least recently
#: used first.  Bounded so that programs creating many jitted functions do
#: not keep every dispatcher alive.
_JIT_DRIVERS: OrderedDict = OrderedDict()
MAX_CACHED_DRIVERS = 128


def lru_cached(cache: OrderedDict, key, make, limit: int):
    """``cache[key]``, built by ``make()`` on a miss; beyond ``limit`` entries the
    least recently used one is dropped."""
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
        return value
    value = cache[key] = make()
    if len(cache) > limit:
        cache.popitem(last=False)
    return value


def specialised_driver(stencils, make_driver, points, drivers, limit, name, parallel, f):
    """A driver of stencil ``name`` compiled for ``f`` (``stencils[name]`` is
    ``(point, scratch dtype)``, ``make_driver(jitted point, dtype, f)`` builds
    its source); jitted points are kept in ``points``, drivers in the LRU
    ``drivers`` of at most ``limit`` entries."""
    def make():
        point, dt = stencils[name]
        jpoint = points.get(name)
        if jpoint is None:
            # error_model="numpy": divisions are by validated positive steps,
            # so skip the per-division zero checks of the default "python" model.
            jpoint = points[name] = numba.njit(nogil=True, error_model="numpy")(point)
        return numba.njit(parallel=parallel, nogil=True, error_model="numpy")(make_driver(jpoint, dt, f))

    return lru_cached(drivers, (name, parallel, f), make, limit)


def jit_driver(name: str, parallel: bool, f):
    return specialised_driver(STENCILS, _make_driver, _JIT_POINTS, _JIT_DRIVERS, MAX_CACHED_DRIVERS,
                              name, parallel, f)


class NonFiniteError(ValueError):
    """f produced NaN or inf at one of the evaluation points."""

    def __init__(self, name, row, point, x):
        self.row, self.point = row, point
        super().__init__(
            f"{name} returned a non-finite value (nan or inf) at the evaluation point "
            f"{np.array2string(point, precision=17)} while differentiating at "
            f"x[{row}] = {np.array2string(x, precision=17)}. Check that {name} is "
            "defined around x, or pass a smaller step."
        )


def run_batch(name, fn, X, H, V, mode, out_shape, evals_per_point):
    """Run stencil ``name`` on every row of ``X``; return ``(out, fscale)``.

    ``fn`` is a :class:`fastgrad.differentiate._user_function.Fn`; ``out_shape`` is the shape of
    one point's result.  Raises :class:`NonFiniteError` naming the first bad
    evaluation point.
    """
    n, d = X.shape
    out = np.empty((n,) + tuple(out_shape))
    status = np.zeros(n, dtype=np.int8)
    fscale = np.empty(n)
    bad = np.empty((n, d))  # written only for rows that fail
    if fn.kind == "numba":
        # no threads in a forked child: its OpenMP runtime is unusable (fastgrad._threads)
        parallel = (n > 1 and n * evals_per_point >= _config.PARALLEL_MIN_EVALS
                    and not _threads.in_forked_child())
        threads = numba.get_num_threads() if parallel else 1  # the query costs ~5 us
        parallel = parallel and threads > 1
        nchunks = min(n, threads) if parallel else 1
        native = None
        if not fn.args and name in NATIVE:
            native = _fnptr.native_addresses(fn.func, STENCILS[name][1], NATIVE[name][0])
        if native is not None:
            drv = native_driver(name, parallel)
            call = (native[0], native[1], _fnptr.PROTOTYPES[NATIVE[name][0]],
                    _writable_c(X), _writable_c(H), _writable_c(V))
        else:
            drv = jit_driver(name, parallel, fn.func)
            call = (X, H, V, fn.args)
        try:
            if parallel:
                with _config.blas_single_threaded():
                    drv(*call, mode, out, status, fscale, bad, nchunks)
            else:
                drv(*call, mode, out, status, fscale, bad, nchunks)
        except numba.core.errors.TypingError as exc:
            raise TypeError(fn.compile_error_message(name in COMPLEX_STENCILS, exc)) from None
    else:
        point, dt = STENCILS[name]
        _make_driver(point, dt, fn.func)(X, H, V, fn.args, mode, out, status, fscale, bad, 1)
    if status.any():
        row = int(np.flatnonzero(status)[0])
        raise NonFiniteError(fn.name, row, bad[row], X[row])
    return out, fscale
