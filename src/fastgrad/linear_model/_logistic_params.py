"""LogisticRegression's parameters: scikit-learn's solver names, penalty rules and messages.

scikit-learn 1.9 names its solvers after the libraries behind them
(``"lbfgs"``, ``"liblinear"``, ``"newton-cg"``, ``"newton-cholesky"``,
``"sag"``, ``"saga"``); fastgrad runs its own compiled loops. This module
maps each scikit-learn name to the fastgrad engine that reaches the same
optimum fastest, applies scikit-learn's penalty/solver compatibility rules
(with its error texts, which user code and scikit-learn's tests match on),
resolves the deprecated ``penalty`` into ``(C, l1_ratio)`` with scikit-learn's
warnings, and words the ConvergenceWarning the way scikit-learn's solver of
that name does.
"""

import warnings
from contextlib import contextmanager

import numpy as np

from sklearn.exceptions import ConvergenceWarning

from ._glm_solve import GLM_SOLVERS

__all__ = []

#: scikit-learn's solver names.
SKLEARN_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")
#: Every name LogisticRegression accepts: scikit-learn's plus fastgrad's own loops.
ALL_SOLVERS = tuple(dict.fromkeys(SKLEARN_SOLVERS + GLM_SOLVERS))

#: Engine for a scikit-learn name, without / with an L1 part. scikit-learn's
#: model results either way (same objective; liblinear's penalised intercept
#: is handled by the caller); the engine only decides how fast it is reached.
#: "auto" is L-BFGS switching to Newton (smooth case), FISTA with an L1 part.
SOLVER_ENGINES = {
    "lbfgs": ("lbfgs", None),
    # truncated Newton: exact Newton on dense X, Hessian-vector CG on sparse X with many columns
    "newton-cg": ("newton-cg", None),
    "newton-cholesky": ("newton", None),
    # sag/saga are stochastic-average solvers for large n; the compiled full
    # passes with L-BFGS/Newton reach the optimum in fewer passes over X
    "sag": ("auto", None),
    "saga": ("auto", "fista"),
    "liblinear": ("auto", "fista"),
}

#: Solvers that scikit-learn lets fit an L1 or elastic-net penalty (and fastgrad's proximal ones).
_L1_SKLEARN = ("liblinear", "saga")
_L1_FASTGRAD = ("auto", "gd", "nesterov", "fista", "sgd")


def engine(solver, l1):
    """The fastgrad loop (a ``GLM_SOLVERS`` name) that runs ``solver``."""
    if solver in SOLVER_ENGINES:
        smooth, prox = SOLVER_ENGINES[solver]
        return prox if l1 and prox is not None else smooth
    return solver


#: How much tighter than the user's ``tol`` the engine runs, for scikit-learn's
#: names other than "lbfgs" (whose rule, the largest gradient entry of the
#: mean objective, is fastgrad's). liblinear's relative-gradient rule,
#: Newton's decrement and sag/saga's relative weight change end much closer
#: to the optimum at the same ``tol`` (liblinear at 1e-4 agrees with the
#: exact solution to ~5e-6, fastgrad's rule only to ~5e-4; saga's elastic net
#: at 1e-3 to ~2e-5 in log-loss, FISTA at tol/10 only to ~1e-4). Newton and
#: L-BFGS get there in one or two more iterations; FISTA needs more.
TOL_FACTOR = 1e-2


def engine_tol(solver, tol, l1):
    """The engine's stopping tolerance for the user's ``solver`` and ``tol``."""
    if solver not in SKLEARN_SOLVERS or solver == "lbfgs":
        return tol
    return tol * TOL_FACTOR


