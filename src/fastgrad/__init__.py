"""fastgrad: compiled numerical derivatives and gradient-based training.

The public API is re-exported here; everything in underscore modules is
private.  ``_config`` is imported first: it chooses numba's threading layer
before any kernel can start a thread pool.
"""
from . import _config  # noqa: F401  (must run before numba launches threads)
from ._check import GradientCheck, check_gradient
from ._differentiate import derivative, gradient, hessian, hvp, jacobian
from ._result import DiffInfo

__version__ = "0.1.0"

__all__ = [
    "DiffInfo",
    "GradientCheck",
    "check_gradient",
    "derivative",
    "gradient",
    "hessian",
    "hvp",
    "jacobian",
]
