"""The three batch drivers (native, specialised, interpreted) agree.

A jitted ``f`` of the point alone runs through the native driver (its address
is handed to a kernel cached on disk); a jitted ``f`` with ``args``, or one
whose return type the native prototypes do not cover, runs through the
driver specialised on ``f``; a plain Python ``f`` runs the same driver source
interpreted.  Whatever the route, the numbers must be the same.
"""
import numba
import numpy as np
import pytest

import fastgrad
from fastgrad.differentiate import _batch, _fnptr


def _rosen_py(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


_rosen = numba.njit(_rosen_py)


@numba.njit
def _rosen_scaled(x, a):
    return a * np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _vec_py(x):
    return np.array([x[0] * x[1], np.sin(x[0]) + x[2] ** 2, np.exp(x[1]) * x[2]])


_vec = numba.njit(_vec_py)


@numba.njit
def _rosen_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


X = np.random.default_rng(3).uniform(-1.2, 1.2, size=(300, 3))
V = np.random.default_rng(4).normal(size=(300, 3))

SCALAR_OPS = [
    ("gradient", {}), ("gradient", {"method": "complex"}),
    ("hessian", {}), ("hessian", {"method": "complex"}),
]


def _uses_native(name, f):
    """Whether run_batch will take the native route for this stencil and f."""
    return _fnptr.native_addresses(f, _batch.STENCILS[name][1], _batch.NATIVE[name][0]) is not None


@pytest.mark.parametrize("op, kw", SCALAR_OPS)
def test_native_specialised_and_interpreted_agree(op, kw):
    fun = getattr(fastgrad, op)
    native = fun(_rosen, X, **kw)
    specialised = fun(_rosen_scaled, X, args=(1.0,), **kw)
    interpreted = fun(_rosen_py, X, **kw)
    np.testing.assert_array_equal(native, specialised)
    np.testing.assert_allclose(native, interpreted, rtol=1e-12, atol=1e-9)


def test_the_native_route_is_taken_for_a_plain_jitted_function():
    assert _uses_native("grad_fd", _rosen)
    assert _uses_native("grad_complex", _rosen)
    assert _uses_native("jac_fd", _vec)
    assert not _uses_native("jac_fd", _rosen)  # a scalar is not a vector result
    assert not _uses_native("grad_fd", _vec)


@pytest.mark.parametrize("kw", [{}, {"method": "complex"}])
def test_jacobian_routes_agree(kw):
    native = fastgrad.jacobian(_vec, X, **kw)
    interpreted = fastgrad.jacobian(_vec_py, X, **kw)
    # numba's and numpy's sin/exp may differ in the last bit; a difference
    # quotient divides that by h ~ 6e-6, hence 1e-10 rather than machine eps
    np.testing.assert_allclose(native, interpreted, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kw", [{}, {"method": "complex"}])
def test_hvp_routes_agree(kw):
    native = fastgrad.hvp(_rosen, X, V, **kw)
    interpreted = fastgrad.hvp(_rosen_py, X, V, **kw)
    np.testing.assert_allclose(native, interpreted, rtol=1e-10, atol=1e-7)


def test_hvp_from_a_gradient_routes_agree():
    exact = fastgrad.hessian(_rosen, X)  # reference, then compare H @ v
    got = fastgrad.hvp(_rosen, X, V, grad=_rosen_grad)
    want = np.einsum("nij,nj->ni", exact, V)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@numba.njit
def _int_valued(x):
    return int(np.floor(x[0])) + 3  # an integer result, converted to float by the kernel


@numba.njit
def _float32_valued(x):
    return np.float32(x[0] * x[0])


def test_other_scalar_return_types_fall_back_or_convert_correctly():
    x = np.array([[2.5, 1.0]])
    np.testing.assert_allclose(fastgrad.gradient(_int_valued, x, step=1e-3), [[0.0, 0.0]])
    g = fastgrad.gradient(_float32_valued, np.array([[1.5, 0.3]]), step=1e-2)
    np.testing.assert_allclose(g, [[3.0, 0.0]], rtol=1e-4, atol=1e-4)


@numba.njit
def _list_of_floats(x):
    return x[:2].copy()[::-1]  # a non-contiguous array: not the native prototype


def test_non_contiguous_vector_result_uses_the_specialised_driver():
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(fastgrad.jacobian(_list_of_floats, x),
                               [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]], atol=1e-8)


@numba.njit("float64(float64[::1])")
def _fixed_signature(x):
    return np.sum(x ** 3)


def test_function_with_a_fixed_signature():
    x = np.array([[1.0, -2.0, 0.5]])
    np.testing.assert_allclose(fastgrad.gradient(_fixed_signature, x), 3 * x ** 2, rtol=1e-7)


@numba.njit
def _log_sum(x):
    return np.log(x[0]) + x[1]


def test_non_finite_points_are_reported_from_the_native_driver():
    x = np.array([[1.0, 0.0], [1e-12, 2.0]])
    assert _uses_native("grad_fd", _log_sum)
    with pytest.raises(ValueError, match=r"x\[1\]"):
        fastgrad.gradient(_log_sum, x, step=1e-6, method="central")


@numba.njit
def _raises(x):
    if x[0] > 1.0:
        raise ValueError("x[0] too large for this model")
    return x[0] * x[0]


def test_exceptions_raised_by_f_propagate_through_the_native_driver():
    np.testing.assert_allclose(fastgrad.gradient(_raises, np.array([[0.5]])), [[1.0]], rtol=1e-7)
    with pytest.raises(ValueError, match="too large"):
        fastgrad.gradient(_raises, np.array([[3.0]]))


def test_parallel_native_driver_matches_serial():
    big = np.random.default_rng(5).uniform(-1, 1, size=(5000, 4))
    parallel = fastgrad.gradient(_rosen, big)
    serial = np.vstack([fastgrad.gradient(_rosen, big[i:i + 1]) for i in range(0, 5000, 997)])
    np.testing.assert_array_equal(parallel[::997], serial)


def test_non_contiguous_and_read_only_inputs():
    big = np.asfortranarray(np.random.default_rng(6).uniform(-1, 1, size=(50, 4)))
    ro = big.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(fastgrad.gradient(_rosen, big), fastgrad.gradient(_rosen, ro))
    np.testing.assert_array_equal(fastgrad.gradient(_rosen, big[::2]),
                                  fastgrad.gradient(_rosen, np.ascontiguousarray(big[::2])))
