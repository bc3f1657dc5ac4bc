"""Run the Examples sections of the public docstrings as doctests."""
import doctest

import pytest

import fastgrad._calculus
import fastgrad._check
import fastgrad._differentiate
import fastgrad._minimize
import fastgrad._schedules
import fastgrad.linear_model._ridge

MODULES = [fastgrad._differentiate, fastgrad._check, fastgrad._minimize, fastgrad._schedules,
           fastgrad._calculus, fastgrad.linear_model._ridge]
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
