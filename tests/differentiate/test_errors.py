"""Bad input gets a clear TypeError/ValueError that names the argument."""
import numba
import numpy as np
import pytest

import fastgrad

f2 = lambda x: float(np.sum(x**2))
OPS = {
    "gradient": lambda f, x, **kw: fastgrad.gradient(f, x, **kw),
    "jacobian": lambda f, x, **kw: fastgrad.jacobian(
        (lambda z: np.atleast_1d(f(z))) if callable(f) else f, x, **kw),
    "hessian": lambda f, x, **kw: fastgrad.hessian(f, x, **kw),
    "hvp": lambda f, x, **kw: fastgrad.hvp(f, x, np.ones(np.shape(x)[-1]) if np.ndim(x) else [1.0], **kw),
}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("bad", [None, 3.0, "sin", np.ones(3)], ids=["None", "float", "str", "array"])
def test_non_callable_f(op, bad):
    with pytest.raises(TypeError, match="f must be callable"):
        OPS[op](bad, np.ones(2))


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("x,exc,match", [
    (np.array([]), ValueError, "x"),
    (np.zeros((0, 2)), ValueError, "x"),
    (np.zeros((2, 0)), ValueError, "x"),
    (["a", "b"], TypeError, "x must be numeric"),
    (np.array([1.0, None], dtype=object), ValueError, "x"),
    ([1.0, np.nan], ValueError, r"x must be finite, but x\[1\]"),
    ([[1.0, 2.0], [np.inf, 0.0]], ValueError, r"x must be finite, but x\[1, 0\]"),
    (np.zeros((2, 2, 2)), ValueError, "at most 2 dimensions|shape"),
    (np.array([1 + 1j, 2]), TypeError, "real-valued"),
    (3.0, ValueError, "scalar"),
], ids=["empty", "no-rows", "no-cols", "strings", "object-none", "nan", "inf", "3d", "complex", "scalar"])
def test_bad_x(op, x, exc, match):
    with pytest.raises(exc, match=match):
        OPS[op](f2, x)


@pytest.mark.parametrize("op", ["gradient", "hessian", "hvp"])
def test_f_returning_non_scalar(op):
    with pytest.raises(ValueError, match="f must return a scalar.*jacobian"):
        OPS[op](lambda x: x * 2, np.ones(3))


def test_f_returning_non_numeric():
    with pytest.raises(TypeError, match="f must return numbers"):
        fastgrad.gradient(lambda x: "a", np.ones(2))


def test_jacobian_f_returning_scalar_or_matrix():
    with pytest.raises(ValueError, match="1-D array"):
        fastgrad.jacobian(lambda x: float(x[0]), np.ones(2))
    with pytest.raises(ValueError, match="1-D array"):
        fastgrad.jacobian(lambda x: np.ones((2, 2)), np.ones(2))


def test_vectorized_f_wrong_shape():
    with pytest.raises(ValueError, match=r"vectorized=True.*\(2,\)"):
        fastgrad.gradient(lambda P: P, np.ones(3), vectorized=True)
    with pytest.raises(ValueError, match=r"vectorized=True"):
        fastgrad.gradient(lambda P: P.sum(), np.ones(3), vectorized=True)


def test_f_not_finite_at_x():
    with np.errstate(invalid="ignore"), pytest.raises(ValueError, match="non-finite value"):
        fastgrad.gradient(lambda x: np.log(x[0]), np.array([-1.0, 1.0]))


@numba.njit
def _log_first(x):
    return np.log(x[0]) + x[1]


@pytest.mark.parametrize("kind", ["numba", "python", "vectorized"])
@pytest.mark.parametrize("op", ["gradient", "hessian"])
def test_f_not_finite_at_an_evaluation_point_names_the_point(kind, op):
    # log is fine at x but not at x - h for a step larger than x[0]
    f = {"numba": _log_first, "python": lambda x: np.log(x[0]) + x[1],
         "vectorized": lambda P: np.log(P[:, 0]) + P[:, 1]}[kind]
    x = np.array([[1.0, 0.0], [1e-3, 0.0]])
    with np.errstate(invalid="ignore", divide="ignore"):
        with pytest.raises(ValueError, match=r"non-finite value.*evaluation point \[-0\.00.*x\[1\]") as err:
            getattr(fastgrad, op)(f, x, step=2e-3, vectorized=kind == "vectorized")
    assert "smaller step" in str(err.value)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("method", ["centre", "Central", "", None, "secant"])
