"""SGDRegressor: scikit-learn's messages, warnings and private attribute names."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose

from fastgrad.linear_model._sgd import SGDRegressor

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 3))
Y = X @ np.array([1.0, -1.0, 0.5]) + 0.2


@pytest.mark.parametrize("cls", [SGDRegressor, sklm.SGDRegressor])
def test_average_attributes_only_with_averaging(cls):
    names = ("_standard_coef", "_standard_intercept", "_average_coef", "_average_intercept")
    est = cls(average=True, max_iter=5, tol=None, random_state=0).fit(X, Y)
    assert all(hasattr(est, name) for name in names)
    assert_allclose(est._average_coef, est.coef_)
    assert not any(hasattr(cls(max_iter=5, tol=None).fit(X, Y), name) for name in names)


def test_messages_and_warnings_as_scikit_learn():
    with pytest.raises(ValueError, match="l1_ratio must be set when penalty is 'elasticnet'"):
        SGDRegressor(penalty="elasticnet", l1_ratio=None).fit(X, Y)
    with pytest.raises(ValueError, match="early_stopping should be False with partial_fit"):
        SGDRegressor(early_stopping=True).partial_fit(X, Y)
    with pytest.warns(FutureWarning, match="Negative values for `power_t` are deprecated"):
        SGDRegressor(power_t=-1.0, max_iter=3, tol=None).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGDRegressor(power_t=0.5, max_iter=3, tol=None).fit(X, Y)
