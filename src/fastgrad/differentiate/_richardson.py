"""Richardson extrapolation of central-difference stencils.

A central stencil with step ``s*h`` has the error expansion
``D(s) = D + c1 s**2 + c2 s**4 + ...``.  Evaluating it for ``s = 1, 1/2, 1/4, ...``
and combining the values in a Neville tableau removes one more power of
``s**2`` per column.  Each level's error is estimated from the tableau itself
(how far the newest diagonal entry moved from its neighbours) plus a bound on
the rounding error, which *grows* as the step shrinks.  We keep, entry by entry,
the level with the smallest estimate, and stop adding levels as soon as every
entry has converged: its truncation estimate is below ``atol + rtol*|value|``,
or below the rounding floor (smaller steps could only make it worse).  The
rounding floor also makes exact zeros terminate.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._steps import EPS

RATIO = 2.0
RTOL = 1e-13
MIN_LEVELS = 3
MAX_LEVELS = 8
#: Safety factor on eps*|f|/h**order: it covers the rounding of f itself (a
#: few ulps) and the growth of that noise through the extrapolation weights.
ROUNDING_FACTOR = {1: 10.0, 2: 40.0}
#: Safety factor on the tableau differences: choosing the level with the
#: smallest estimate favours estimates that are small by chance.
TRUNCATION_SAFETY = 2.0


@dataclass
class Extrapolated:
    value: np.ndarray
    error: np.ndarray
    status: np.ndarray  # 0 converged (tolerance or rounding floor), 1 not converged
    levels: int


def extrapolate(run_at, denom, order, *, rtol=RTOL, atol=0.0) -> Extrapolated:
    """Extrapolate ``run_at(s) -> (values (n, ...), fscale (n,))`` to ``s -> 0``.

    ``denom`` (broadcastable to the values) is the product of the unscaled
    steps in each entry's divisor, and ``order`` its power of ``s``; together
    with ``fscale`` they give the rounding-error bound.

    Level ``j`` is judged once level ``j + 1`` exists, from three tableau
    differences: to the less extrapolated value of the same step, to the
    previous diagonal value, and to the next one.  An entry is finished when
    its truncation estimate meets ``atol + rtol*|value|`` or the rounding
    bound (status 0), or when the diagonal stops
    converging (the newest difference grew), which means rounding noise now
    dominates and smaller steps can only hurt.
    """
    prev = None
    diag, sub, rnd = [], [], []
    best = best_err = done = ok = None
    for k in range(MAX_LEVELS):
        s = RATIO ** -k
        D, fscale = run_at(s)
        row = [D]
        for m in range(1, k + 1):
            row.append(row[m - 1] + (row[m - 1] - prev[m - 1]) / (RATIO ** (2 * m) - 1.0))
        prev = row
        diag.append(row[k])
        sub.append(row[k - 1] if k else row[0])
        fs = fscale.reshape((-1,) + (1,) * (D.ndim - 1))
        rnd.append(ROUNDING_FACTOR[order] * EPS * fs / (denom * s**order))
        if k < 2:
            continue
        j = k - 1
        T = diag[j]
        back = np.maximum(np.abs(T - sub[j]), np.abs(T - diag[j - 1]))
        fwd = np.abs(diag[k] - T)
        trunc = TRUNCATION_SAFETY * np.maximum(back, fwd)
        err = trunc + rnd[j]
        # Converged: at tolerance, or down to the rounding floor (exact zeros).
        meets = trunc <= np.maximum(atol + rtol * np.abs(T), rnd[j])
        if best is None:
            best, best_err, ok = T.copy(), err, meets
            done = np.zeros(T.shape, dtype=bool)
        else:
            better = ~done & (err < best_err)
            best = np.where(better, T, best)
            best_err = np.where(better, err, best_err)
            ok = np.where(better, meets, ok)
        noisy = fwd > np.abs(T - diag[j - 1]) if j >= 2 else np.zeros(T.shape, dtype=bool)
        done = done | meets | noisy
        if done.all():
            break
    return Extrapolated(best, best_err, np.where(ok, 0, 1).astype(np.int8), k + 1)
