"""The numba, plain-Python and vectorized paths agree; batches and layouts behave."""
import numba
import numpy as np
import pytest

import fastgrad
from fastgrad import _config
from functions import SUITE

PATH_FUNCS = [t for t in SUITE if t.name in ("rosenbrock", "trig", "log1p_norm", "gaussian", "beale")]


def _run(op, t, X, kind, method, **kw):
    f = {"numba": t.jit, "python": t.f, "vectorized": t.f}[kind]
    return getattr(fastgrad, op)(f, X, method=method, vectorized=kind == "vectorized", **kw)


# The paths run the same stencils, but np.exp & co. in numba and in numpy can
# differ by an ulp, which central differences amplify by ~1/h.
AGREE = {"forward": 1e-6, "backward": 1e-6, "central": 1e-8, "complex": 1e-13, "richardson": 1e-8}


@pytest.mark.parametrize("method", ["forward", "backward", "central", "complex", "richardson"])
@pytest.mark.parametrize("t", PATH_FUNCS, ids=lambda t: t.name)
def test_gradient_paths_agree(t, method):
    X = t.points(2 if t.name == "beale" else 4, n=3)
    ref = _run("gradient", t, X, "numba", method)
    for kind in ("python", "vectorized"):
        np.testing.assert_allclose(_run("gradient", t, X, kind, method), ref, rtol=AGREE[method],
                                   atol=AGREE[method] * np.abs(ref).max())


@pytest.mark.parametrize("method", ["central", "complex", "richardson"])
@pytest.mark.parametrize("t", PATH_FUNCS, ids=lambda t: t.name)
def test_hessian_and_hvp_paths_agree(t, method):
    X = t.points(2 if t.name == "beale" else 3, n=2)
    V = np.random.default_rng(0).standard_normal(X.shape)
    ref = _run("hessian", t, X, "numba", method)
    ref_v = fastgrad.hvp(t.jit, X, V, method=method)
    for kind in ("python", "vectorized"):
        np.testing.assert_allclose(_run("hessian", t, X, kind, method), ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
        got = fastgrad.hvp(t.f, X, V, method=method, vectorized=kind == "vectorized")
        np.testing.assert_allclose(got, ref_v, rtol=1e-6, atol=1e-6 * np.abs(ref_v).max())


def test_jacobian_paths_agree():
    @numba.njit
    def resid(x):
        out = np.empty(x.shape[0] - 1, dtype=x.dtype)  # complex for the complex step
        for i in range(x.shape[0] - 1):
            out[i] = 10.0 * (x[i + 1] - x[i] * x[i]) + np.sin(x[i])
        return out

    def resid_py(x):
        return 10.0 * (x[1:] - x[:-1] ** 2) + np.sin(x[:-1])

    def resid_vec(P):
        return 10.0 * (P[:, 1:] - P[:, :-1] ** 2) + np.sin(P[:, :-1])

    X = np.random.default_rng(1).uniform(-1, 1, (5, 6))
    for method in ("forward", "backward", "central", "complex", "richardson"):
        ref = fastgrad.jacobian(resid, X, method=method)
        assert ref.shape == (5, 5, 6)
        tol = AGREE[method]
        np.testing.assert_allclose(fastgrad.jacobian(resid_py, X, method=method), ref, rtol=tol, atol=tol * 30)
        np.testing.assert_allclose(fastgrad.jacobian(resid_vec, X, method=method, vectorized=True), ref,
                                   rtol=tol, atol=tol * 30)


@numba.njit
def _scaled_quartic(x, a, b):
    s = 0.0
    for i in range(x.shape[0]):
        s += a * x[i] * x[i] * x[i] * x[i] + b[i] * x[i]
    return s


def test_args_are_passed_in_every_mode():
    b = np.array([1.0, -2.0, 0.5])
    X = np.array([[0.3, -0.7, 1.1], [1.0, 2.0, -1.0]])
    true = 4 * 2.5 * X**3 + b
    py = lambda x, a, b: np.sum(a * x**4 + b * x)
    vec = lambda P, a, b: np.sum(a * P**4 + b * P, axis=1)
    for f, kw in ((_scaled_quartic, {}), (py, {}), (vec, {"vectorized": True})):
        for method in ("central", "complex", "richardson"):
            g = fastgrad.gradient(f, X, args=(2.5, b), method=method, **kw)
            np.testing.assert_allclose(g, true, rtol=1e-8)
        H = fastgrad.hessian(f, X, args=(2.5, b), **kw)
        np.testing.assert_allclose(H[:, [0, 1, 2], [0, 1, 2]], 12 * 2.5 * X**2, rtol=1e-6)
        hv = fastgrad.hvp(f, X, np.ones(3), args=(2.5, b), **kw)
        np.testing.assert_allclose(hv, 12 * 2.5 * X**2, rtol=1e-6)
    d = fastgrad.derivative(lambda t, a: a * t**2, [1.0, 2.0], args=(3.0,))
    np.testing.assert_allclose(d, [6.0, 12.0], rtol=1e-9)


def test_parallel_and_serial_kernels_give_identical_results(monkeypatch):
    t = SUITE[1]  # rosenbrock
    X = np.random.default_rng(2).uniform(-1, 1, (3000, 6))
    monkeypatch.setattr(_config, "PARALLEL_MIN_EVALS", 0)
    par = fastgrad.gradient(t.jit, X)
    par_h = fastgrad.hessian(t.jit, X[:500])
    monkeypatch.setattr(_config, "PARALLEL_MIN_EVALS", 10**12)
    ser = fastgrad.gradient(t.jit, X)
    ser_h = fastgrad.hessian(t.jit, X[:500])
    np.testing.assert_array_equal(par, ser)
    np.testing.assert_array_equal(par_h, ser_h)


def test_batch_equals_points_one_by_one():
    t = SUITE[4]  # trig
    X = t.points(5, n=4)
    batch = fastgrad.gradient(t.jit, X)
    for i, x in enumerate(X):
        np.testing.assert_array_equal(fastgrad.gradient(t.jit, x), batch[i])
    Hb = fastgrad.hessian(t.jit, X)
    np.testing.assert_array_equal(fastgrad.hessian(t.jit, X[1]), Hb[1])


@pytest.mark.parametrize("layout", ["list", "float32", "int", "fortran", "readonly", "strided"])
def test_input_layouts(layout):
    base = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -3.0]])
    x = {
        "list": base.tolist(),
        "float32": base.astype(np.float32),
        "int": np.array([[1, -1, 2], [1, 0, -3]]),
        "fortran": np.asfortranarray(base),
        "readonly": base.copy(),
        "strided": np.repeat(base, 2, axis=1)[:, ::2],
    }[layout]
    if layout == "readonly":
        x.flags.writeable = False
    ref = np.asarray(x, dtype=float)
    f = lambda z: np.sum(z**3)
    np.testing.assert_allclose(fastgrad.gradient(f, x), 3 * ref**2, rtol=1e-8)
    np.testing.assert_allclose(fastgrad.hvp(f, x, np.ones(3)), 6 * ref, rtol=1e-6, atol=1e-7)


