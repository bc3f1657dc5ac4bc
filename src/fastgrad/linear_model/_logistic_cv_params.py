"""LogisticRegressionCV's parameters: scikit-learn 1.9's deprecations, the grids, the scorer.

scikit-learn 1.9 is half-way through three transitions for
``LogisticRegressionCV`` (``l1_ratios`` defaulting to ``(0.0,)``, ``penalty``
going away, ``scoring`` defaulting to ``"neg_log_loss"``, and the simplified
fitted attributes of ``use_legacy_attributes=False``). This module resolves
the user's parameters the way scikit-learn does, with its warnings (user
code filters them by their opening words), and checks the grids that
scikit-learn leaves unchecked (empty or non-positive ``Cs``) with messages
that say what to pass instead.
"""

import inspect
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import get_scorer, make_scorer

from ._logistic_params import check_solver

__all__ = []

#: scikit-learn's grid for an integer ``Cs``: that many values log-spaced in [1e-4, 1e4].
CS_RANGE = (-4, 4)


@dataclass
class CVSettings:
    """What ``fit`` needs after the parameters are resolved."""

    penalty: str
    l1_ratios: list          # the grid that is searched ([None] when not given)
    l1_ratios_given: bool    # False: l1_ratios=None, the l1_ratio axis is dropped
    scoring: object          # the user's scoring, None for accuracy
    legacy: bool             # use_legacy_attributes


def resolve_settings(est):
    """Resolve ``penalty``, ``l1_ratios``, ``scoring`` and ``use_legacy_attributes``.

    Emits scikit-learn 1.9's FutureWarnings and UserWarnings with its texts,
    in its order, and raises its errors for incompatible penalty / solver
    pairs and bad ``l1_ratios``.
    """
    name = type(est).__name__
    if isinstance(est.l1_ratios, str) and est.l1_ratios == "warn":
        l1_ratios = None
        warnings.warn(
            "The default value for l1_ratios will change from None to (0.0,) in version "
            "1.10. From version 1.10 onwards, only array-like with values in [0, 1] will be "
            "allowed, None will be forbidden. To avoid this warning, explicitly set a value, "
            "e.g. l1_ratios=(0,).",
            FutureWarning,
            stacklevel=3,
        )
    else:
        l1_ratios = est.l1_ratios

    if est.penalty == "deprecated":
        if est.l1_ratios is None:
            warnings.warn(
                "'l1_ratios=None' was deprecated in version 1.8 and will trigger an error in "
                "1.10. Use an array-like with values in [0, 1] instead.",
                FutureWarning,
                stacklevel=3,
            )
        ratios = _ratio_array(l1_ratios) if l1_ratios is not None else None
        if ratios is None or np.all(ratios == 0):
            penalty = "l2"
        elif np.all(ratios == 1):
            penalty = "l1"
        else:
            penalty = "elasticnet"
    else:
        penalty = est.penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
            "this warning, leave 'penalty' set to its default value and use 'l1_ratios' and "
            "'Cs' instead. Use l1_ratios=(0,) instead of penalty='l2', l1_ratios=(1,) instead "
            "of penalty='l1', l1_ratios set to floats between 0 and 1 instead of "
            "penalty='elasticnet', and Cs=(np.inf,) instead of penalty=None.",
            FutureWarning,
            stacklevel=3,
        )

    if est.scoring == "warn":
        warnings.warn(
            "The default value of the parameter 'scoring' will change from None, i.e. "
            "accuracy, to 'neg_log_loss' in version 1.11. To silence this warning, explicitly "
            "set the scoring parameter: scoring='neg_log_loss' for the new, scoring='accuracy' "
            "or scoring=None for the old default.",
            FutureWarning,
            stacklevel=3,
        )
        scoring = None
    else:
        scoring = est.scoring

    if est.use_legacy_attributes == "warn":
        warnings.warn(
            f"The fitted attributes of {name} will be simplified in scikit-learn 1.10 to "
            "remove redundancy. Set `use_legacy_attributes=False` to enable the new behavior "
            "now, or set it to `True` to silence this warning during the transition period "
            "while keeping the deprecated behavior for the time being. The default value of "
            f"use_legacy_attributes will change from True to False in scikit-learn 1.10. See "
            f"the docstring of {name} for more details.",
            FutureWarning,
            stacklevel=3,
        )
        legacy = True
    else:
        legacy = bool(est.use_legacy_attributes)

    if l1_ratios is not None:
        # every l1_ratio must be a number in [0, 1] (scikit-learn only checks
        # this for the elastic net, after the solver; a bad value is an error
        # whatever the penalty, reported before the solver's rule it implies)
        if (
            len(l1_ratios) == 0
            or any(not isinstance(r, numbers.Number) or not 0 <= r <= 1
                   for r in l1_ratios)
        ):
            raise ValueError(
                "l1_ratios must be an array-like of numbers between 0 and 1; got "
                f"(l1_ratios={l1_ratios!r}). Pass e.g. l1_ratios=(0.0,) for an L2 penalty, "
                "(1.0,) for L1, or several values in [0, 1] for the elastic net."
            )
    check_solver(est.solver, penalty, est.dual)

    if penalty == "elasticnet":
        if l1_ratios is None:
            raise ValueError(
                "l1_ratios must be an array-like of numbers between 0 and 1; got "
                "(l1_ratios=None). penalty='elasticnet' needs the l1_ratios to search."
            )
        grid = [float(r) for r in l1_ratios]
    else:
        if l1_ratios is not None and est.penalty != "deprecated":
            warnings.warn(
                f"l1_ratios parameter is only used when penalty is 'elasticnet'. Got "
                f"(penalty={penalty})",
                UserWarning,
                stacklevel=3,
            )
        grid = [None] if l1_ratios is None else [float(r) for r in l1_ratios]
    return CVSettings(penalty, grid, l1_ratios is not None, scoring, legacy)


