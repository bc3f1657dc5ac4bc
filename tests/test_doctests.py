"""Run the Examples sections of the public docstrings as doctests."""
import doctest

import pytest

import fastgrad._check
import fastgrad._differentiate

MODULES = [fastgrad._differentiate, fastgrad._check]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
