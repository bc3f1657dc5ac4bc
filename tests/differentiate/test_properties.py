"""Property-based tests (hypothesis) on quadratics, whose derivatives are known exactly."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import fastgrad

dims = st.integers(min_value=1, max_value=6)
finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)


@st.composite
def quadratic_problem(draw):
    d = draw(dims)
    n = draw(st.integers(min_value=1, max_value=4))
    A = draw(arrays(np.float64, (d, d), elements=finite))
    b = draw(arrays(np.float64, (d,), elements=finite))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    v = draw(arrays(np.float64, (d,), elements=finite))
    return A, b, X, v


def _f(x, A, b):
    return x @ A @ x + b @ x


def _fvec(P, A, b):
    return np.einsum("ni,ij,nj->n", P, A, P) + P @ b


@settings(max_examples=60, deadline=None)
@given(quadratic_problem())
def test_quadratic_derivatives_match_closed_form(problem):
    A, b, X, v = problem
    copies = [a.copy() for a in problem]
    S = A + A.T
    G = X @ A.T + X @ A + b
    scale = 1.0 + np.abs(S).sum() * (1.0 + np.abs(X).max()) + np.abs(b).sum()
    for kind in ("python", "vectorized"):
        f = _f if kind == "python" else _fvec
        vec = kind == "vectorized"
        g = fastgrad.gradient(f, X, args=(A, b), vectorized=vec)
        assert np.max(np.abs(g - G)) <= 1e-8 * scale
        gc = fastgrad.gradient(f, X, args=(A, b), vectorized=vec, method="complex")
        assert np.max(np.abs(gc - G)) <= 1e-13 * scale
        H = fastgrad.hessian(f, X, args=(A, b), vectorized=vec)
        assert np.max(np.abs(H - S)) <= 1e-5 * scale
        np.testing.assert_array_equal(H, np.swapaxes(H, 1, 2))
        hv = fastgrad.hvp(f, X, v, args=(A, b), vectorized=vec)
        assert np.max(np.abs(hv - S @ v)) <= 1e-5 * scale * (1.0 + np.abs(v).max())
    for a, c in zip(problem, copies):
        np.testing.assert_array_equal(a, c)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 5)), elements=finite))
def test_batch_results_match_single_points(X):
    f = lambda x: np.sum(np.sin(x) * np.exp(0.1 * x))
    batch = fastgrad.gradient(f, X)
    for i in range(X.shape[0]):
        np.testing.assert_array_equal(fastgrad.gradient(f, X[i]), batch[i])
