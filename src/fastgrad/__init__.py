"""fastgrad: compiled numerical derivatives and gradient-based training.

The public API is re-exported here from the subpackages ``differentiate``,
``optimize``, ``calculus`` and ``linear_model``; everything in underscore
modules is private.  ``_config`` is imported first: it chooses numba's
threading layer before any kernel can start a thread pool.
"""
from . import _config  # noqa: F401  (must run before numba launches threads)
from .calculus import CriticalPoint, critical_points, mean_value_points
from .differentiate import (DiffInfo, GradientCheck, check_gradient, derivative, gradient, hessian,
                            hvp, jacobian)
from .optimize import (Constant, Cosine, ExponentialDecay, History, InverseScaling, OptimizeResult,
                       OptimizeResults, Schedule, StepDecay, minimize)
from .linear_model import (
    ElasticNet,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
    SGDRegressor,
)

__version__ = "0.1.0"

__all__ = [
    "Constant",
    "Cosine",
    "CriticalPoint",
    "DiffInfo",
    "ElasticNet",
    "ExponentialDecay",
    "GradientCheck",
    "History",
    "HuberRegressor",
    "InverseScaling",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "OptimizeResult",
    "OptimizeResults",
    "PoissonRegressor",
    "Ridge",
    "SGDRegressor",
    "Schedule",
    "StepDecay",
    "check_gradient",
    "critical_points",
    "derivative",
    "gradient",
    "hessian",
    "hvp",
    "jacobian",
    "mean_value_points",
    "minimize",
]
