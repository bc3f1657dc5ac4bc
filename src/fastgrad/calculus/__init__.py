"""The calculus behind fastgrad, as tools: critical points classified by the
second-derivative test, and mean value points (Lagrange and Cauchy)."""
from ._critical_points import CriticalPoint, critical_points
from ._mean_value import mean_value_points

__all__ = ["CriticalPoint", "critical_points", "mean_value_points"]
