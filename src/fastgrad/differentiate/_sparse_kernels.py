"""Compiled stencils of the sparse derivatives, for ``@numba.njit`` functions.

Two kinds of per-point stencil, in the numba-compilable style of
:mod:`fastgrad.differentiate._stencils_first`:

* *compressed* (Jacobians, and Hessians from a gradient): one evaluation per
  colour group and side, along the direction ``sum(h_j e_j for j in group)``;
  row ``c`` of ``out`` (shape ``(ncolours, m)``) receives the raw
  difference (``f(x+u) - f(x-u)``, ``f(x+u) - f(x)``, ``f(x) - f(x-u)`` or
  ``Im f(x + i u)``).  Dividing by each column's own step and scattering into
  the pattern happens afterwards (:func:`recover_columns` for Jacobians).
* *pattern* Hessians from ``f`` alone: the dense two-dimensional stencil of
  :mod:`fastgrad.differentiate._stencils_second`, restricted to the entries
  ``(ui[k], uj[k])`` (``ui <= uj``) of the pattern, with the same formulas --
  so every entry equals the dense method's to the last bit.

The recovery of the Jacobian entries from the compressed differences is
compiled here too (:func:`recover_columns`); it does not depend on the
user's function, so it is cached on disk.

Signature: ``point(f, x, h, idx, args, mode, out, work) -> status``, with
``idx`` a tuple of int64 index arrays (the groups, or the pattern's entries),
``mode`` 0 forward, 1 backward, 2 central.  The status is 0, or 1 when ``f``
gave NaN or inf (``work`` then holds the evaluation point).  The batch driver runs a stencil over the
points (in parallel chunks when the batch is large enough), like
:mod:`fastgrad.differentiate._batch`, with the user's function bound as a
closure constant so that numba calls it natively.
"""
from __future__ import annotations

from collections import OrderedDict

import numba
import numpy as np

from fastgrad import _config, _threads
from ._batch import specialised_driver
from ._stencils_second import COMPLEX_H


def jac_groups_point(f, x, h, idx, args, mode, out, work):
    gptr, members = idx[0], idx[1]
    # out has shape (ncolours, m): row c is contiguous, written as f returns it.
    d = x.shape[0]
    m = out.shape[1]
    for j in range(d):
        work[j] = x[j]
    ncol = gptr.shape[0] - 1
    if mode == 2:
        for c in range(ncol):
            for p in range(gptr[c], gptr[c + 1]):
                j = members[p]
                work[j] = x[j] + h[j]
            fp = f(work, *args)
            for p in range(gptr[c], gptr[c + 1]):
                j = members[p]
                work[j] = x[j] - h[j]
            fm = f(work, *args)
            for p in range(gptr[c], gptr[c + 1]):
                j = members[p]
                work[j] = x[j]
            ok = True
            for k in range(m):
                v = fp[k] - fm[k]
                out[c, k] = v
                # one test for both values: a difference is finite only if both are
                ok = ok and (v - v == 0)
            if not ok:
                # leave in work the evaluation point that gave the non-finite value
                bad_plus = False
                for k in range(m):
                    if not (fp[k] - fp[k] == 0):
                        bad_plus = True
                sign = 1.0 if bad_plus else -1.0
                for p in range(gptr[c], gptr[c + 1]):
                    j = members[p]
                    work[j] = x[j] + sign * h[j]
                return 1
        return 0
    f0 = f(work, *args)
    for k in range(m):
        if not (f0[k] - f0[k] == 0):
            return 1
    sign = 1.0 if mode == 0 else -1.0
    for c in range(ncol):
        for p in range(gptr[c], gptr[c + 1]):
            j = members[p]
            work[j] = x[j] + sign * h[j]
        f1 = f(work, *args)
        for k in range(m):
            if not (f1[k] - f1[k] == 0):
                return 1
        for p in range(gptr[c], gptr[c + 1]):
            j = members[p]
            work[j] = x[j]
        for k in range(m):
            out[c, k] = (f1[k] - f0[k]) if mode == 0 else (f0[k] - f1[k])
    return 0


def jac_groups_complex_point(f, x, h, idx, args, mode, out, work):
    gptr, members = idx[0], idx[1]
    d = x.shape[0]
    m = out.shape[1]
    for j in range(d):
        work[j] = x[j]
    for c in range(gptr.shape[0] - 1):
        for p in range(gptr[c], gptr[c + 1]):
            j = members[p]
            work[j] = complex(x[j], h[j])
        fc = f(work, *args)
        for k in range(m):
            if not (fc[k] - fc[k] == 0):
                return 1
        for p in range(gptr[c], gptr[c + 1]):
            j = members[p]
            work[j] = x[j]
        for k in range(m):
            out[c, k] = fc[k].imag
    return 0