def _ratio_array(l1_ratios):
    try:
        return np.asarray(l1_ratios, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "l1_ratios must be an array-like of numbers between 0 and 1; got "
            f"(l1_ratios={l1_ratios!r})."
        ) from None


def effective_ratio(penalty, l1_ratio):
    """The L1 share of the penalty fitted for one grid value (None: the penalty's own)."""
    if penalty == "l1":
        return 1.0
    if penalty == "l2":
        return 0.0
    return float(l1_ratio)


def check_cs(Cs):
    """The grid of ``C`` as a float array, in the user's order (scikit-learn keeps it)."""
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        return np.logspace(*CS_RANGE, int(Cs))
    try:
        grid = np.asarray(Cs, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(
            f"Cs must be an int (the number of log-spaced values in [1e-4, 1e4]) or an "
            f"array-like of positive floats; got Cs={Cs!r}."
        ) from None
    if grid.size == 0:
        raise ValueError(
            "Cs is empty: pass at least one value of C (an array-like of positive floats), "
            "or an int for that many log-spaced values in [1e-4, 1e4]."
        )
    if np.any(np.isnan(grid)) or np.any(grid <= 0):
        raise ValueError(
            f"Every value of Cs must be positive (C is the inverse of the regularisation "
            f"strength; np.inf means no penalty); got Cs={grid.tolist()}."
        )
    return grid


def default_scorer(scoring):
    """scikit-learn's ``_get_scorer``: the user's scorer, accuracy when None."""
    if isinstance(scoring, str) and scoring == "warn":
        return get_scorer("accuracy")
    return get_scorer(scoring or "accuracy")


def fold_scorer(scoring, classes):
    """The scorer used on the held-out folds.

    As scikit-learn does, a scorer whose metric takes ``labels`` is rebuilt
    with every class of the whole ``y`` (a fold may miss some), and for two
    classes with ``pos_label`` set to the second class. Returns None for the
    default (the estimator's accuracy, with the test fold's sample weights).
    """
    scorer = get_scorer(scoring)
    if scorer is None:
        return None
    params = inspect.signature(scorer._score_func).parameters if hasattr(scorer, "_score_func") else {}
    if "labels" in params:
        extra = {}
        if len(classes) <= 2 and "pos_label" in params:
            extra["pos_label"] = classes[-1]
        scorer = make_scorer(
            scorer._score_func,
            greater_is_better=scorer._sign == 1,
            response_method=scorer._response_method,
            labels=classes,
            **extra,
            **getattr(scorer, "_kwargs", {}),
        )
    return scorer
