"""Sparse Jacobians and Hessians (``sparsity=``): values, evaluation counts,
colour counts, validity of the colourings, result types and bad input.

References: the analytic derivatives of MGH / CUTE style problems
(tests/sparse_problems.py), the dense ``jacobian``/``hessian`` of the same
method, and brute-force checks of the colouring conditions.
"""
import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import fastgrad
import sparse_problems as P
from fastgrad.differentiate._colouring import column_colouring, star_colouring

RNG = np.random.default_rng(12)


def on_pattern(M, pattern):
    """Dense M with the entries outside ``pattern`` set to zero."""
    return np.where(sp.csr_matrix(pattern).toarray() != 0, M, 0.0)


def vectorize(f):
    return lambda Z, *a: np.array([f(z, *a) for z in Z])


KINDS = {
    "numba": lambda name: P.JIT[name],
    "python": lambda name: getattr(P, name),
}

# ------------------------------------------------------------------ Jacobians


@pytest.mark.parametrize("kind", ["numba", "python", "vectorized"])
@pytest.mark.parametrize("method,tol", [("central", 1e-9), ("forward", 1e-6), ("backward", 1e-6),
                                        ("complex", 1e-14)])
def test_broyden_tridiagonal_jacobian(kind, method, tol):
    d = 40
    X = RNG.uniform(-1.0, 1.0, (3, d))
    f = P.broyden_tridiagonal if kind != "numba" else P.JIT["broyden_tridiagonal"]
    f = vectorize(f) if kind == "vectorized" else f
    Js, info = fastgrad.jacobian(f, X, method=method, sparsity=P.tridiagonal_pattern(d),
                                 vectorized=kind == "vectorized", full_output=True)
    assert isinstance(Js, list) and len(Js) == 3 and info.groups == 3
    dense = fastgrad.jacobian(P.broyden_tridiagonal, X, method=method)  # Python f: nothing to compile
    for x, J, Jd in zip(X, Js, dense):
        assert isinstance(J, sp.csr_matrix) and J.shape == (d, d) and J.nnz == 3 * d - 2
        np.testing.assert_allclose(J.toarray(), P.broyden_tridiagonal_jac(x), rtol=0, atol=tol * 4)
        # same steps, same formula: the dense entries exactly (f_i ignores the other columns)
        np.testing.assert_allclose(J.toarray(), on_pattern(Jd, J), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("kind", ["numba", "python"])
def test_broyden_banded_jacobian(kind):
    d = 30
    x = RNG.uniform(-1.0, 1.0, d)
    pattern = P.band_pattern(d, P.ML, P.MU)
    J, info = fastgrad.jacobian(KINDS[kind]("broyden_banded"), x, sparsity=pattern, full_output=True)
    assert info.groups == P.ML + P.MU + 1  # columns closer than ML + MU + 1 share a row
    np.testing.assert_allclose(J.toarray(), P.broyden_banded_jac(x), rtol=1e-8, atol=1e-8)


def test_tridiagonal_at_d_10000_needs_3_groups():
    d = 10_000
    x = RNG.uniform(-1.0, 1.0, d)
    J, info = fastgrad.jacobian(P.JIT["broyden_tridiagonal"], x, sparsity=P.tridiagonal_pattern(d),
                                full_output=True)
    assert info.groups == 3 and info.nfev == 2 * 3 + 1
    np.testing.assert_allclose(J.diagonal(), 3.0 - 4.0 * x, atol=1e-9)
    np.testing.assert_allclose(J.diagonal(1), -2.0, atol=1e-9)
    np.testing.assert_allclose(J.diagonal(-1), -1.0, atol=1e-9)


def test_large_batch_runs_the_parallel_kernel_with_the_same_results():
    # 1500 points x 6 evaluations is above fastgrad's parallel threshold
    from fastgrad import _config

    d, n = 8, 1500
    assert n * 6 >= _config.PARALLEL_MIN_EVALS
    X = RNG.uniform(-1.0, 1.0, (n, d))
    Js = fastgrad.jacobian(P.JIT["broyden_tridiagonal"], X, sparsity=P.tridiagonal_pattern(d))
    assert len(Js) == n
    serial = fastgrad.jacobian(P.broyden_tridiagonal, X[-5:], sparsity=P.tridiagonal_pattern(d))
    for J, Js_ in zip(Js[-5:], serial):
        np.testing.assert_allclose(J.toarray(), Js_.toarray(), rtol=1e-15, atol=1e-15)
    for x, J in zip(X[::300], Js[::300]):
        np.testing.assert_allclose(J.toarray(), P.broyden_tridiagonal_jac(x), atol=4e-9)


def _masked_function(M):
    # f_i = (sum_j M_ij sin(x_j))**2 + sum_j M_ij x_j: depends exactly on the pattern of M
    def f(x):
        return (M @ np.sin(x)) ** 2 + M @ x

    return f


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.floats(0.05, 0.6), st.integers(0, 2**32 - 1),
       st.sampled_from(["central", "forward", "complex"]))
