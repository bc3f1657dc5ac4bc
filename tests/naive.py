"""Plain numpy reference implementations used by the tests.

The references live in the package (``fastgrad.bench.naive``) because the
benchmarks shipped with ``fastgrad bench`` measure against the same code;
this module re-exports them under the conventional test name.
"""
from fastgrad.bench.naive import *  # noqa: F401,F403
from fastgrad.bench.naive import (  # noqa: F401
    grad_backward,
    grad_central,
    grad_complex,
    grad_forward,
    hessian_central,
    hvp_central,
    jacobian_central,
    neville,
)