def test_unknown_method(op, method):
    with pytest.raises(ValueError, match="method=.*choose one of"):
        OPS[op](f2, np.ones(2), method=method)


@pytest.mark.parametrize("op", ["hessian", "hvp"])
@pytest.mark.parametrize("method", ["forward", "backward"])
def test_second_order_rejects_one_sided(op, method):
    with pytest.raises(ValueError, match="'central', 'complex', 'richardson'"):
        OPS[op](f2, np.ones(2), method=method)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("step,exc,match", [
    (0.0, ValueError, "step must be positive"),
    (-1e-3, ValueError, "step must be positive"),
    (np.nan, ValueError, "step must be positive"),
    (np.inf, ValueError, "step must be positive"),
    ([1e-3, 1e-3, 1e-3], ValueError, "step of shape"),
    ("big", TypeError, "step must be"),
    (1e-300, ValueError, "step is too small"),
])
def test_bad_step(op, step, exc, match):
    with pytest.raises(exc, match=match):
        OPS[op](f2, np.array([1.0, 2.0]), step=step)


@pytest.mark.parametrize("v", [np.ones(3), np.ones((3, 2)), [[1.0, 2.0]] * 2, "ab", [np.nan, 1.0]],
                         ids=["long", "rows", "batch-mismatch", "str", "nan"])
def test_hvp_bad_v(v):
    with pytest.raises((ValueError, TypeError), match="^v"):
        fastgrad.hvp(f2, np.ones(2), v)


def test_hvp_zero_direction_gives_zero():
    np.testing.assert_array_equal(fastgrad.hvp(f2, np.ones((2, 3)), np.zeros(3)), np.zeros((2, 3)))


def test_bad_args_type():
    with pytest.raises(TypeError, match="args must be a tuple"):
        fastgrad.gradient(lambda x, a: a * x[0], np.ones(2), args=2.0)


def test_grad_wrong_length():
    with pytest.raises(ValueError, match="grad must return a vector of length d=3"):
        fastgrad.hessian(f2, np.ones(3), grad=lambda x: np.ones(2))
    with pytest.raises(TypeError, match="grad must be callable"):
        fastgrad.hessian(f2, np.ones(3), grad="no")


def test_complex_step_on_non_analytic_functions():
    with pytest.raises(TypeError, match="returned a real value"):
        fastgrad.gradient(lambda x: float(np.sum(x.real**2)), np.ones(2), method="complex")

    @numba.njit
    def cube(x):
        return x[0] ** 3  # numba's complex power loses the imaginary step

    with pytest.raises(ValueError, match="not complex-analytic"):
        fastgrad.gradient(cube, np.array([-1.3, 0.0]), method="complex")

    @numba.njit
    def real_only(x):
        out = np.empty(1)  # float buffer: cannot hold complex values
        out[0] = x[0]
        return out[0]

    with pytest.raises(TypeError, match="could not be compiled.*complex128"):
        fastgrad.gradient(real_only, np.ones(2), method="complex")


def test_numba_function_that_cannot_take_the_args():
    @numba.njit
    def g(x, a):
        return x[0] * a

    with pytest.raises(TypeError, match="f could not be compiled|args"):
        fastgrad.gradient(g, np.ones(2), args=("text",))


def test_derivative_bad_order_and_step():
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        fastgrad.derivative(np.sin, 1.0, order=3)
    with pytest.raises(ValueError, match="step must be a scalar or have the shape of x"):
        fastgrad.derivative(np.sin, [1.0, 2.0], step=[1e-3, 1e-3, 1e-3])
    with pytest.raises(ValueError, match="step must be positive"):
        fastgrad.derivative(np.sin, [1.0, 2.0], step=-1.0)


def test_check_gradient_bad_arguments():
    with pytest.raises(TypeError, match="grad must be callable"):
        fastgrad.check_gradient(f2, None, np.ones(2))
    with pytest.raises(ValueError, match="rtol"):
        fastgrad.check_gradient(f2, lambda x: 2 * x, np.ones(2), rtol=-1)
    with pytest.raises(ValueError, match="directions"):
        fastgrad.check_gradient(f2, lambda x: 2 * x, np.ones(2), directions=0)
    with pytest.raises(ValueError, match=r"grad must return a vector of shape \(2,\)"):
        fastgrad.check_gradient(f2, lambda x: np.ones(3), np.ones(2))
