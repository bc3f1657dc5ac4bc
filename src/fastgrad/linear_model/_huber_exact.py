"""HuberRegressor when the data can be fitted exactly (the optimal scale is 0).

With at least as many free coefficients as (distinct) samples the residuals
can all be made zero, and the optimal Huber scale sigma is 0: on the
boundary of the domain sigma > 0, where the objective turns into
``2 eps sum_i s_i |r_i| + alpha ||w||^2`` -- not smooth -- and the loops
crawl towards the limit along paths that rounding decides (so weighted and
row-repeated data end at visibly different points). The limit itself is
known in closed form when it interpolates: the minimum-norm ``w`` among the
exact fits ``X w + c = y`` -- a set that repeating a row does not change,
so the answer is the same for weights and for repetitions, as scikit-learn's
sample-weight semantics require.

It is the minimiser exactly when the optimality (KKT) conditions hold at
``r = 0``: ``alpha w = eps X^T v`` with ``sum_i v_i = 0`` (intercept) and
``|v_i| <= s_i``. ``exact_fit_solution`` checks them and returns None when
they fail (then the loop's result stands).
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["exact_fit_solution"]

#: Largest ``n * p`` densified for the check: the case only arises for
#: n <= p + 1, so this bounds n, p to small problems.
MAX_DENSE_ENTRIES = 4_000_000
#: The final scale counts as "at the boundary" below this fraction of the
#: spread of y.
BOUNDARY_RTOL = 1e-6


def exact_fit_solution(X, y, sample_weight, alpha, epsilon, fit_intercept, sigma):
    """``(w, c)``: the exact interpolating minimiser, or None where it does not apply."""
    n, p = X.shape
    spread = float(np.max(np.abs(y - np.median(y)))) if n else 0.0
    if not (sigma <= BOUNDARY_RTOL * max(spread, 1e-300)) or n * p > MAX_DENSE_ENTRIES:
        return None
    keep = np.ones(n, dtype=bool) if sample_weight is None else np.asarray(sample_weight) > 0
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    A = X.toarray() if sp.issparse(X) else np.asarray(X)
    A = A[keep].astype(np.float64)
    b = np.asarray(y, dtype=np.float64)[keep]
    s = s[keep]
    if fit_intercept:
        Am, bm = A - A.mean(axis=0), b - b.mean()
    else:
        Am, bm = A, b
    w, *_ = np.linalg.lstsq(Am, bm, rcond=None)  # min-norm solution of the centred system
    c = float(np.mean(b - A @ w)) if fit_intercept else 0.0
    scale = max(float(np.max(np.abs(b))), 1.0)
    if np.max(np.abs(A @ w + c - b)) > 1e-9 * scale:
        return None  # not an exact fit: the data are not interpolable
    # KKT at r = 0: alpha w = eps A^T v, sum v = 0 (intercept), |v_i| <= s_i
    M = np.vstack([A.T, np.ones((1, A.shape[0]))]) if fit_intercept else A.T
    rhs = np.r_[alpha * w / epsilon, 0.0] if fit_intercept else alpha * w / epsilon
    v, *_ = np.linalg.lstsq(M, rhs, rcond=None)
    if np.max(np.abs(M @ v - rhs)) > 1e-9 * max(float(np.max(np.abs(rhs))), 1e-300) + 1e-15:
        return None
    if np.any(np.abs(v) > s * (1 + 1e-9)):
        return None
    return w, c
