"""The benchmark registry: one list of cases drives ``fastgrad bench``, the
pytest-benchmark suite (``benchmarks/``) and ``tests/test_bench.py``.

A :class:`Case` is one job (e.g. "central gradients of Rosenbrock at 2000
points") done by fastgrad and by one or more references that do the same job
another way: the plain numpy version from :mod:`fastgrad.bench.naive`
always, and scipy / numdifftools / jax when they are installed (missing ones
are left out silently).

What a case is, and the data sizes, are in :mod:`fastgrad.bench.case`.
"""
from __future__ import annotations

from .case import Case, Reference, available
from .cases_derivatives import gradient_cases, other_cases, second_order_cases
from .cases_dask import dask_cases
from .cases_glm import glm_cases
from .cases_linear import linear_model_cases
from .cases_logistic_cv import logistic_cv_cases
from .cases_minimize import minimize_cases
from .cases_paths import path_cases
from .cases_ridge_cv import ridge_cv_cases
from .cases_sparse_cd import sparse_cd_cases
from .cases_sparse_derivatives import sparse_derivative_cases
from .cases_sparse_glm import sparse_glm_cases
from .cases_sparse_ridge import sparse_ridge_cases
from .cases_sgd_classifier import sgd_classifier_cases
from .cases_sparse_sgd import sparse_sgd_cases
from .cases_tweedie import tweedie_cases
from .cases_wide_lasso import wide_lasso_cases

__all__ = ["Case", "Reference", "available", "build_cases", "select"]


def build_cases() -> list[Case]:
    """All cases whose dependencies are importable, in run order."""
    has_scipy, has_nd, has_jax = available("scipy"), available("numdifftools"), available("jax")
    return [*gradient_cases(has_scipy, has_jax), *second_order_cases(has_nd), *other_cases(),
            *sparse_derivative_cases(Case, Reference, has_scipy),
            *minimize_cases(has_scipy), *linear_model_cases(Case, Reference), *glm_cases(Case, Reference),
            *tweedie_cases(Case, Reference),
            *sparse_ridge_cases(Case, Reference), *sparse_cd_cases(Case, Reference),
            *sgd_classifier_cases(Case, Reference), *sparse_sgd_cases(Case, Reference),
            *sparse_glm_cases(Case, Reference), *path_cases(Case, Reference),
            *wide_lasso_cases(Case, Reference),
            *ridge_cv_cases(Case, Reference), *logistic_cv_cases(Case, Reference),
            # fastgrad.dask on a LocalCluster: only with the [dask] extra installed
            *(dask_cases(Case, Reference)
              if available("dask") and available("distributed") else [])]


def select(cases: list[Case], pattern: str | None) -> list[Case]:
    """Cases whose name contains ``pattern`` (case-insensitive)."""
    if not pattern:
        return list(cases)
    return [c for c in cases if pattern.lower() in c.name.lower()]
