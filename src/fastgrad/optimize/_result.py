"""Results of :func:`fastgrad.minimize`: fields, history and status messages."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastgrad.optimize._loops.codes import BAD_GRAD, BAD_HESS, CALLBACK_STOP, CONVERGED, DIVERGED, LS_FAILED, MAX_ITER


@dataclass(frozen=True)
class History:
    """Per-iteration record of one minimisation (entry ``k`` is after ``k`` iterations).

    Attributes
    ----------
    fun : ndarray, shape (nit + 1,)
        Objective value.
    grad_norm : ndarray, shape (nit + 1,)
        Largest absolute gradient entry (the quantity compared with ``tol``).
    step_size : ndarray, shape (nit + 1,)
        Step taken to reach the iterate: the line-search step or the learning
        rate (0 for the start).
    """

    fun: np.ndarray
    grad_norm: np.ndarray
    step_size: np.ndarray

    def __len__(self):
        return len(self.fun)


class OptimizeResult(dict):
    """Outcome of a minimisation, with scipy-compatible fields.

    A dict whose keys are also attributes: ``x``, ``fun``, ``jac``, ``nit``,
    ``nfev``, ``njev``, ``nhev``, ``success``, ``status``, ``message``,
    ``method``, ``history`` (a :class:`History`, or None when not recorded)
    and, for Newton, ``hessian_modified`` (iterations whose Hessian was not
    positive definite and was shifted).

    ``status``: 0 converged, 1 ``max_iter`` reached, 2 diverged, 3 line
    search failed, 4 non-finite gradient, 5 stopped by the callback, 6
    unusable Hessian.  ``success`` is ``status == 0``.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return "OptimizeResult()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for k, v in self.items():
            if isinstance(v, History):
                v = f"History({len(v)} entries)"
            text = repr(v) if not isinstance(v, np.ndarray) else np.array2string(v, precision=6, threshold=10)
            lines.append(k.rjust(width) + ": " + text.replace("\n", "\n" + " " * (width + 2)))
        return "\n".join(lines)


class OptimizeResults(list):
    """One :class:`OptimizeResult` per start of a batched :func:`fastgrad.minimize`."""

    @property
    def best(self) -> OptimizeResult:
        """The result with the lowest objective among the successful ones
        (among all of them if none succeeded)."""
        pool = [r for r in self if r.success] or list(self)
        return min(pool, key=lambda r: r.fun if np.isfinite(r.fun) else np.inf)

    @property
    def x(self) -> np.ndarray:
        """Final points of all starts, shape ``(n, d)``."""
        return np.array([r.x for r in self])

    @property
    def fun(self) -> np.ndarray:
        """Final objective values of all starts, shape ``(n,)``."""
        return np.array([r.fun for r in self])

    @property
    def success(self) -> np.ndarray:
        return np.array([r.success for r in self])


def _divergence_advice(method, fixed_step, auto_step, bounded):
    """What to change after a divergence: only options that ``method`` accepts."""
    if method in ("momentum", "nesterov"):
        step = ("The automatic step (from the curvature at the start) was too long for the curvature met "
                "later: pass a smaller learning_rate" if auto_step else
                "Lower the learning rate, or leave learning_rate unset for a step estimated from the curvature")
        return f"{step}, or lower the momentum (e.g. momentum=0.5)."
    if method == "gd" and fixed_step:
        step = ("The automatic step (from the curvature at the start) was too long for the curvature met "
                "later: pass a smaller learning_rate" if auto_step else "Lower the learning rate")
        return f"{step}, or use a line search (line_search='backtracking')."
    advice = "The function may be unbounded below or undefined along the search direction; check fun (and jac)"
    if method in ("gd", "bfgs", "lbfgs") and not bounded:
        return advice + ", start closer to the minimum, or confine the search with bounds=."
    return advice + ", or start closer to the minimum."


def status_message(status, *, method, nit, max_iter, gnorm, tol, fixed_step, start_f, f, bounded=False,
                   auto_step=False):
    """A message for a loop status that says what happened and what to change."""
    norm = "projected gradient norm" if bounded else "gradient norm"
    if status == CONVERGED:
        return f"Optimization terminated successfully: {norm} {gnorm:.3g} <= tol={tol:g}."
    if status == MAX_ITER:
        hint = ("increase max_iter" + (" or the learning rate" if fixed_step else "")
                + ", or loosen tol")
        return (f"Maximum number of iterations reached (max_iter={max_iter}) before convergence: "
                f"{norm} {gnorm:.3g} > tol={tol:g}; {hint}.")
    if status == DIVERGED:
        what = ("became non-finite" if not np.isfinite(f) else
                f"exploded from {start_f:.3g} to {f:.3g}")
        return (f"Diverged after {nit} iterations: the objective {what}. "
                + _divergence_advice(method, fixed_step, auto_step, bounded))
    if status == LS_FAILED:
        return (f"Line search failed after {nit} iterations ({norm} {gnorm:.3g}, tol={tol:g}): "
                "no step decreases the objective enough. Usually a loss of precision near the "
                "minimum (loosen tol) or an inconsistent gradient (check jac with "
                "fastgrad.check_gradient).")
    if status == BAD_GRAD:
        return (f"The gradient became non-finite (nan or inf) after {nit} iterations; "
                + ("lower the learning rate, or " if fixed_step else "")
                + "check that fun and jac are defined around the iterates.")
    if status == CALLBACK_STOP:
        return f"Stopped by the callback after {nit} iterations."
    if status == BAD_HESS:
        return (f"The Hessian became non-finite or unusable after {nit} iterations; check hess "
                "(or fun, for finite-difference Hessians), or use method='bfgs'.")
    return f"Unknown status {status} (method={method!r})."  # pragma: no cover
