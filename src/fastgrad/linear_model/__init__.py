"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._ridge import LinearRegression, Ridge

__all__ = ["LinearRegression", "Ridge"]
