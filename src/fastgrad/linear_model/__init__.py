"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._coordinate_descent import ElasticNet, Lasso
from ._huber import HuberRegressor
from ._logistic import LogisticRegression
from ._poisson import PoissonRegressor
from ._ridge import LinearRegression, Ridge
from ._sgd import SGDRegressor

__all__ = [
    "ElasticNet",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
    "SGDRegressor",
]
