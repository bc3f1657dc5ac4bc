"""Line searches along a descent direction, in numba-compilable Python.

All three share one signature so that a loop can be handed any of them:

``ls(vg, fun, jac, args, ip, fp, x, f0, g0, p, d0, alpha0, xnew, gnew, work, h)
-> (status, alpha, fnew, nfev, njev)``

``d0 = g0 . p < 0`` is the slope at ``alpha = 0`` and ``alpha0`` the first
trial step.  On success (status 0) ``xnew = x + alpha p`` and ``gnew`` holds
the gradient there.  Other statuses: ``LS_NO_STEP`` (no acceptable step in
``ip[IP_MAXLS]`` trials), ``LS_BAD_F`` (the objective became non-finite at a
step nothing could shrink: only the fixed step), ``LS_BAD_G`` (non-finite
gradient at the accepted point).
"""
from __future__ import annotations

from .codes import FP_C1, FP_C2, IP_MAXLS, LS_BAD_F, LS_BAD_G, LS_NO_STEP, LS_OK
from .vector import cubic_min, dot, step_to

#: values closer than this (relative to |f0|) are compared by slope in strong_wolfe
NOISE = 1e-12


def fixed_step(vg, fun, jac, args, ip, fp, x, f0, g0, p, d0, alpha0, xnew, gnew, work, h):
    """No search: take ``alpha0`` (the learning rate) as it is."""
    step_to(xnew, x, alpha0, p)
    f, st, nf, ng = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 1)
    if st == 1:
        return LS_BAD_F, alpha0, f, nf, ng
    if st == 2:
        return LS_BAD_G, alpha0, f, nf, ng
    return LS_OK, alpha0, f, nf, ng


def backtracking(vg, fun, jac, args, ip, fp, x, f0, g0, p, d0, alpha0, xnew, gnew, work, h):
    """Armijo backtracking: shrink until f(x + a p) <= f0 + c1 a d0.

    Values within rounding noise of f0 are judged by their slope, as in
    :func:`strong_wolfe`.  Each shrink minimises the quadratic through f0, d0 and the rejected value,
    kept within [0.1, 0.5] of the rejected step (a non-finite value halves it).
    """
    c1 = fp[FP_C1]
    noise = NOISE * abs(f0)
    alpha = alpha0
    nf = 0
    ng = 0
    f = f0
    for _ in range(ip[IP_MAXLS]):
        step_to(xnew, x, alpha, p)
        f, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 0)
        nf += a
        ng += b
        if st == 0 and f <= f0 + c1 * alpha * d0:
            _, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 2)
            nf += a
            ng += b
            return (LS_BAD_G if st != 0 else LS_OK), alpha, f, nf, ng
        if st == 0 and abs(f - f0) <= noise:
            # values within rounding noise: judge the step by its slope (see strong_wolfe)
            _, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 2)
            nf += a
            ng += b
            if st == 0 and dot(gnew, p) <= (2.0 * c1 - 1.0) * d0:
                return LS_OK, alpha, f, nf, ng
        shrink = 0.5
        if st == 0:
            den = 2.0 * (f - f0 - d0 * alpha)
            if den > 0.0:
                shrink = min(0.5, max(0.1, -d0 * alpha / den))
        alpha *= shrink
    return LS_NO_STEP, alpha, f0, nf, ng