def test_inputs_are_never_modified():
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    V = np.array([1.0, 2.0])
    step = np.array([1e-5, 2e-5])
    copies = [a.copy() for a in (X, V, step)]
    seen = []

    def f(x):
        seen.append(x)
        x[0] = 1e6  # a careless f that writes into its argument
        return 0.0

    fastgrad.gradient(f, X, step=step)
    fastgrad.hessian(lambda x: np.sum(x**4), X, step=step)
    fastgrad.hvp(lambda x: np.sum(x**4), X, V)
    fastgrad.derivative(np.sin, X)
    for a, c in zip((X, V, step), copies):
        np.testing.assert_array_equal(a, c)
    assert all(s is not X for s in seen)


def test_careless_f_cannot_corrupt_python_path():
    def f(x):
        val = x[0] ** 2 + x[1] ** 2
        x[:] = 0.0  # writes into the point it was given
        return val

    np.testing.assert_allclose(fastgrad.gradient(f, [1.0, 2.0]), [2.0, 4.0], rtol=1e-8)


def test_user_steps_scalar_per_coordinate_and_per_entry():
    f = lambda x: np.sum(np.exp(x))
    x = np.array([0.1, 0.2])
    for step in (1e-4, [1e-4, 2e-4], [[1e-4, 2e-4]]):
        g, info = fastgrad.gradient(f, x if np.ndim(step) < 2 else x[None], step=step, full_output=True)
        np.testing.assert_allclose(np.ravel(g), np.exp(x), rtol=1e-7)
        np.testing.assert_allclose(np.ravel(info.step), np.ravel(np.broadcast_to(step, (1, 2))), rtol=1e-9)
    # a large user step is really used: the error shows the h**2 term
    g_big = fastgrad.gradient(f, x, step=0.1)
    assert np.all(np.abs(g_big - np.exp(x)) > 1e-4)


def test_full_output_info():
    f = lambda x: np.sum(x**2)
    g, info = fastgrad.gradient(f, np.ones((4, 3)), full_output=True)
    assert info.method == "central" and info.nfev == 4 * 6 + 1 and info.step.shape == (4, 3)
    assert info.error is None and info.converged
    h, info = fastgrad.hessian(f, np.ones(3), full_output=True)
    assert info.nfev == 9 + 3 + 1 + 1 and info.step.shape == (3,)
    d, info = fastgrad.derivative(np.sin, np.zeros((2, 2)), method="richardson", full_output=True)
    assert info.error.shape == (2, 2) and info.status.shape == (2, 2) and info.converged


def test_derivative_scalar_and_numba_and_vectorized():
    assert isinstance(fastgrad.derivative(np.sin, 0.0), float)
    assert abs(fastgrad.derivative(np.sin, 0.0) - 1.0) < 1e-10

    @numba.njit
    def cube(t):
        return t * t * t

    x = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(fastgrad.derivative(cube, x), 3 * x**2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fastgrad.derivative(cube, x, order=2, method="complex"), 6 * x, atol=1e-8)
    np.testing.assert_allclose(fastgrad.derivative(lambda t: t**3, x, vectorized=True), 3 * x**2, atol=1e-9)
