"""Status codes of the compiled solver loops, and what the estimators do with them.

Every loop in ``csrc/`` (full-batch, SGD, coordinate descent) returns one of
these codes together with the number of iterations it ran. The values are
part of the contract between the ``.pyx`` files and Python: each loop module
declares the same numbers in a ``cdef enum`` and the tests check they agree.
"""

import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = []

CONVERGED = 0  # the stopping rule was met
MAX_ITER = 1  # ran out of iterations first
NONFINITE = 2  # loss or gradient became NaN/inf: the run diverged
DIVERGED = 3  # loss grew far beyond its start (finite, but exploding)
STALLED = 4  # a line search could not decrease the loss any further

_NAMES = {
    CONVERGED: "converged",
    MAX_ITER: "max_iter",
    NONFINITE: "nonfinite",
    DIVERGED: "diverged",
    STALLED: "stalled",
}


class DivergenceError(ValueError, FloatingPointError):
    """A solver loop diverged (non-finite or exploding loss).

    Subclasses ``ValueError`` (what scikit-learn raises for a diverging SGD)
    and ``FloatingPointError``, so either ``except`` clause catches it.
    """


def status_name(status):
    """Readable name of a status code (for ``verbose`` output and messages)."""
    return _NAMES.get(int(status), f"unknown status {status}")


def check_status(estimator, status, n_iter, *, max_iter, solver, unit="iterations", hint=""):
    """Warn or raise for a loop's status code; silent when it converged.

    Parameters
    ----------
    estimator : object
        Only its class name is used, to say who failed.
    status : int
        One of the codes above.
    n_iter : int
        Iterations (or epochs) the loop ran.
    max_iter : int
        The limit it was given.
    solver : str
        Solver name, quoted in the message.
    unit : str
        "iterations" or "epochs".
    hint : str
        Extra advice for divergence, e.g. which parameter sets the step size.

    Raises
    ------
    DivergenceError
        For ``NONFINITE`` and ``DIVERGED``.
    """
    name = type(estimator).__name__
    status = int(status)
    if status == CONVERGED:
        return
    if status == MAX_ITER:
        warnings.warn(
            f"{name}(solver={solver!r}) did not converge in max_iter={max_iter} {unit}. "
            "Increase max_iter, loosen tol, or standardise the features "
            "(e.g. sklearn.preprocessing.StandardScaler) to speed up convergence.",
            ConvergenceWarning,
            stacklevel=3,
        )
        return
    if status == STALLED:
        warnings.warn(
            f"{name}(solver={solver!r}) stopped after {n_iter} {unit}: the line search "
            "could not decrease the objective further (it is flat to rounding error), "
            "before the tol criterion was met. The result is as accurate as the "
            "floating-point precision allows; loosen tol to silence this warning.",
            ConvergenceWarning,
            stacklevel=3,
        )
        return
    if status in (NONFINITE, DIVERGED):
        what = "became NaN or infinite" if status == NONFINITE else "grew without bound"
        advice = hint or "Lower the learning rate, or standardise the features."
        raise DivergenceError(
            f"{name}(solver={solver!r}) diverged: the loss {what} at {unit[:-1]} "
            f"{n_iter}. {advice}"
        )
    raise RuntimeError(f"{name}(solver={solver!r}): unknown solver status {status}")
