"""Small numeric helpers shared by the optimisation loops.

These take only arrays and numbers (never a user function), so they are
jitted once, cached on disk, and called from both backends: from the
compiled loops (where LLVM inlines them) and from the very same loops run by
the interpreter.  Running the arithmetic through one compiled copy is what
makes the compiled and the plain-Python runs of a method produce the same
iterates bit for bit (given the same objective values).
"""
from __future__ import annotations

import numba
import numpy as np

from .codes import (BAD_GRAD, C_NFEV, C_NJEV, C_STATUS, DIVERGED, LS_BAD_F, LS_BAD_G, LS_FAILED,
                          VG_BAD_F)

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@_jit
def norm2(a):
    return np.sqrt(dot(a, a))


@_jit
def norm_inf(a):
    m = 0.0
    for i in range(a.shape[0]):
        v = abs(a[i])
        # NaN propagates: a non-finite gradient must never look converged
        if v > m or v != v:
            m = v
    return m


@_jit
def all_finite(a):
    for i in range(a.shape[0]):
        if not (a[i] - a[i] == 0):
            return False
    return True


@_jit
def copy_to(dst, src):
    for i in range(src.shape[0]):
        dst[i] = src[i]


@_jit
def step_to(out, x, alpha, p):
    """out = x + alpha * p."""
    for i in range(x.shape[0]):
        out[i] = x[i] + alpha * p[i]


@_jit
def neg_matvec(out, A, v):
    """out = -A @ v."""
    n = v.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A[i, j] * v[j]
        out[i] = -s


@_jit
def set_identity(A, scale):
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            A[i, j] = 0.0
        A[i, i] = scale


@_jit
def bfgs_inverse_update(Hm, s, y, hy):
    """Rank-two BFGS update of an inverse Hessian, in place, O(d**2).

    H+ = (I - r s y')H(I - r y s') + r s s' with r = 1/(y's) expands, for a
    symmetric H, to H - r (s (Hy)' + (Hy) s') + (r**2 y'Hy + r) s s'.
    Returns False (and leaves H alone) when y's is not safely positive: the
    update would destroy positive definiteness (only possible without a
    Wolfe line search).
    """
    ys = dot(y, s)
    if not (ys > 1e-14 * norm2(y) * norm2(s)):
        return False
    r = 1.0 / ys
    n = s.shape[0]
    for i in range(n):
        t = 0.0
        for j in range(n):
            t += Hm[i, j] * y[j]
        hy[i] = t
    c = r * r * dot(y, hy) + r
    for i in range(n):
        for j in range(n):
            Hm[i, j] += c * s[i] * s[j] - r * (s[i] * hy[j] + hy[i] * s[j])
    return True


@_jit
def two_loop(out, g, S, Y, rho, alph, newest, count):
    """out = -H g for the L-BFGS inverse Hessian of the stored pairs.

    ``S``/``Y`` hold up to ``m`` pairs in a ring buffer whose latest entry is
    ``newest``; ``count`` pairs are valid.  The initial matrix is
    gamma * I with gamma = s'y / y'y of the latest pair (Nocedal & Wright 7.20).
    """
    m = S.shape[0]
    n = g.shape[0]
    for i in range(n):
        out[i] = -g[i]
    k = newest
    for _ in range(count):
        a = rho[k] * dot(S[k], out)
        alph[k] = a
        for i in range(n):
            out[i] -= a * Y[k, i]
        k = (k - 1) % m
    if count > 0:
        gamma = dot(S[newest], Y[newest]) / dot(Y[newest], Y[newest])
        for i in range(n):
            out[i] *= gamma
    k = (newest - count + 1) % m
    for _ in range(count):
        b = rho[k] * dot(Y[k], out)
        for i in range(n):
            out[i] += (alph[k] - b) * S[k, i]
        k = (k + 1) % m


