"""Run the Examples sections of the public docstrings as doctests."""
import doctest

import pytest

import fastgrad.calculus._critical_points
import fastgrad.calculus._mean_value
import fastgrad.differentiate._check
import fastgrad.differentiate._derivatives
import fastgrad.differentiate._hvp
import fastgrad.optimize._minimize
import fastgrad.optimize._schedules
import fastgrad.linear_model._cv
import fastgrad.linear_model._logistic_cv
import fastgrad.linear_model._paths
import fastgrad.linear_model._poisson
import fastgrad.linear_model._ridge
import fastgrad.linear_model._ridge_classifier
import fastgrad.linear_model._ridge_cv
import fastgrad.linear_model._sgd
import fastgrad.linear_model._sgd_classifier
import fastgrad.linear_model._tweedie

MODULES = [fastgrad.differentiate._derivatives, fastgrad.differentiate._hvp, fastgrad.differentiate._check,
           fastgrad.optimize._minimize, fastgrad.optimize._schedules,
           fastgrad.calculus._critical_points, fastgrad.calculus._mean_value,
           fastgrad.linear_model._ridge, fastgrad.linear_model._ridge_classifier,
           fastgrad.linear_model._sgd, fastgrad.linear_model._sgd_classifier,
           fastgrad.linear_model._poisson, fastgrad.linear_model._tweedie,
           fastgrad.linear_model._paths, fastgrad.linear_model._cv,
           fastgrad.linear_model._ridge_cv, fastgrad.linear_model._logistic_cv]
try:  # the plot examples need matplotlib, an optional extra
    import matplotlib  # noqa: F401

    import fastgrad.plot

    MODULES.append(fastgrad.plot)
except ImportError:
    pass


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