def resolve_penalty(est):
    """scikit-learn's effective penalty name and ``(C, l1_ratio)``, with its warnings.

    Returns ``(penalty, C, l1_ratio)``: ``penalty`` in {"l2", "l1",
    "elasticnet", None} as scikit-learn's rules see it, ``C = inf`` for no
    penalty.
    """
    ratio = est.l1_ratio
    if est.penalty == "deprecated":
        if ratio is None or ratio == 0:
            penalty = "l2"
            if ratio is None:
                warnings.warn(
                    "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                    "in 1.10. Use 0<=l1_ratio<=1 instead.",
                    FutureWarning,
                    stacklevel=3,
                )
        elif ratio == 1:
            penalty = "l1"
        else:
            penalty = "elasticnet"
        if est.C == np.inf:
            penalty = None
    else:
        penalty = est.penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
            "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or 'C' "
            "instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
            "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
            "penalty='elasticnet', and C=np.inf instead of penalty=None.",
            FutureWarning,
            stacklevel=3,
        )
    check_solver(est.solver, penalty, est.dual)
    if penalty != "elasticnet" and ratio is not None and 0 < ratio < 1:
        warnings.warn(
            f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got (penalty={penalty})",
            UserWarning,
            stacklevel=3,
        )
    if (est.penalty == "l2" and ratio != 0) or (est.penalty == "l1" and ratio != 1):
        warnings.warn(
            f"Inconsistent values: penalty={est.penalty} with l1_ratio={ratio}. penalty is "
            "deprecated. Please use l1_ratio only.",
            UserWarning,
            stacklevel=3,
        )
    if penalty == "elasticnet" and ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    C = float(est.C)
    if est.penalty is None:
        if est.C != 1.0:
            warnings.warn(
                "Setting penalty=None will ignore the C and l1_ratio parameters",
                UserWarning,
                stacklevel=3,
            )
        return None, np.inf, 0.0
    if penalty is None:
        return None, np.inf, 0.0
    # The penalty name decides the mix; l1_ratio only counts for the elastic net
    ratio = {"l2": 0.0, "l1": 1.0}.get(penalty, ratio)
    return penalty, C, float(ratio)


def check_solver(solver, penalty, dual):
    """scikit-learn's penalty/solver/dual rules, with its texts; fastgrad's loops beside them."""
    if solver not in SKLEARN_SOLVERS:
        # fastgrad's own loops: an L1 part needs a proximal one
        if penalty in ("l1", "elasticnet") and solver not in _L1_FASTGRAD:
            raise ValueError(
                f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty. "
                f"Use one of {_L1_FASTGRAD + _L1_SKLEARN}, or set l1_ratio=0."
            )
        if dual:
            raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
        return
    if solver not in _L1_SKLEARN and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty."
        )
    if solver != "liblinear" and dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if penalty == "elasticnet" and solver != "saga":
        raise ValueError(
            f"Only 'saga' solver supports elasticnet penalty, got solver={solver}."
        )
    if solver == "liblinear" and penalty is None:
        raise ValueError(
            "C=np.inf as well as penalty=None is not supported for the liblinear solver"
        )


def convergence_message(solver, n_iter, max_iter, loss=None):
    """The ConvergenceWarning text, worded as scikit-learn's solver of that name words it
    (user code filters warnings by these phrases)."""
    advice = (
        "Increase the number of iterations (max_iter) or scale the data as shown in: "
        "https://scikit-learn.org/stable/modules/preprocessing.html"
    )
    if solver == "lbfgs":
        # scipy's L-BFGS status and message for an exhausted budget, as scikit-learn relays them
        return (
            f"lbfgs failed to converge after {n_iter} iteration(s) (status=1):\n"
            "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT\n\n"
            f"Increase the number of iterations to improve the convergence (max_iter={max_iter}).\n"
            "You might also want to scale the data as shown in:\n"
            "    https://scikit-learn.org/stable/modules/preprocessing.html\n"
            "Please also refer to the documentation for alternative solver options:\n"
            "    https://scikit-learn.org/stable/modules/linear_model.html#logistic-regression"
        )
    if solver == "newton-cg" and loss is not None:
        # (scikit-learn's newton-cg objective is the mean form, fastgrad's too)
        return f"newton-cg failed to converge at loss = {loss}. Increase the number of iterations."
    if solver == "newton-cg":
        return f"newton-cg failed to converge at max_iter={max_iter}. Increase the number of iterations."
    if solver == "newton-cholesky":
        return (
            f"Newton solver did not converge after {n_iter} iterations. {advice}"
        )
    if solver == "liblinear":
        return "Liblinear failed to converge, increase the number of iterations."
    if solver in ("sag", "saga"):
        return "The max_iter was reached which means the coef_ did not converge"
    return (
        f"LogisticRegression(solver={solver!r}) did not converge in max_iter={max_iter} "
        f"iterations. {advice}"
    )


@contextmanager
def sklearn_convergence_text(solver, max_iter):
    """Re-word the compiled loops' ConvergenceWarning as scikit-learn's ``solver`` words it.

    Yields a dict in which the caller may leave the final objective
    (``"loss"``), which scikit-learn's newton-cg message quotes.
    """
    final = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield final
    for w in caught:
        message = w.message
        if issubclass(w.category, ConvergenceWarning):
            message = convergence_message(solver, max_iter, max_iter, final.get("loss"))
        warnings.warn_explicit(message, w.category, w.filename, w.lineno)
