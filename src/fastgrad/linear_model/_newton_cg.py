"""Truncated Newton (Newton-CG) on a compiled GLM objective.

For a wide problem (large ``p``, typically sparse ``X``) Newton's dense
``p x p`` Hessian is out of reach, but its product with a vector is one
pass over ``X``: ``X^T D X v`` with the per-sample curvature ``D`` recorded
at the current point (``set_curvature_point``, one pass). Each outer
iteration solves the Newton system ``H d = -g`` approximately by conjugate
gradients -- to a relative residual ``min(0.5, sqrt(||g||))``, the forcing
term that makes the outer iteration superlinear -- then takes an Armijo
backtracking step along ``d``. The passes themselves are compiled and run
without the GIL; the loop here only does O(p) vector arithmetic per pass.

The stopping rule is the compiled loops' one (largest gradient entry of the
mean objective at most ``tol``) and the return value is ``run_solver``'s,
``(coef, status, n_iter, curve)``, so the estimators treat both alike.
"""

import numpy as np

from .._threads import blas_single_threaded
from ._status import CONVERGED, MAX_ITER, NONFINITE, STALLED

__all__ = ["newton_cg"]

#: Sufficient-decrease constant of the Armijo rule (as the compiled loops).
ARMIJO_C1 = 1e-4
#: Step halvings before the line search gives up (2^-60 ~ 1e-18).
MAX_HALVINGS = 60
#: CG iterations per Newton step: a cap, so a badly conditioned system
#: cannot spend hundreds of passes on one step (the outer loop corrects it).
MAX_CG = 200
#: A trial within this fraction of |f| above f is flat to rounding.
FLAT_RTOL = 1e-12
#: Newton steps in a row that did not lower f at all before STALLED.
FLAT_MAX = 5


def has_newton_cg(obj):
    """Whether ``obj`` offers the exact stored-curvature Hessian-vector product."""
    return hasattr(obj, "py_hess_vec_stored") and hasattr(obj, "set_curvature_point")


def _cg(hvp, g, rtol, max_iter, diag=None):
    """Approximate solution of ``H d = -g`` by (Jacobi-preconditioned) CG from d = 0.

    ``diag``: the Hessian's diagonal, or None for plain CG. Stops at
    relative residual ``rtol``, after ``max_iter`` products, or at a
    direction of non-positive curvature (then the iterate so far, or the
    steepest descent direction if there is none yet: still a descent
    direction). Returns ``(d, n_products)``.
    """
    if diag is not None:
        # columns of very different scales (TF-IDF: idf times frequency)
        # spread H's spectrum; scaling by the diagonal gathers it
        inv = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 1.0)
    d = np.zeros_like(g)
    r = -g
    z = r * inv if diag is not None else r
    q = z.copy()
    rz = float(r @ z)
    stop = (rtol ** 2) * float(r @ r)
    k = 0
    while k < max_iter:
        Hq = hvp(q)
        k += 1
        curv = float(q @ Hq)
        if not (curv > 0 and np.isfinite(curv)):
            if k == 1:
                d = -g.copy()
            break
        step = rz / curv
        d += step * q
        r -= step * Hq
        if float(r @ r) <= stop:
            break
        z = r * inv if diag is not None else r
        rz_new = float(r @ z)
        q = z + (rz_new / rz) * q
        rz = rz_new
    return d, k


def newton_cg(obj, coef0, max_iter, tol, verbose=0):
    """Minimise the compiled objective ``obj`` from ``coef0`` by Newton-CG.

    Parameters
    ----------
    obj : Objective
        A compiled objective with ``py_value_grad``, ``set_curvature_point``
        and ``py_hess_vec_stored`` (the sparse GLM objectives).
    coef0 : ndarray of shape (obj.n_coef,)
        Start point (not modified).
    max_iter : int
        Newton iterations (outer) allowed.
    tol : float
        Stop when ``max |grad| <= tol``.
    verbose : int
        Print the objective and gradient size per iteration.

    Returns
    -------
    coef, status, n_iter, curve
        As ``run_solver``: the point reached, a status code of
        ``fastgrad.linear_model._status``, the iterations run and the
        objective at the start and after every iteration.
    """
    # The vector products here are BLAS calls on p-long vectors; right after
    # an OpenMP pass, BLAS's own threads waking up against the pass's
    # spinning workers cost ~10 ms per dot product (measured), more than
    # the pass itself: one BLAS thread for the whole loop.
    with blas_single_threaded():
        return _newton_cg(obj, coef0, max_iter, tol, verbose)


def _newton_cg(obj, coef0, max_iter, tol, verbose):
    coef = np.array(coef0, dtype=np.float64, copy=True)
    f, g = obj.py_value_grad(coef)
    curve = [f]
    if not (np.isfinite(f) and np.all(np.isfinite(g))):
        return coef, NONFINITE, 0, np.asarray(curve)
    status, n_iter, flat = MAX_ITER, 0, 0
    precondition = hasattr(obj, "py_hess_diag_stored")
    while True:
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if gmax <= tol:
            status = CONVERGED
            break
        if n_iter >= max_iter:
            break
        gnorm = float(np.sqrt(g @ g))
        obj.set_curvature_point(coef)
        diag = obj.py_hess_diag_stored() if precondition else None
        d, n_cg = _cg(obj.py_hess_vec_stored, g, min(0.5, np.sqrt(gnorm)), MAX_CG, diag)
        slope = float(g @ d)
        if not slope < 0:  # rounding made d useless: fall back to steepest descent
            d, slope = -g, -float(g @ g)
        t, accepted = 1.0, False
        for _ in range(MAX_HALVINGS):
            trial = coef + t * d
            f_new, g_new = obj.py_value_grad(trial)
            if np.isfinite(f_new) and (
                f_new <= f + ARMIJO_C1 * t * slope or f_new <= f + FLAT_RTOL * abs(f)
            ):
                accepted = True
                break
            t *= 0.5
        n_iter += 1
        if not accepted:
            status = STALLED
            break
        flat = flat + 1 if f_new >= f else 0
        coef, f, g = trial, f_new, g_new
        curve.append(f)
        if not np.all(np.isfinite(g)):
            status = NONFINITE
            break
        if verbose:
            print(f"newton-cg iter {n_iter}: f={f:.12g} |g|max={gmax:.3e} cg={n_cg} step={t:g}")
        if flat >= FLAT_MAX:
            status = STALLED
            break
    return coef, status, n_iter, np.asarray(curve)
