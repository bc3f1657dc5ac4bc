"""The evaluation bound of a finite-difference derivative, as a yardstick.

A central gradient needs 2d evaluations of ``f`` per point, a central Hessian
d*d + d + 1, a central Hessian-vector product (the cross stencil) 4d: no
implementation of the same stencil can take less time than those
evaluations alone.
:func:`bare_evaluations` performs exactly that many evaluations, each at a
point that differs from ``x`` in one coordinate (so ``f`` cannot be hoisted
or cached), with the same parallel layout as fastgrad's batch drivers (one
chunk of points per thread).  Its time divided by fastgrad's is the fraction
of the bound a derivative call reaches (1.0 = nothing but evaluations).
"""
from __future__ import annotations

import numba
import numpy as np

#: evaluations per point of each central stencil, for a point of dimension d
EVALS = {
    "gradient": lambda d: 2 * d,
    "hessian": lambda d: d * d + d + 1,
    "hvp": lambda d: 4 * d,
}


@numba.njit(parallel=True, nogil=True, cache=True)
def _evaluate(f, X, m, nchunks):
    n, d = X.shape
    out = np.zeros(n)
    for c in numba.prange(nchunks):
        lo = c * n // nchunks
        hi = (c + 1) * n // nchunks
        work = np.empty(d)
        for i in range(lo, hi):
            for j in range(d):
                work[j] = X[i, j]
            s = 0.0
            for k in range(m):
                j = k % d
                work[j] = X[i, j] + 1e-6
                s += f(work)
                work[j] = X[i, j]
            out[i] = s
    return out


def bare_evaluations(f, X, kind):
    """Evaluate jitted ``f`` as often as the central ``kind`` stencil does at every row of ``X``."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    m = EVALS[kind](X.shape[1])
    nchunks = min(X.shape[0], numba.get_num_threads())
    return _evaluate(f, X, m, nchunks)