def strong_wolfe(vg, fun, jac, args, ip, fp, x, f0, g0, p, d0, alpha0, xnew, gnew, work, h):
    """Step satisfying the strong Wolfe conditions (Nocedal & Wright, Alg. 3.5-3.6).

    sufficient decrease  f(a) <= f0 + c1 a d0   and   curvature  |f'(a)| <= c2 |d0|.
    A bracketing phase doubles the step until it brackets an acceptable one;
    the zoom phase then shrinks the bracket [lo, hi] with safeguarded cubic
    interpolation (bisection when the cubic is unusable).  A non-finite value
    is treated as "too far": it becomes the upper end of the bracket.

    Near a minimum the decrease c1 a d0 falls below the rounding error of f,
    and comparisons of values become coin flips.  Following Hager & Zhang's
    "approximate Wolfe" conditions, a value within ``NOISE * |f0|`` of f0
    counts as sufficient decrease when the slope says so instead,
    f'(a) <= (1 - 2 c1) |d0| (equivalent to Armijo for a quadratic), and such
    values are compared by slope rather than by value.
    """
    c1 = fp[FP_C1]
    c2 = fp[FP_C2]
    noise = NOISE * abs(f0)
    max_ls = ip[IP_MAXLS]
    nf = 0
    ng = 0
    f = f0
    a_prev = 0.0
    f_prev = f0
    d_prev = d0
    alpha = alpha0
    # ---- bracketing: lo is the best step so far, hi a step beyond the target
    lo = 0.0
    f_lo = f0
    d_lo = d0
    hi = alpha0
    f_hi = f0
    d_hi = d0
    hi_ok = False  # whether (f_hi, d_hi) are finite and usable for the cubic
    found = False
    trials = 0
    while trials < max_ls:
        trials += 1
        step_to(xnew, x, alpha, p)
        f, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 1)
        nf += a
        ng += b
        if st != 0:
            lo, f_lo, d_lo = a_prev, f_prev, d_prev
            hi, hi_ok = alpha, False
            break
        dn = dot(gnew, p)
        in_noise = abs(f - f0) <= noise
        decrease = f <= f0 + c1 * alpha * d0 or (in_noise and dn <= (2.0 * c1 - 1.0) * d0)
        if not decrease or (trials > 1 and f >= f_prev and not in_noise):
            lo, f_lo, d_lo = a_prev, f_prev, d_prev
            hi, f_hi, d_hi, hi_ok = alpha, f, dn, True
            break
        if abs(dn) <= -c2 * d0:
            found = True
            break
        if dn >= 0.0:
            lo, f_lo, d_lo = alpha, f, dn
            hi, f_hi, d_hi, hi_ok = a_prev, f_prev, d_prev, True
            break
        a_prev, f_prev, d_prev = alpha, f, dn
        alpha = 2.0 * alpha
    if found:
        return LS_OK, alpha, f, nf, ng
    # ---- zoom
    while trials < max_ls:
        trials += 1
        width = hi - lo
        trial = cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi) if hi_ok else lo + 0.5 * width
        # keep the trial well inside the bracket, else bisect
        left = min(lo, hi) + 0.1 * abs(width)
        right = max(lo, hi) - 0.1 * abs(width)
        if not (left <= trial <= right):
            trial = lo + 0.5 * width
        step_to(xnew, x, trial, p)
        f, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 1)
        nf += a
        ng += b
        if st != 0:
            hi, hi_ok = trial, False
            continue
        dn = dot(gnew, p)
        in_noise = abs(f - f0) <= noise and abs(f - f_lo) <= noise
        decrease = f <= f0 + c1 * trial * d0 or (in_noise and dn <= (2.0 * c1 - 1.0) * d0)
        if not decrease or (f >= f_lo and not in_noise):
            hi, f_hi, d_hi, hi_ok = trial, f, dn, True
        else:
            if abs(dn) <= -c2 * d0:
                return LS_OK, trial, f, nf, ng
            if dn * (hi - lo) >= 0.0:
                hi, f_hi, d_hi, hi_ok = lo, f_lo, d_lo, True
            lo, f_lo, d_lo = trial, f, dn
        if abs(hi - lo) <= 1e-16 * max(1.0, abs(lo)):
            break
    # No Wolfe point: accept the best decreasing step if there is one (the
    # caller still gets a descent step), otherwise report failure.
    if lo > 0.0 and f_lo <= f0 + c1 * lo * d0:
        step_to(xnew, x, lo, p)
        f, st, a, b = vg(fun, jac, args, xnew, gnew, work, h, ip, fp, 1)
        nf += a
        ng += b
        if st == 0:
            return LS_OK, lo, f, nf, ng
    return LS_NO_STEP, lo, f0, nf, ng
