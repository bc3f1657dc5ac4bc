"""Thread controls: n_jobs / n_threads, threadpoolctl's OpenMP limit, numba's thread count."""
from __future__ import annotations

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from fastgrad import LogisticRegression, gradient
from fastgrad._threads import blas_single_threaded, in_forked_child
from fastgrad.differentiate import _batch
from fastgrad.linear_model._squared_loss import _resolve_n_threads, openmp_max_threads


def test_not_a_forked_child_in_the_main_process():
    assert in_forked_child() is False


def test_cython_threads_follow_threadpoolctl_openmp_limit():
    default = _resolve_n_threads(None)
    assert 1 <= default <= openmp_max_threads()
    with threadpool_limits(limits=1, user_api="openmp"):
        assert _resolve_n_threads(None) == 1
        # an explicit request is honoured inside the limit too, as n_jobs is
        assert _resolve_n_threads(3) == 3
    assert _resolve_n_threads(None) == default


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_bad_n_threads_is_named(bad):
    with pytest.raises((TypeError, ValueError), match="n_threads"):
        _resolve_n_threads(bad)


def test_estimator_result_does_not_depend_on_thread_count():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30000, 6))
    y = (X @ rng.normal(size=6) + rng.normal(size=len(X)) > 0).astype(int)
    one = LogisticRegression(n_jobs=1).fit(X, y).coef_
    with threadpool_limits(limits=1, user_api="openmp"):
        limited = LogisticRegression().fit(X, y).coef_
    default = LogisticRegression().fit(X, y).coef_
    np.testing.assert_array_equal(one, limited)
    # several threads only reorder the float sums
    np.testing.assert_allclose(default, one, rtol=1e-7, atol=1e-10)


@numba.njit
def _sumsq(x):
    return (x * x).sum()


def test_numba_set_num_threads_one_selects_the_serial_driver():
    X = np.random.default_rng(2).normal(size=(4000, 5))
    before = numba.get_num_threads()
    for parallel in (False, True):
        _batch._NATIVE_DRIVERS.pop(("grad_fd", parallel), None)  # reloaded lazily from disk
    try:
        numba.set_num_threads(1)
        g = gradient(_sumsq, X)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_allclose(g, 2 * X, rtol=1e-6, atol=1e-9)
    assert ("grad_fd", False) in _batch._NATIVE_DRIVERS
    assert ("grad_fd", True) not in _batch._NATIVE_DRIVERS


def test_blas_single_threaded_restores_blas_threads():
    np.dot(np.ones((50, 50)), np.ones((50, 50)))  # make sure numpy's BLAS is loaded
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    with blas_single_threaded():
        inside = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert inside and all(n == 1 for n in inside)
    assert after == before
