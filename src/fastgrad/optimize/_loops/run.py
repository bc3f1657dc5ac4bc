"""Run the optimisation loops: pick the pieces, compile on demand, batch.

A run is described by names: the loop (method, or ``"lbfgs-box"``,
``"gd-box"``, ``"momentum-box"`` with bounds), the value/gradient adapter
(``"fd"``, ``"jac"``, ``"pair"``; ``"fd-box"`` for finite differences that
stay in the box), the Hessian adapter (``"fd"``, ``"grad"``, ``"exact"``;
``"lipschitz"`` / ``"none"`` for the fixed-step loops, with or without an
automatic step) and the line search (``"none"``, ``"backtracking"``,
``"wolfe"``, ``"projected"``).  For numba user functions every piece is
``numba.njit``-ed -- lazily, so a process that only uses BFGS never compiles
Newton -- and passed to the jitted loop as an argument, which makes the
whole minimisation one native call.  For plain Python functions the very
same loop source runs in the interpreter with the plain pieces.

Several starts run through one driver, a ``prange`` over chunks of starts
(parallel for large batches, BLAS limited to one thread meanwhile).

Two compiled routes, as for the differentiation drivers:

* **native** (a jitted ``fun`` of the point alone, finite-difference
  derivatives): the entry receives ``fun``'s native address
  (:mod:`fastgrad.differentiate._fnptr`), so it has one fixed signature per
  (method, line search) and is compiled once and cached on disk; a fresh
  process only compiles the user's function;
* **specialised** (``args``, a user ``jac``/``hess``, or a function the
  native prototype does not fit): the user's functions are bound into the
  entry, which numba compiles for them, once per process.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numba
import numpy as np
from numba import types
from numba.extending import register_jitable

from fastgrad import _config, _threads
from fastgrad.differentiate import _fnptr
from . import line_search as ls_mod
from . import adapters as ad
from .codes import N_COUNTS
from .fd_box import vg_fd_box
from .first_order import gd_box_loop, gd_loop, momentum_box_loop, momentum_loop
from .newton import newton_loop
from .projected import lbfgs_box_loop, projected_search
from .quasi_newton import bfgs_loop, cg_loop, lbfgs_loop

LOOPS = {"gd": gd_loop, "momentum": momentum_loop, "nesterov": momentum_loop, "newton": newton_loop,
         "bfgs": bfgs_loop, "lbfgs": lbfgs_loop, "cg": cg_loop,
         # bound-constrained loops (fastgrad.optimize._loops.projected and first_order)
         "lbfgs-box": lbfgs_box_loop, "gd-box": gd_box_loop, "momentum-box": momentum_box_loop}
LINE_SEARCHES = {"none": ls_mod.fixed_step, "backtracking": ls_mod.backtracking, "wolfe": ls_mod.strong_wolfe,
                 "projected": projected_search}
BOUNDED_LOOPS = ("lbfgs-box", "gd-box", "momentum-box")
#: Hessian adapters the native route compiles (those that need no user jac/hess)
NATIVE_HF = ("fd", "grad", "lipschitz", "none")
_REGISTERED: set = set()

#: Batches with at least this many starts run in parallel (one minimisation
#: is thousands of function calls, far more than a thread wake-up costs).
PARALLEL_MIN_STARTS = 8

_JIT_OPTS = {"nogil": True, "error_model": "numpy"}


def _make_entry(loop, vg, hf, ls, cb, fun, jac, hess):
    """Bind the pieces of a run, and the user's functions, into one function.

    For compiled runs, binding in a closure rather than passing them as
    arguments matters: numba types every function argument on every call
    (~10 us each), which would dominate a small minimisation.  The compiled
    loop is specialised on the user's functions either way.
    """
    def entry(args, x, g, ip, fp, lr, hist, counts):
        return loop(vg, hf, ls, cb, fun, jac, hess, args, x, g, ip, fp, lr, hist, counts)

    return entry


def _make_driver(entry):
    def driver(args, X, G, F, ip, fp, lr, H, C, nchunks):
        # One chunk of consecutive starts per thread; every loop allocates
        # its own buffers, so starts share only the read-only parameters.
        n = X.shape[0]
        for c in numba.prange(nchunks):
            lo = c * n // nchunks
            hi = (c + 1) * n // nchunks
            for i in range(lo, hi):
                F[i] = entry(args, X[i], G[i], ip, fp, lr, H[i], C[i])

    return driver


_PY = {
    "vg": {"fd": ad.vg_fd, "jac": ad.vg_jac, "pair": ad.vg_pair, "fd-box": vg_fd_box},
    "hf": {"fd": ad.hf_fd, "grad": ad.hf_grad, "exact": ad.hf_exact, "lipschitz": ad.hf_lipschitz, "none": ad.hf_none},
}
_JIT: dict = {}

# The native route compiles the plain sources of the pieces inside one cached
# entry: a jitted piece passed as a value would embed a pointer to its Python
# object, which numba cannot cache.  (The stencils the adapters call are
# registered by fastgrad.differentiate._batch.)  Only module-level functions
# here: numba's cache key pickles them, by reference, the same in every process.
for _piece in (*LOOPS.values(), *LINE_SEARCHES.values(), ad.no_callback, *_PY["vg"].values(), *_PY["hf"].values()):
    if _piece not in _REGISTERED:
        register_jitable(_piece)
        _REGISTERED.add(_piece)


def _jit(key, make):
    """The jitted object stored under ``key``, built by ``make()`` on first use."""
    obj = _JIT.get(key)
    if obj is None:
        obj = _JIT[key] = make()
    return obj


def jit_piece(kind: str, name: str):
    """Jitted adapter / line search / loop piece, created on first request."""
    def make():
        source = {"loop": LOOPS, "ls": LINE_SEARCHES, "cb": {"none": ad.no_callback},
                  "vg": _PY["vg"], "hf": _PY["hf"]}[kind][name]
        return numba.njit(**_JIT_OPTS)(source)

    return _jit((kind, name), make)


#: compiled entry points and drivers kept for the most recently used combinations
MAX_CACHED = 64


@functools.lru_cache(maxsize=MAX_CACHED)
def jit_entry(method, vg, hf, ls, fun, jac, hess, parallel=None):
    """Jitted entry point (``parallel=None``) or batch driver of one combination.

    ``jac`` / ``hess`` may be None when unused; the loops never call them then.
    """
    if parallel is not None:
        entry = jit_entry(method, vg, hf, ls, fun, jac, hess)
        return numba.njit(parallel=parallel, **_JIT_OPTS)(_make_driver(entry))
    unused = jit_piece("cb", "none")  # a jitted stand-in for a function slot never called
    pieces = [jit_piece("loop", method), jit_piece("vg", vg), jit_piece("hf", hf), jit_piece("ls", ls), unused]
    return numba.njit(**_JIT_OPTS)(_make_entry(*pieces, fun, unused if jac is None else jac,
                                               unused if hess is None else hess))


def _make_native_entry(loop, vg, hf, ls, unused, stamp):
    # Only picklable values and jitted pieces in the closure: numba hashes
    # them into the on-disk cache key; ``stamp`` (a hash of the loop sources)
    # retires a cached build when a loop changes.
    def entry(jit_addr, c_addr, ret, x, g, ip, fp, lr, hist, counts):
        fun = _fnptr.fn_from_addresses(jit_addr, c_addr, x, ret)
        f = loop(vg, hf, ls, unused, fun, unused, unused, (), x, g, ip, fp, lr, hist, counts)
        return f + 0.0 * len(stamp)

    return entry


def _make_native_driver(entry, parallel):
    def driver(jit_addr, c_addr, ret, X, G, F, ip, fp, lr, H, C, nchunks):
        n = X.shape[0]
        for c in numba.prange(nchunks):
            lo = c * n // nchunks
            hi = (c + 1) * n // nchunks
            for i in range(lo, hi):
                F[i] = entry(jit_addr, c_addr, ret, X[i], G[i], ip, fp, lr, H[i], C[i])
        return parallel

    return driver


def _source_stamp():
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")) + sorted((here.parent.parent / "differentiate").glob("_stencils_*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_STAMP = None
_NATIVE: dict = {}


def _native_vg(method):
    # finite differences of the native route: inside the box for the bounded loops
    return "fd-box" if method in BOUNDED_LOOPS else "fd"


def native_entry(method, ls, hf, parallel=None):
    """Cached compiled entry (``parallel=None``) or batch driver of the native route."""
    global _STAMP
    key = (method, ls, hf, parallel)
    obj = _NATIVE.get(key)
    if obj is not None:
        return obj
    if _STAMP is None:
        _STAMP = _source_stamp()
    a1, a2, a3 = (types.Array(types.float64, k, "C") for k in (1, 2, 3))
    ints = types.Array(types.int64, 1, "C")
    ret = types.float64
    opts = dict(nogil=True, error_model="numpy", cache=True)
    if parallel is None:
        sig = types.float64(types.int64, types.int64, ret, a1, a1, ints, a1, a1, a2, ints)
        pieces = (LOOPS[method], _PY["vg"][_native_vg(method)], _PY["hf"][hf], LINE_SEARCHES[ls], ad.no_callback)
        obj = numba.njit(sig, **opts)(_make_native_entry(*pieces, _STAMP))
    else:
        sig = types.boolean(types.int64, types.int64, ret, a2, a2, a1, ints, a1, a1, a3,
                            types.Array(types.int64, 2, "C"), types.int64)
        obj = numba.njit(sig, parallel=parallel, **opts)(
            _make_native_driver(native_entry(method, ls, hf), parallel))
    _NATIVE[key] = obj
    return obj


def run(compiled, method, vg, hf, ls, fun, jac, hess, args, X, ip, fp, lr, history_rows, callback=None):
    """Minimise from every row of ``X`` (not modified).

    Returns ``(X_final, G, F, H, C)``: final points, gradients, values,
    histories ``(n, history_rows, 3)`` and counters ``(n, N_COUNTS)``.
    ``jac`` / ``hess`` are None when unused.  ``callback`` (Python runs
    only) is ``cb(x, g, f, k) -> bool``.
    """
    n, d = X.shape
    Xf = X.copy()
    G = np.zeros((n, d))
    F = np.zeros(n)
    H = np.full((n, history_rows, 3), np.nan)
    C = np.zeros((n, N_COUNTS), dtype=np.int64)
    if not compiled:
        cb = ad.no_callback if callback is None else callback
        entry = _make_entry(LOOPS[method], _PY["vg"][vg], _PY["hf"][hf], LINE_SEARCHES[ls], cb, fun, jac, hess)
        _make_driver(entry)(args, Xf, G, F, ip, fp, lr, H, C, 1)
        return Xf, G, F, H, C
    # one thread in a forked child: its OpenMP runtime is unusable (fastgrad._threads)
    threads = 1 if _threads.in_forked_child() else numba.get_num_threads()
    addresses = None
    if vg == _native_vg(method) and hf in NATIVE_HF and jac is None and hess is None and not args:
        addresses = _fnptr.native_addresses(fun, np.float64, "real")
    if addresses is not None:
        call = addresses + (0.0,)
        if n == 1:
            F[0] = native_entry(method, ls, hf)(*call, Xf[0], G[0], ip, fp, lr, H[0], C[0])
        elif threads > 1 and n >= PARALLEL_MIN_STARTS:
            with _config.blas_single_threaded():
                native_entry(method, ls, hf, True)(*call, Xf, G, F, ip, fp, lr, H, C, min(n, threads))
        else:
            native_entry(method, ls, hf, False)(*call, Xf, G, F, ip, fp, lr, H, C, 1)
        return Xf, G, F, H, C
    if n == 1:
        # one start: call the compiled entry directly, no driver to compile
        F[0] = jit_entry(method, vg, hf, ls, fun, jac, hess)(args, Xf[0], G[0], ip, fp, lr, H[0], C[0])
    elif threads > 1 and n >= PARALLEL_MIN_STARTS:
        with _config.blas_single_threaded():
            jit_entry(method, vg, hf, ls, fun, jac, hess, True)(args, Xf, G, F, ip, fp, lr, H, C, min(n, threads))
    else:
        jit_entry(method, vg, hf, ls, fun, jac, hess, False)(args, Xf, G, F, ip, fp, lr, H, C, 1)
    return Xf, G, F, H, C