@_jit
def _cholesky(A, L):
    """Lower Cholesky factor of A into L; False if A is not positive definite."""
    n = A.shape[0]
    for j in range(n):
        s = A[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if not (s > 0.0):
            return False
        ljj = np.sqrt(s)
        L[j, j] = ljj
        for i in range(j + 1, n):
            t = A[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / ljj
        for i in range(j):
            L[i, j] = 0.0
    return True


@_jit
def newton_direction(Hm, g, p, L, A):
    """Solve (H + tau I) p = -g with the smallest tau in a doubling sequence
    that makes the matrix positive definite (Nocedal & Wright, Algorithm 3.3:
    Cholesky with added multiple of the identity).  Returns tau (0.0 when
    H itself was positive definite), or -1.0 if no shift worked (H not finite).
    """
    n = g.shape[0]
    beta = 1e-3 * max(1.0, norm_inf_matrix(Hm))
    dmin = Hm[0, 0]
    for i in range(n):
        dmin = min(dmin, Hm[i, i])
    tau = 0.0 if dmin > 0.0 else beta - dmin
    for _ in range(80):
        for i in range(n):
            for j in range(n):
                A[i, j] = Hm[i, j]
            A[i, i] += tau
        if _cholesky(A, L):
            # forward then back substitution: L z = -g, L' p = z
            for i in range(n):
                t = -g[i]
                for k in range(i):
                    t -= L[i, k] * p[k]
                p[i] = t / L[i, i]
            for i in range(n - 1, -1, -1):
                t = p[i]
                for k in range(i + 1, n):
                    t -= L[k, i] * p[k]
                p[i] = t / L[i, i]
            return tau
        tau = max(2.0 * tau, beta)
    return -1.0


@_jit
def norm_inf_matrix(A):
    m = 0.0
    for i in range(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += abs(A[i, j])
        m = max(m, s)
    return m


@_jit
def cubic_min(a, fa, da, b, fb, db):
    """Minimiser of the cubic through (a, fa, fa') and (b, fb, fb'), or NaN."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if not (disc >= 0.0):
        return np.nan
    d2 = np.sqrt(disc)
    if b < a:
        d2 = -d2
    den = db - da + 2.0 * d2
    if den == 0.0:
        return np.nan
    return b - (b - a) * (db + d2 - d1) / den


@_jit
def record(hist, k, f, gnorm, alpha):
    if k < hist.shape[0]:
        hist[k, 0] = f
        hist[k, 1] = gnorm
        hist[k, 2] = alpha


@_jit
def exploded(f, f_start, factor):
    """Whether an objective value means divergence: NaN/inf, or a rise of
    more than ``factor`` times max(1, |f_start|) above the starting value."""
    if not (f - f == 0):
        return True
    return f > f_start + factor * max(1.0, abs(f_start))


@_jit
def begin(f, st, nf, ng, g, hist, counts):
    """Book the first evaluation at the start point.

    Returns ``(ok, |g|_inf)``; when the start is not usable (non-finite value
    or gradient) the status is already stored in ``counts`` and ok is False.
    """
    counts[C_NFEV] += nf
    counts[C_NJEV] += ng
    if st != 0:
        counts[C_STATUS] = DIVERGED if st == VG_BAD_F else BAD_GRAD
        return False, 0.0
    gnorm = norm_inf(g)
    record(hist, 0, f, gnorm, 0.0)
    return True, gnorm


@_jit
def accept(x, xn, g, gn, hist, k, f, alpha, f_start, explode):
    """Make the trial point (xn, gn) iterate ``k`` with value ``f``.

    Copies it in, records the history row and returns ``(|g|_inf, diverged)``:
    the bookkeeping every loop does after an accepted step.
    """
    copy_to(x, xn)
    copy_to(g, gn)
    gnorm = norm_inf(g)
    record(hist, k, f, gnorm, alpha)
    return gnorm, exploded(f, f_start, explode)


@_jit
def initial_step(f, f_old, d0):
    """First trial step of a line search (Nocedal & Wright eq. 3.60, as in
    scipy): assume the decrease will match the previous one, capped at 1."""
    a = 1.01 * 2.0 * (f - f_old) / d0
    if not (a > 0.0):
        return 1.0
    return min(1.0, a)


@_jit
def ls_status(s):
    """Loop status for a failed line search."""
    if s == LS_BAD_F:
        return DIVERGED
    if s == LS_BAD_G:
        return BAD_GRAD
    return LS_FAILED


@_jit
def fd_steps(x, h, c):
    """Steps c * max(1, |x_i|) (DESIGN.md section 3), rounded so that x + h is exact."""
    for i in range(x.shape[0]):
        hi = c * max(1.0, abs(x[i]))
        h[i] = (x[i] + hi) - x[i]


@_jit
def auto_step_scale(L, factor):
    """Learning-rate multiplier ``factor / L`` from a curvature estimate ``L``
    (``0.01``, the former default step, when the estimate is unusable)."""
    if L > 0.0 and L - L == 0.0:
        return factor / L
    return 0.01


#: halvings of an automatic step before the loop reports divergence
MAX_HALVINGS = 30


@_jit
def guard_auto_step(x, g, v, xb, gb, f, fb, f_start, diverged):
    """Safeguard of an automatic (estimated) fixed step: returns ``(f, fb, halve)``.

    A curvature estimate at the start can be too low for regions met later
    (Rosenbrock's valley is five times stiffer than its origin).  When the
    objective rises above its starting value (or diverges), the loop goes
    back to the best iterate so far (``xb``, ``gb``, ``fb``), drops the
    velocity ``v`` and halves its step (``halve``); otherwise a new best
    iterate is remembered.
    """
    if diverged or not (f <= f_start):
        copy_to(x, xb)
        copy_to(g, gb)
        for i in range(v.shape[0]):
            v[i] = 0.0
        return fb, fb, True
    if f < fb:
        copy_to(xb, x)
        copy_to(gb, g)
        return f, f, False
    return f, fb, False
