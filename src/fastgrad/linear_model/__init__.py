"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._coordinate_descent import ElasticNet, Lasso
from ._huber import HuberRegressor
from ._logistic import LogisticRegression
from ._poisson import PoissonRegressor
from ._tweedie import GammaRegressor, TweedieRegressor
from ._linear_regression import LinearRegression
from ._ridge import Ridge
from ._ridge_classifier import RidgeClassifier
from ._sgd import SGDRegressor
from ._sgd_classifier import SGDClassifier

__all__ = [
    "ElasticNet",
    "GammaRegressor",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
    "RidgeClassifier",
    "SGDClassifier",
    "SGDRegressor",
    "TweedieRegressor",
]
