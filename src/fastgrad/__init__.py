"""fastgrad: compiled numerical derivatives and gradient-based training.

The public API is re-exported here; everything in underscore modules is
private.  ``_config`` is imported first: it chooses numba's threading layer
before any kernel can start a thread pool.
"""
from . import _config  # noqa: F401  (must run before numba launches threads)
from ._calculus import CriticalPoint, critical_points, mean_value_points
from ._check import GradientCheck, check_gradient
from ._differentiate import derivative, gradient, hessian, hvp, jacobian
from ._minimize import minimize
from ._optimize_result import History, OptimizeResult, OptimizeResults
from ._result import DiffInfo
from ._schedules import Constant, Cosine, ExponentialDecay, InverseScaling, Schedule, StepDecay
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