def hess_pattern_point(f, x, h, idx, args, mode, out, work):
    verts, ui, uj = idx[0], idx[1], idx[2]
    # out[k] = H[ui[k], uj[k]]; verts: every index that appears in the pattern.
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    f0 = f(work, *args)
    if not (f0 - f0 == 0):
        return 1
    fplus = np.empty(d)
    fminus = np.empty(d)
    for t in range(verts.shape[0]):
        i = verts[t]
        work[i] = x[i] + h[i]
        fp = f(work, *args)
        if not (fp - fp == 0):
            return 1
        work[i] = x[i] - h[i]
        fm = f(work, *args)
        if not (fm - fm == 0):
            return 1
        work[i] = x[i]
        fplus[i] = fp
        fminus[i] = fm
    for k in range(ui.shape[0]):
        i = ui[k]
        j = uj[k]
        if i == j:
            out[k] = ((fplus[i] - f0) + (fminus[i] - f0)) / (h[i] * h[i])
            continue
        work[i] = x[i] + h[i]
        work[j] = x[j] + h[j]
        fpp = f(work, *args)
        if not (fpp - fpp == 0):
            return 1
        work[i] = x[i] - h[i]
        work[j] = x[j] - h[j]
        fmm = f(work, *args)
        if not (fmm - fmm == 0):
            return 1
        work[i] = x[i]
        work[j] = x[j]
        num = ((fpp - fplus[i]) - (fplus[j] - f0)) + ((fmm - fminus[i]) - (fminus[j] - f0))
        out[k] = num / (2.0 * h[i] * h[j])
    return 0


def hess_pattern_complex_point(f, x, h, idx, args, mode, out, work):
    ui, uj = idx[1], idx[2]
    # The hybrid stencil of hess_complex_point, entry by entry of the pattern.
    d = x.shape[0]
    for j in range(d):
        work[j] = x[j]
    for k in range(ui.shape[0]):
        i = ui[k]
        j = uj[k]
        c = COMPLEX_H * max(1.0, abs(x[i]))
        if i == j:
            work[i] = complex(x[i] + h[i], c)
            fp = f(work, *args)
            work[i] = complex(x[i] - h[i], c)
            fm = f(work, *args)
        else:
            work[i] = complex(x[i], c)
            work[j] = x[j] + h[j]
            fp = f(work, *args)
            work[j] = x[j] - h[j]
            fm = f(work, *args)
        if not (fp - fp == 0) or not (fm - fm == 0):
            return 1
        work[i] = x[i]
        work[j] = x[j]
        out[k] = (fp.imag - fm.imag) / (2.0 * c * h[j])
    return 0


# name -> (point stencil, scratch dtype)
STENCILS = {
    "jac_groups": (jac_groups_point, np.float64),
    "jac_groups_complex": (jac_groups_complex_point, np.complex128),
    "hess_pattern": (hess_pattern_point, np.float64),
    "hess_pattern_complex": (hess_pattern_complex_point, np.complex128),
}


def _make_driver(point, work_dtype, f):
    def driver(X, H, idx, args, mode, out, status, bad, nchunks):
        n = X.shape[0]
        d = X.shape[1]
        for t in numba.prange(nchunks):
            lo = t * n // nchunks
            hi = (t + 1) * n // nchunks
            work = np.empty(d, dtype=work_dtype)
            for i in range(lo, hi):
                s = point(f, X[i], H[i], idx, args, mode, out[i], work)
                if s != 0:
                    status[i] = s
                    for k in range(d):
                        bad[i, k] = work[k].real
                    break

    return driver


_JIT_POINTS: dict = {}
_JIT_DRIVERS: OrderedDict = OrderedDict()  # (stencil, parallel, f) -> driver, least recent first
MAX_CACHED_DRIVERS = 64


def _jit_driver(name, parallel, f):
    return specialised_driver(STENCILS, _make_driver, _JIT_POINTS, _JIT_DRIVERS, MAX_CACHED_DRIVERS,
                              name, parallel, f)


def run_compiled(name, fn, X, H, idx, mode, out, evals_per_point):
    """Run stencil ``name`` with a numba ``fn`` at every row of ``X`` into ``out``.

    ``idx`` is the tuple of int64 index arrays the stencil reads.

    Returns ``(status, bad)``: per point 0 or 1, and the failing evaluation
    points of the rows whose status is 1.
    """
    n, d = X.shape
    status = np.zeros(n, dtype=np.int8)
    bad = np.empty((n, d))
    # no threads in a forked child: its OpenMP runtime is unusable (fastgrad._threads)
    parallel = (n > 1 and n * evals_per_point >= _config.PARALLEL_MIN_EVALS
                and not _threads.in_forked_child())
    threads = numba.get_num_threads() if parallel else 1
    parallel = parallel and threads > 1
    drv = _jit_driver(name, parallel, fn.func)
    try:
        if parallel:
            with _config.blas_single_threaded():
                drv(X, H, idx, fn.args, mode, out, status, bad, min(n, threads))
        else:
            drv(X, H, idx, fn.args, mode, out, status, bad, 1)
    except numba.core.errors.TypingError as exc:
        raise TypeError(fn.compile_error_message(STENCILS[name][1] is np.complex128, exc)) from None
    return status, bad


@numba.njit(cache=True, nogil=True)
def recover_columns(B, H, source, cols, div):
    """The Jacobian's CSR data from the compressed differences, for every point.

    ``B`` has shape (n, ncolours, m); entry ``q`` of the pattern, in column
    ``cols[q]``, is ``B[p].flat[source[q]] / (div * H[p, cols[q]])`` with
    ``source[q] = colour[cols[q]] * m + row[q]``.  One pass in CSR order.
    """
    n = B.shape[0]
    nnz = source.shape[0]
    out = np.empty((n, nnz))
    for p in range(n):
        flat = B[p].ravel()
        h = H[p]
        for q in range(nnz):
            out[p, q] = flat[source[q]] / (div * h[cols[q]])
    return out
