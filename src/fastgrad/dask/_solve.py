"""The solvers of a distributed GLM fit, running on the client on d-sized vectors.

``DistributedObjective`` turns one round of per-chunk tasks into the full
objective of the in-memory estimators (the mean form: sums divided by the
total weight, plus the L2 penalty), with its gradient and -- when asked --
its Hessian. The solvers see nothing else:

* ``newton``: Newton's method with an Armijo line search. The loss,
  gradient *and* Hessian at a trial point come from the same round, so an
  accepted step (the rule near the optimum) costs exactly one round; a
  rejected one costs another round at half the step. Converges in a few
  rounds, which is what matters when a round is a network round trip.
* ``lbfgs``: scipy's L-BFGS-B (bounds for Huber's scale), one round per
  function evaluation, no Hessian. For many coefficients, where the d x d
  Hessian partials would cost more than they save.

Both stop when the largest gradient entry of the mean objective is at most
``tol`` -- the in-memory loops' rule -- so the two fits agree.
"""

import warnings

import numpy as np
import scipy.linalg
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from ._partials import add, glm_partial

__all__ = []

#: solver="auto" uses Newton up to this many coefficients (the Hessian
#: partials are n_coef^2 floats per chunk; beyond, L-BFGS).
NEWTON_MAX_COEF = 500
_ARMIJO_C1 = 1e-4
# a trial within this fraction of |f| above the Armijo line counts as flat
# (sums over millions of rows are rounded to ~1e-13 relative)
_FLAT_RTOL = 1e-12
_MAX_HALVINGS = 40
_SHIFT0 = 1e-8


class DistributedObjective:
    """``f, grad[, H]`` of the full mean-form objective at ``coef``, one round each."""

    def __init__(self, runner, handles, spec, total_weight, l2, n_penalized):
        self.runner, self.handles, self.spec = runner, handles, spec
        self.total, self.l2, self.n_pen = float(total_weight), float(l2), int(n_penalized)
        self.n_coef = spec.n_coef

    def __call__(self, coef, hessian=False):
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        k = self.n_coef
        out = self.runner.map_reduce(glm_partial, self.handles, (coef, self.spec, hessian), add)
        w = coef[: self.n_pen]
        f = out[0] / self.total + 0.5 * self.l2 * float(w @ w) if self.l2 else out[0] / self.total
        g = out[1:1 + k] / self.total
        g[: self.n_pen] += self.l2 * w
        if not hessian:
            return f, g, None
        H = out[1 + k:].reshape(k, k) / self.total
        H[np.arange(self.n_pen), np.arange(self.n_pen)] += self.l2
        return f, g, H


def _newton_direction(H, g):
    """``-H^{-1} g`` by Cholesky, shifting a (numerically) singular ``H``."""
    if not np.all(np.isfinite(H)):
        return None
    shift, top = 0.0, max(float(np.max(np.abs(np.diag(H)))), 1e-300)
    for _ in range(12):
        try:
            c = scipy.linalg.cho_factor(H + shift * np.eye(len(g)), lower=True, check_finite=False)
            d = -scipy.linalg.cho_solve(c, g, check_finite=False)
            if np.all(np.isfinite(d)):
                return d
        except np.linalg.LinAlgError:
            pass
        shift = _SHIFT0 * top if shift == 0.0 else 10.0 * shift
    return None


def newton(fun, coef0, max_iter, tol, verbose=0):
    """Minimise ``fun``; returns ``(coef, n_iter, curve, converged)``."""
    coef = np.array(coef0, dtype=np.float64)
    f, g, H = fun(coef, hessian=True)
    curve = [f]
    n_iter = 0
    while n_iter < max_iter:
        if np.max(np.abs(g)) <= tol:
            return coef, n_iter, np.array(curve), True
        d = _newton_direction(H, g)
        if d is None or not np.isfinite(f):
            break
        slope = float(g @ d)
        if slope >= 0:  # not a descent direction (Hessian rounding): steepest descent
            d, slope = -g, -float(g @ g)
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            trial = coef + t * d
            f_new, g_new, H_new = fun(trial, hessian=True)
            if np.isfinite(f_new) and f_new <= f + _ARMIJO_C1 * t * slope + _FLAT_RTOL * abs(f):
                break
            t *= 0.5
        else:
            break  # no step lowers f any more: rounding has the last word
        n_iter += 1
        stalled = f_new >= f
        coef, f, g, H = trial, f_new, g_new, H_new
        curve.append(f)
        if verbose:
            print(f"[fastgrad.dask newton] iter {n_iter}: f = {f:.12g}, |g|max = {np.max(np.abs(g)):.3e}")
        if stalled and np.max(np.abs(g)) > tol:
            break
    return coef, n_iter, np.array(curve), bool(np.max(np.abs(g)) <= tol)


def lbfgs(fun, coef0, max_iter, tol, bounds=None, verbose=0):
    """Minimise ``fun`` with scipy's L-BFGS-B; returns ``(coef, n_iter, curve, converged)``."""
    curve = []

    def value_grad(c):
        f, g, _ = fun(c)
        return f, g

    def record(intermediate_result):
        curve.append(float(intermediate_result.fun))
        if verbose:
            print(f"[fastgrad.dask lbfgs] iter {len(curve)}: f = {curve[-1]:.12g}")

    f0, _ = value_grad(coef0)
    res = scipy.optimize.minimize(
        value_grad, np.asarray(coef0, dtype=np.float64), jac=True, method="L-BFGS-B",
        bounds=bounds, callback=record,
        # stop on the gradient rule only (ftol=0); maxls as scipy's default
        options={"maxiter": int(max_iter), "gtol": float(tol), "ftol": 0.0, "maxcor": 10},
    )
    converged = res.status == 0 or np.max(np.abs(res.jac)) <= tol
    return res.x, int(res.nit), np.array([f0] + curve), bool(converged)


def run(fun, coef0, solver, max_iter, tol, name, bounds=None, verbose=0):
    """The chosen solver on ``fun``; warns ConvergenceWarning when it ran out of iterations."""
    if max_iter == 0:
        warnings.warn(f"{name} did not run any iteration (max_iter=0).", ConvergenceWarning,
                      stacklevel=3)
        f, _, _ = fun(coef0)
        return np.asarray(coef0, float), 0, np.array([f]), False
    if solver == "newton":
        coef, n_iter, curve, ok = newton(fun, coef0, max_iter, tol, verbose)
    else:
        coef, n_iter, curve, ok = lbfgs(fun, coef0, max_iter, tol, bounds, verbose)
    if not np.all(np.isfinite(coef)) or not np.isfinite(curve[-1]):
        raise ValueError(
            f"{name}: the fit on the Dask data produced non-finite values (the objective "
            "overflowed). Standardise the features (e.g. dask_ml.preprocessing.StandardScaler)."
        )
    if not ok and n_iter >= max_iter:
        warnings.warn(
            f"{name} ({solver} on the Dask chunks) did not converge in max_iter={max_iter} "
            f"iterations; increase max_iter or scale the data.", ConvergenceWarning, stacklevel=3,
        )
    return coef, n_iter, curve, ok
