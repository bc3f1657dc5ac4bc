"""Compiled minimisation of user functions: ``minimize`` and what it returns.

* ``_minimize`` -- the public call: argument checks, method dispatch, batching
  over several starting points.
* ``_loops`` -- the numba-compiled optimisation loops (gradient descent,
  momentum, Nesterov, Newton, BFGS, L-BFGS, nonlinear CG) and their line
  searches; they never return to Python between iterations.
* ``_schedules`` -- learning-rate schedules of the fixed-step methods.
* ``_result`` -- ``OptimizeResult``, ``OptimizeResults``, ``History``.
"""
from ._minimize import minimize
from ._result import History, OptimizeResult, OptimizeResults
from ._schedules import Constant, Cosine, ExponentialDecay, InverseScaling, Schedule, StepDecay

__all__ = ["Constant", "Cosine", "ExponentialDecay", "History", "InverseScaling", "OptimizeResult",
           "OptimizeResults", "Schedule", "StepDecay", "minimize"]
