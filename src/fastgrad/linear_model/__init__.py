"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._coordinate_descent import ElasticNet, Lasso
from ._ridge import LinearRegression, Ridge
from ._sgd import SGDRegressor

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "Ridge", "SGDRegressor"]
