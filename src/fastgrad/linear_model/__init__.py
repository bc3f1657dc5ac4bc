"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._huber import HuberRegressor
from ._logistic import LogisticRegression
from ._paths import enet_path, lasso_path
from ._poisson import PoissonRegressor
from ._ridge import LinearRegression, Ridge
from ._ridge_cv import RidgeCV
from ._sgd import SGDRegressor

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "HuberRegressor",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
    "RidgeCV",
    "SGDRegressor",
    "enet_path",
    "lasso_path",
]
