"""scikit-learn compatible linear models backed by fastgrad's compiled kernels."""
from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._huber import HuberRegressor
from ._logistic import LogisticRegression
from ._logistic_cv import LogisticRegressionCV
from ._paths import enet_path, lasso_path
from ._poisson import PoissonRegressor
from ._tweedie import GammaRegressor, TweedieRegressor
from ._linear_regression import LinearRegression
from ._ridge import Ridge
from ._ridge_cv import RidgeCV
from ._ridge_classifier import RidgeClassifier
from ._ridge_classifier_cv import RidgeClassifierCV
from ._sgd import SGDRegressor
from ._sgd_classifier import SGDClassifier

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "GammaRegressor",
    "HuberRegressor",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PoissonRegressor",
    "Ridge",
    "RidgeCV",
    "RidgeClassifier",
    "RidgeClassifierCV",
    "SGDClassifier",
    "SGDRegressor",
    "TweedieRegressor",
    "enet_path",
    "lasso_path",
]