def test_random_patterns_match_dense(m, d, density, seed, method):
    rng = np.random.default_rng(seed)
    mask = rng.random((m, d)) < density
    mask[np.arange(min(m, d)), np.arange(min(m, d))] = True
    M = np.where(mask, rng.uniform(0.5, 2.0, (m, d)), 0.0)
    f = _masked_function(M)
    x = rng.uniform(-1.0, 1.0, d)
    J, info = fastgrad.jacobian(f, x, method=method, sparsity=mask, full_output=True)
    Jd = fastgrad.jacobian(f, x, method=method)
    np.testing.assert_allclose(J.toarray(), on_pattern(Jd, mask), rtol=1e-12, atol=1e-12)
    assert info.groups <= d and info.groups >= mask.sum(axis=1).max()


class Counter:
    """A plain Python function that counts its calls."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x, *args):
        self.calls += 1
        return self.f(x, *args)


@pytest.mark.parametrize("method,per_group,base", [("central", 2, 0), ("forward", 1, 1), ("backward", 1, 1)])
def test_jacobian_evaluation_count(method, per_group, base):
    d, n = 25, 2
    f = Counter(P.broyden_banded)
    J, info = fastgrad.jacobian(f, RNG.uniform(-1, 1, (n, d)), method=method,
                                sparsity=P.band_pattern(d, P.ML, P.MU), full_output=True)
    ncol = P.ML + P.MU + 1
    assert info.groups == ncol
    assert f.calls == info.nfev == n * (per_group * ncol + base) + 1  # + 1: the probe


def test_jacobian_structure_follows_pattern_not_values():
    # a pattern entry whose derivative is zero stays stored (an explicit zero)
    pattern = np.array([[True, True], [False, True]])
    J = fastgrad.jacobian(lambda x: np.array([x[0] ** 2, x[1]]), [0.0, 1.0], sparsity=pattern)
    assert J.nnz == 3
    np.testing.assert_allclose(J.toarray(), [[0.0, 0.0], [0.0, 1.0]], atol=1e-10)


def test_empty_pattern_costs_no_evaluation():
    f = Counter(lambda x: np.array([x[0], x[1]]))
    J, info = fastgrad.jacobian(f, [1.0, 2.0], sparsity=sp.csr_matrix((2, 2)), full_output=True)
    assert J.nnz == 0 and J.shape == (2, 2) and f.calls == info.nfev == 1


def test_result_types():
    d = 6
    f = P.broyden_tridiagonal
    T = P.tridiagonal_pattern(d)
    x = RNG.uniform(-1, 1, d)
    assert type(fastgrad.jacobian(f, x, sparsity=T)) is sp.csr_matrix
    assert type(fastgrad.jacobian(f, x, sparsity=sp.csr_array(T))) is sp.csr_array
    assert type(fastgrad.jacobian(f, x, sparsity=T.toarray() != 0)) is sp.csr_matrix
    assert type(fastgrad.jacobian(f, x, sparsity=T.tocoo().astype(int))) is sp.csr_matrix
    H = fastgrad.hessian(P.arrowhead, x, sparsity=sp.coo_array(P.arrow_pattern(d)))
    assert type(H) is sp.csr_array
    # each matrix of a batch owns its index arrays
    J1, J2 = fastgrad.jacobian(f, np.stack([x, x]), sparsity=T)
    assert not np.shares_memory(J1.indices, J2.indices)


def test_inputs_are_not_modified():
    d = 7
    T = P.tridiagonal_pattern(d).tocoo()
    T = sp.coo_matrix((np.r_[T.data, 1.0], (np.r_[T.row, 0], np.r_[T.col, 0])), shape=T.shape)  # a duplicate
    before = (T.data.copy(), T.row.copy(), T.col.copy())
    x = RNG.uniform(-1, 1, d)
    x0 = x.copy()
    dense = T.toarray() != 0
    dense0 = dense.copy()
    fastgrad.jacobian(P.broyden_tridiagonal, x, sparsity=T)
    fastgrad.jacobian(P.broyden_tridiagonal, x, sparsity=dense)
    for a, b in zip(before, (T.data, T.row, T.col)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dense, dense0)


# ------------------------------------------------------------------- Hessians

HESS_PROBLEMS = {
    "arrowhead": (P.arrowhead_hess, P.arrow_pattern),
    "ext_rosenbrock": (P.ext_rosenbrock_hess, P.block_pattern),
    "banded_quartic": (P.banded_quartic_hess, lambda d: P.band_pattern(d, P.B, P.B)),
}


def _hessian_kinds(name, kind):
    f, grad = getattr(P, name), getattr(P, name + "_grad", None)
    if kind == "numba":
        return P.JIT[name], P.JIT.get(name + "_grad")
    if kind == "vectorized":
        return vectorize(f), vectorize(grad)
    return f, grad


# numba: one problem per path (compiling every driver for every problem costs CI time);
# the Python paths run the same stencils and cover all problems.
GRAD_CASES = [(name, k) for name in HESS_PROBLEMS for k in ("python", "vectorized")] + [("arrowhead", "numba")]
F_CASES = [(name, k) for name in HESS_PROBLEMS for k in ("python", "vectorized")] + [("banded_quartic", "numba")]


@pytest.mark.parametrize("name,kind", GRAD_CASES)
def test_hessian_from_grad(name, kind):
    d = 12
    hess, pattern = HESS_PROBLEMS[name]
    f, grad = _hessian_kinds(name, kind)
    X = RNG.uniform(-1.0, 1.0, (2, d))
    for method, tol in [("central", 1e-7), ("complex", 1e-13)]:
        Hs, info = fastgrad.hessian(f, X, grad=grad, method=method, sparsity=pattern(d),
                                    vectorized=kind == "vectorized", full_output=True)
        assert info.nfev == 2 * (info.groups * (2 if method == "central" else 1)) + 1
        # the dense method of the same order (on the plain Python function: no compiling)
        dense = fastgrad.hessian(getattr(P, name), X, grad=getattr(P, name + "_grad"), method=method)
        for x, H, Hd in zip(X, Hs, dense):
            true = hess(x)
            assert abs(H - H.T).max() == 0.0
            np.testing.assert_allclose(H.toarray(), true, rtol=0, atol=tol * max(1.0, np.abs(true).max()))
            np.testing.assert_allclose(H.toarray(), on_pattern(Hd, H), rtol=0, atol=2 * tol * np.abs(true).max())


@pytest.mark.parametrize("name,kind", F_CASES)
def test_hessian_from_f_equals_dense_on_pattern(name, kind):
    d = 10
    hess, pattern = HESS_PROBLEMS[name]
    f, _ = _hessian_kinds(name, kind)
    x = RNG.uniform(-1.0, 1.0, d)
    for method, tol in [("central", 1e-5), ("complex", 1e-7)]:
        H = fastgrad.hessian(f, x, method=method, sparsity=pattern(d), vectorized=kind == "vectorized")
        Hd = fastgrad.hessian(getattr(P, name), x, method=method)
        true = hess(x)
        np.testing.assert_allclose(H.toarray(), true, rtol=0, atol=tol * np.abs(true).max())
        if kind == "numba":  # compiled f may round differently from numpy's by an ulp
            np.testing.assert_allclose(H.toarray(), on_pattern(Hd, H), rtol=0, atol=tol * np.abs(true).max())
        else:  # the same stencil on the same points, entry by entry
            np.testing.assert_array_equal(H.toarray(), on_pattern(Hd, H))


def test_hessian_from_f_evaluation_count():
    d, n = 9, 2
    f = Counter(P.arrowhead)
    H, info = fastgrad.hessian(f, RNG.uniform(-1, 1, (n, d)), sparsity=P.arrow_pattern(d), full_output=True)
    off = d - 1  # off-diagonal pairs of the arrow
    assert f.calls == info.nfev == n * (1 + 2 * d + 2 * off) + 1 < n * (d * d + d + 1)


@pytest.mark.parametrize("d", [10, 100, 1000])
def test_arrow_hessian_needs_two_groups(d):
    g = Counter(P.arrowhead_grad)
    x = RNG.uniform(-1.0, 1.0, d)
    H, info = fastgrad.hessian(P.arrowhead, x, grad=g, sparsity=P.arrow_pattern(d), full_output=True)
    assert info.groups == 2 and g.calls == 2 * 2 + 1
    np.testing.assert_allclose(H.toarray(), P.arrowhead_hess(x), atol=1e-6)


@pytest.mark.parametrize("b", [1, 2, 3, 5])
def test_banded_colour_counts_grow_with_the_bandwidth(b):
    d = 200
    band = P.band_pattern(d, b, b)
    assert column_colouring(band)[1] == 2 * b + 1  # a clique of 2b + 1 columns: optimal
    assert star_colouring(band)[1] <= 2 * b + 1


def test_hessian_pattern_is_mirrored():
    d = 8
    lower = sp.tril(sp.csr_matrix(P.arrow_pattern(d)))
    x = RNG.uniform(-1, 1, d)
    H = fastgrad.hessian(P.arrowhead, x, grad=P.arrowhead_grad, sparsity=lower)
    assert H.nnz == 3 * d - 2
    np.testing.assert_allclose(H.toarray(), P.arrowhead_hess(x), atol=1e-6)


# ----------------------------------------------------- validity of colourings


def is_cpr_colouring(pattern, colour):
    A = sp.csr_matrix(pattern).toarray() != 0
    for c in range(colour.max() + 1):
        if (A[:, colour == c].sum(axis=1) > 1).any():
            return False
    return bool(np.all((colour >= 0) == A.any(axis=0)))


def is_star_colouring(pattern, colour):
    A = sp.csr_matrix(pattern).toarray() != 0
    A = A | A.T
    np.fill_diagonal(A, False)
    d = len(colour)
    nbrs = [np.flatnonzero(A[v]) for v in range(d)]
    if any(colour[v] == colour[w] for v in range(d) for w in nbrs[v]):
        return False  # not even a proper colouring
    for w, x in zip(*np.nonzero(np.triu(A))):  # the middle edge of every path v - w - x - y
        for v, y in itertools.product(nbrs[w], nbrs[x]):
            if len({v, w, x, y}) == 4 and colour[v] == colour[x] and colour[w] == colour[y]:
                return False
    return True


patterns = st.tuples(st.integers(1, 25), st.integers(1, 25), st.floats(0.0, 0.5), st.integers(0, 2**32 - 1))


@settings(max_examples=60, deadline=None)
@given(patterns)
def test_column_colouring_is_valid(spec):
    m, d, density, seed = spec
    A = sp.random(m, d, density=density, random_state=seed, format="csr")
    colour, ncol = column_colouring(A)
    assert is_cpr_colouring(A, colour) and (ncol == 0 or ncol == colour.max() + 1)


@settings(max_examples=60, deadline=None)
@given(patterns)
def test_star_colouring_is_valid(spec):
    _, d, density, seed = spec
    A = sp.random(d, d, density=density, random_state=seed, format="csr")
    A = ((A + A.T) != 0).astype(np.int8).tocsr()
    colour, ncol = star_colouring(A)
    assert is_star_colouring(A, colour)
    assert np.all((colour >= 0) == (np.diff(A.indptr) > 0))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 14), st.floats(0.05, 0.5), st.integers(0, 2**32 - 1))
def test_random_symmetric_hessians_from_grad(d, density, seed):
    # f = s.M.s / 2 + sum(cos x), s = sin x, with M symmetric of a random pattern
    rng = np.random.default_rng(seed)
    M = sp.random(d, d, density=density, random_state=rng).toarray()
    M = M + M.T
    s, c = np.sin, np.cos

    def f(x):
        return 0.5 * s(x) @ M @ s(x) + np.sum(c(x))

    def grad(x):
        return c(x) * (M @ s(x)) - s(x)

    x = rng.uniform(-1.0, 1.0, d)
    true = np.diag(c(x)) @ M @ np.diag(c(x)) - np.diag(s(x) * (M @ s(x))) - np.diag(c(x))
    pattern = (M != 0) | np.eye(d, dtype=bool)
    H = fastgrad.hessian(f, x, grad=grad, sparsity=pattern)
    np.testing.assert_allclose(H.toarray(), true, atol=1e-8)
    # from f alone: the dense stencil's entries on the pattern, exactly
    Hf = fastgrad.hessian(f, x, sparsity=pattern)
    np.testing.assert_array_equal(Hf.toarray(), np.where(pattern, fastgrad.hessian(f, x), 0.0))


def test_user_steps_are_the_dense_methods_steps():
    d = 9
    x = RNG.uniform(-1, 1, d)
    step = RNG.uniform(1e-5, 1e-3, d)
    S = P.band_pattern(d, P.ML, P.MU)
    for method in ("central", "forward"):
        J = fastgrad.jacobian(P.broyden_banded, x, method=method, step=step, sparsity=S)
        Jd = fastgrad.jacobian(P.broyden_banded, x, method=method, step=step)
        np.testing.assert_allclose(J.toarray(), on_pattern(Jd, S), rtol=1e-15, atol=1e-15)


def test_arrow_plus_band_needs_few_groups():
    # BDQRTIC-like: a band of half-width 3 plus a dense last row and column
    d, b = 400, 3
    A = P.band_pattern(d, b, b).tolil()
    A[-1, :] = 1
    A[:, -1] = 1
    assert star_colouring(A.tocsr())[1] <= 2 * b + 2


# ----------------------------------------------------------------- bad input

F = P.broyden_tridiagonal
X6 = np.linspace(-0.5, 0.5, 6)


@pytest.mark.parametrize("op", ["jacobian", "hessian"])
@pytest.mark.parametrize("bad,exc,match", [
    (np.ones((5, 6), dtype=bool), ValueError, r"sparsity has shape \(5, 6\), but the (Jacobian|Hessian)"),
    (sp.eye(7, format="csr"), ValueError, r"sparsity has shape \(7, 7\)"),
    (np.ones((6, 6)) * 2, ValueError, "only booleans or the values 0 and 1.*got 2"),
    (-np.eye(6), ValueError, "only booleans or the values 0 and 1.*got -1"),
    (sp.csr_matrix(-np.eye(6)), ValueError, "only booleans or the values 0 and 1"),
    (np.full((6, 6), 0.5), ValueError, "got 0.5"),
    (np.where(np.eye(6) > 0, np.nan, 0.0), ValueError, "got nan"),
    (np.full((6, 6), "x"), TypeError, "sparsity must be boolean or numeric"),
    (np.ones(6, dtype=bool), ValueError, "sparsity must be 2-D"),
    (np.ones((6, 6, 1), dtype=bool), ValueError, "sparsity must be 2-D"),
    (3, TypeError, "sparsity must be a scipy.sparse matrix or a 2-D boolean"),
    ("tridiagonal", TypeError, "sparsity must be a scipy.sparse matrix"),
], ids=["shape", "sparse-shape", "twos", "negative", "sparse-negative", "fraction", "nan", "strings",
        "1d", "3d", "int", "str"])
def test_bad_sparsity(op, bad, exc, match):
    with pytest.raises(exc, match=match):
        if op == "jacobian":
            fastgrad.jacobian(F, X6, sparsity=bad)
        else:
            fastgrad.hessian(P.arrowhead, X6, sparsity=bad)


def test_jacobian_shape_message_names_both_dimensions():
    with pytest.raises(ValueError, match=r"Jacobian of f \(6 outputs, d=6 coordinates\) has shape \(6, 6\)"):
        fastgrad.jacobian(F, X6, sparsity=np.ones((6, 5), dtype=bool))


@pytest.mark.parametrize("op,method", [("jacobian", "richardson"), ("hessian", "richardson")])
def test_methods_that_cannot_use_sparsity(op, method):
    g = Counter(F)
    with pytest.raises(ValueError, match="method='richardson' cannot be combined with sparsity.*'central'"):
        if op == "jacobian":
            fastgrad.jacobian(g, X6, method=method, sparsity=P.tridiagonal_pattern(6))
        else:
            fastgrad.hessian(g, X6, method=method, sparsity=P.arrow_pattern(6))
    assert g.calls == 0  # refused before f is evaluated


def test_unknown_method_with_sparsity_lists_the_methods():
    with pytest.raises(ValueError, match="method='spline' is not supported"):
        fastgrad.jacobian(F, X6, method="spline", sparsity=P.tridiagonal_pattern(6))


@pytest.mark.parametrize("kind", ["numba", "python", "vectorized"])
def test_non_finite_values_are_reported_with_the_point(kind):
    x = np.array([0.1, 0.2, 0.5, 0.3])
    if kind == "numba":
        import numba

        f = numba.njit(lambda z: z * z if z[2] <= 0.5 else z * np.inf)
    elif kind == "python":
        f = lambda z: z * z if z[2] <= 0.5 else z * np.inf  # noqa: E731
    else:
        f = lambda Z: np.where(Z[:, 2:3] <= 0.5, Z * Z, Z * np.inf)  # noqa: E731
    with pytest.raises(ValueError, match=r"non-finite value.*evaluation point \[0\.1000\d*\s+0\.2000\d*\s+0\.5000\d*\s+0\.3000"):
        fastgrad.jacobian(f, x, sparsity=np.eye(4, dtype=bool), vectorized=kind == "vectorized")


def test_a_pattern_changed_in_place_is_not_served_from_the_cache():
    d = 6
    x = RNG.uniform(-1, 1, d)
    f = lambda z: z**3  # noqa: E731  (diagonal Jacobian: both patterns below are right)
    pattern = P.tridiagonal_pattern(d).toarray() != 0
    J1, info1 = fastgrad.jacobian(f, x, sparsity=pattern, full_output=True)
    J2 = fastgrad.jacobian(f, x, sparsity=pattern)  # served from the cache: the same result
    assert info1.groups == 3 and J1.nnz == 3 * d - 2 and (J1 != J2).nnz == 0
    pattern[:] = np.eye(d, dtype=bool)  # the same object and shape, a different pattern
    J3, info3 = fastgrad.jacobian(f, x, sparsity=pattern, full_output=True)
    assert J3.nnz == d and info3.groups == 1
    np.testing.assert_allclose(J3.diagonal(), 3.0 * x**2, atol=1e-9)


def test_a_colliding_cache_key_is_caught_by_the_exact_comparison():
    # Two patterns that differ in row 0 only -- same shape, nnz and indptr, the
    # same middle entries (what the cache's O(1) key looks at); the CSR arrays
    # of the first are overwritten in place with the second's, which is f's.
    d = 6
    eye = sp.eye(d, format="lil")
    first, second = eye.copy(), eye.copy()
    first[0, 1] = 1.0
    second[0, 2] = 1.0
    first, second = first.tocsr(), second.tocsr()
    assert np.array_equal(first.indptr, second.indptr) and first.indices[3] == second.indices[3]

    def f(z):
        r = z**3
        r[0] += z[2] ** 3
        return r

    x = RNG.uniform(-1, 1, d)
    fastgrad.jacobian(f, x, sparsity=first)  # a wrong pattern for f: only fills the cache
    first.indices[:] = second.indices
    J = fastgrad.jacobian(f, x, sparsity=first)
    true = np.diag(3.0 * x**2)
    true[0, 2] = 3.0 * x[2] ** 2
    np.testing.assert_allclose(J.toarray(), true, atol=1e-9)
    np.testing.assert_array_equal(J.indices, second.indices)
