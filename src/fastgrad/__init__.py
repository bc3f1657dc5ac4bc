"""fastgrad: compiled numerical derivatives and gradient-based training.

The public API is re-exported here from the subpackages ``differentiate``,
``optimize``, ``calculus`` and ``linear_model``; everything in underscore
modules is private.

Names are resolved lazily (module ``__getattr__``, PEP 562): ``import
fastgrad`` loads neither numba nor scikit-learn, and the first use of a name
imports only the subpackage that defines it.  ``_threads`` is imported at once
(it is cheap): it sets the OpenMP wait policy before any compiled kernel can
load the OpenMP runtime.
"""
from __future__ import annotations

import importlib

from . import _threads  # noqa: F401  (must run before libgomp is loaded)

__version__ = "0.1.0"

#: public name -> subpackage that defines it
_EXPORTS = {
    **dict.fromkeys(["DiffInfo", "GradientCheck", "check_gradient", "derivative", "gradient",
                     "hessian", "hvp", "jacobian"], "differentiate"),
    **dict.fromkeys(["Constant", "Cosine", "ExponentialDecay", "History", "InverseScaling",
                     "OptimizeResult", "OptimizeResults", "Schedule", "StepDecay", "minimize"],
                    "optimize"),
    **dict.fromkeys(["CriticalPoint", "critical_points", "mean_value_points"], "calculus"),
    **dict.fromkeys(["ElasticNet", "ElasticNetCV", "GammaRegressor", "HuberRegressor", "Lasso",
                     "LassoCV", "LinearRegression", "LogisticRegression", "LogisticRegressionCV",
                     "PoissonRegressor",
                     "Ridge", "RidgeCV", "RidgeClassifier", "RidgeClassifierCV", "SGDClassifier", "SGDRegressor",
                     "TweedieRegressor", "enet_path", "lasso_path"], "linear_model"),
}
_SUBPACKAGES = ("bench", "calculus", "differentiate", "linear_model", "optimize", "plot")

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'fastgrad' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBPACKAGES))
