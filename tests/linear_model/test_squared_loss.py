"""Fused least-squares kernel (fastgrad.linear_model._squared_loss) against plain numpy."""

import doctest

import numpy as np
import pytest
import scipy.sparse as sp
from naive_losses import naive_squared_loss_gradient
from numpy.testing import assert_allclose
from scipy.optimize import approx_fprime, check_grad

from fastgrad.linear_model import _squared_loss
from fastgrad.linear_model import _squared_loss_fast as kernel
from fastgrad.linear_model._squared_loss import squared_loss_gradient

# float32 data, float64 sums: the error comes from rounding the inputs and
# the stored gradient, so 1e-4 is generous; float64 should match to ~1e-12.
RTOL = {np.float32: 1e-4, np.float64: 1e-10}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}

# (n_samples, n_features): tiny, the serial path, and one large enough for
# the threaded path (n * p >= 50_000).
SHAPES = {"tiny": (3, 1), "serial": (200, 7), "parallel": (20_000, 30)}


def make_problem(n, p, dtype=np.float64, weighted=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    coef = rng.standard_normal(p).astype(dtype)
    sw = rng.uniform(0.0, 2.0, n).astype(dtype) if weighted else None
    return coef, X, y, sw


def reference(coef, X, y, sw, **kw):
    """The naive version on float64 copies: an accurate, independent answer."""
    as64 = (lambda a: None if a is None else np.asarray(a, dtype=np.float64))
    return naive_squared_loss_gradient(as64(coef), as64(X), as64(y), sample_weight=as64(sw), **kw)


def assert_matches(result, expected, dtype):
    loss, grad, grad_b = result
    exp_loss, exp_grad, exp_b = expected
    rtol, atol = RTOL[dtype], ATOL[dtype]
    assert isinstance(loss, float) and isinstance(grad_b, float)
    assert grad.dtype == dtype and grad.shape == exp_grad.shape
    assert_allclose(loss, exp_loss, rtol=rtol, atol=atol)
    assert_allclose(grad, exp_grad, rtol=rtol, atol=atol)
    assert_allclose(grad_b, exp_b, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("alpha", [0.0, 0.7], ids=["alpha0", "alpha0.7"])
def test_matches_naive(shape, dtype, weighted, alpha):
    coef, X, y, sw = make_problem(*shape, dtype=dtype, weighted=weighted)
    kw = dict(intercept=0.3, alpha=alpha)
    result = squared_loss_gradient(coef, X, y, sample_weight=sw, n_threads=2, **kw)
    assert_matches(result, reference(coef, X, y, sw, **kw), dtype)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 4001], ids=lambda n: f"n{n}")
@pytest.mark.parametrize("p", [1, 2, 3, 5, 16], ids=lambda p: f"p{p}")
def test_odd_shapes(n, p):
    # Row blocks and unrolled column loops have remainders; hit them all.
    coef, X, y, sw = make_problem(n, p, weighted=True, seed=n * 31 + p)
    for weights in (None, sw):
        result = squared_loss_gradient(coef, X, y, sample_weight=weights, n_threads=2)
        assert_matches(result, reference(coef, X, y, weights), np.float64)


def test_matches_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 0.0])
    # residuals r = X @ w + b - y = [0, 0, 2] + b
    loss, grad, grad_b = squared_loss_gradient([1.0, 1.0], X, y)
    assert loss == pytest.approx(0.5 * 4 / 3)
    assert_allclose(grad, [2 / 3, 2 / 3])
    assert grad_b == pytest.approx(2 / 3)
    # weight only the last sample, add an L2 penalty on w
    loss, grad, grad_b = squared_loss_gradient(
        [1.0, 1.0], X, y, sample_weight=[0.0, 0.0, 2.0], alpha=0.5
    )
    assert loss == pytest.approx(0.5 * 4 + 0.5 * 0.5 * 2)
    assert_allclose(grad, [2.0 + 0.5, 2.0 + 0.5])
    assert grad_b == pytest.approx(2.0)


def test_unit_weights_same_as_none():
    coef, X, y, _ = make_problem(20_000, 30)
    no_w = squared_loss_gradient(coef, X, y, n_threads=2)
    ones = squared_loss_gradient(coef, X, y, sample_weight=np.ones(len(y)), n_threads=2)
    scalar = squared_loss_gradient(coef, X, y, sample_weight=3.0, n_threads=2)
    for other in (ones, scalar):
        assert_allclose(other[0], no_w[0], rtol=1e-13)
        assert_allclose(other[1], no_w[1], rtol=1e-13)
        assert_allclose(other[2], no_w[2], rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_thread_counts_agree(dtype, weighted):
    coef, X, y, sw = make_problem(20_000, 30, dtype=dtype, weighted=weighted)
    one = squared_loss_gradient(coef, X, y, sample_weight=sw, alpha=0.1, n_threads=1)
    for n_threads in (2, 3, None):
        many = squared_loss_gradient(coef, X, y, sample_weight=sw, alpha=0.1, n_threads=n_threads)
        # only the order of the float64 sums differs
        assert_allclose(many[0], one[0], rtol=1e-12)
        assert_allclose(many[1], one[1], rtol=1e-12 if dtype == np.float64 else 1e-6)
        assert_allclose(many[2], one[2], rtol=1e-12)


def test_deterministic_for_fixed_threads():
    coef, X, y, sw = make_problem(20_000, 30, weighted=True)
    first = squared_loss_gradient(coef, X, y, sample_weight=sw, n_threads=2)
    for _ in range(3):
        again = squared_loss_gradient(coef, X, y, sample_weight=sw, n_threads=2)
        assert again[0] == first[0] and again[2] == first[2]
        np.testing.assert_array_equal(again[1], first[1])


# --------------------------------------------------------------------------
# layouts and dtypes of the inputs
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [SHAPES["serial"], SHAPES["parallel"]], ids=["serial", "parallel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_fortran_and_readonly_inputs(shape, dtype):
    coef, X, y, sw = make_problem(*shape, dtype=dtype, weighted=True)
    expected = squared_loss_gradient(coef, X, y, sample_weight=sw, alpha=0.2)

    X_f = np.asfortranarray(X)
    frozen = [a.copy() for a in (coef, X, y, sw)]
    for a in frozen:
        a.flags.writeable = False
    backups = [a.copy() for a in (coef, X_f, *frozen)]

    for args in [(coef, X_f, y, sw), tuple(frozen)]:
        got = squared_loss_gradient(args[0], args[1], args[2], sample_weight=args[3], alpha=0.2)
        assert got[0] == expected[0] and got[2] == expected[2]
        np.testing.assert_array_equal(got[1], expected[1])
    # nothing was written to
    for a, b in zip((coef, X_f, *frozen), backups):
        np.testing.assert_array_equal(a, b)
    assert X_f.flags.f_contiguous


def test_inputs_not_modified():
    coef, X, y, sw = make_problem(20_000, 30, weighted=True)
    backups = [a.copy() for a in (coef, X, y, sw)]
    squared_loss_gradient(coef, X, y, sample_weight=sw, alpha=1.0, intercept=2.0)
    for a, b in zip((coef, X, y, sw), backups):
        np.testing.assert_array_equal(a, b)


def test_strided_and_list_inputs():
    coef, X, y, sw = make_problem(400, 6, weighted=True)
    expected = reference(coef, X, y, sw)
    wide = np.zeros((400, 12))
    wide[:, ::2] = X                      # non-contiguous view
    got = squared_loss_gradient(list(coef), wide[:, ::2], y[::1].tolist(), sample_weight=sw)
    assert_matches(got, expected, np.float64)


@pytest.mark.parametrize("dtype", [np.int64, np.float16, bool], ids=["int64", "float16", "bool"])
def test_other_dtypes_become_float64(dtype):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, (50, 4)).astype(dtype)
    y = rng.standard_normal(50)
    coef = rng.standard_normal(4)
    got = squared_loss_gradient(coef, X, y)
    assert got[1].dtype == np.float64
    assert_matches(got, reference(coef, X.astype(np.float64), y, None), np.float64)


def test_float32_X_casts_the_rest():
    coef, X, y, sw = make_problem(300, 5, dtype=np.float64, weighted=True)
    got = squared_loss_gradient(coef, X.astype(np.float32), y, sample_weight=sw)
    assert got[1].dtype == np.float32
    assert_matches(got, reference(coef, X, y, sw), np.float32)


# --------------------------------------------------------------------------
# the gradient is the gradient of the loss
# --------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_gradient_of_loss_check_grad(weighted):
    coef, X, y, sw = make_problem(500, 6, weighted=weighted)

    def loss(theta):
        return squared_loss_gradient(theta[:-1], X, y, intercept=theta[-1], sample_weight=sw, alpha=0.3)[0]

    def grad(theta):
        _, g, g_b = squared_loss_gradient(theta[:-1], X, y, intercept=theta[-1], sample_weight=sw, alpha=0.3)
        return np.append(g, g_b)

    theta = np.append(coef, 0.4)
    # central differences are exact for a quadratic up to rounding
    assert check_grad(loss, grad, theta, epsilon=1e-6) < 1e-6 * max(1.0, np.linalg.norm(grad(theta)))
    assert_allclose(approx_fprime(theta, loss, 1e-7), grad(theta), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# the compiled hooks
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_py_hooks(dtype, weighted, n_threads):
    coef, X, y, sw = make_problem(20_000, 30, dtype=dtype, weighted=weighted)
    expected = reference(coef, X, y, sw, intercept=-0.2, alpha=0.5)
    result = kernel.py_squared_loss_gradient(X, y, coef, sw, -0.2, 0.5, n_threads)
    assert_matches(result, expected, dtype)
    loss = kernel.py_squared_loss(X, y, coef, sw, intercept=-0.2, alpha=0.5, n_threads=n_threads)
    assert loss == result[0]


def test_py_hook_shape_checks():
    coef, X, y, _ = make_problem(10, 3)
    with pytest.raises(ValueError, match="y has 9 entries"):
        kernel.py_squared_loss_gradient(X, y[:9], coef)
    with pytest.raises(ValueError, match="coef has 2 entries"):
        kernel.py_squared_loss_gradient(X, y, coef[:2])
    with pytest.raises(ValueError, match="sample_weight has 3 entries"):
        kernel.py_squared_loss_gradient(X, y, coef, np.ones(3))
    with pytest.raises(ValueError, match="n_threads"):
        kernel.py_squared_loss_gradient(X, y, coef, None, 0.0, 0.0, 0)
    with pytest.raises(ValueError, match="at least one row"):
        kernel.py_squared_loss_gradient(X[:0], y[:0], coef)
    with pytest.raises((TypeError, ValueError), match="dtype|signature"):  # mixed dtypes
        kernel.py_squared_loss_gradient(X.astype(np.float32), y, coef)


def test_docstring_examples():
    result = doctest.testmod(_squared_loss, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_openmp_helpers():
    assert isinstance(kernel.openmp_enabled(), bool)
    assert kernel.openmp_max_threads() >= 1


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------

def _valid():
    coef, X, y, sw = make_problem(10, 3, weighted=True)
    return dict(coef=coef, X=X, y=y, sample_weight=sw)


def _with(**changes):
    args = _valid()
    args.update(changes)
    return args


def _nan_in(a, value=np.nan):
    a = a.copy()
    a.flat[1] = value
    return a


BAD_INPUTS = {
    # name: (arguments, exception, pattern the message must match)
    "X-nan": (lambda a: _with(X=_nan_in(a["X"])), ValueError, r"Invalid X.*NaN"),
    "X-inf": (lambda a: _with(X=_nan_in(a["X"], np.inf)), ValueError, r"Invalid X.*infinity"),
    "X-empty-rows": (lambda a: _with(X=a["X"][:0], y=a["y"][:0], sample_weight=None), ValueError, r"Invalid X.*0 sample"),
    "X-empty-cols": (lambda a: _with(X=a["X"][:, :0], coef=a["coef"][:0]), ValueError, r"Invalid X.*0 feature"),
    "X-strings": (lambda a: _with(X=np.array([["a", "b", "c"]] * 10)), ValueError, r"Invalid X.*string"),
    "X-objects": (lambda a: _with(X=np.array([[1, "b", None]] * 10, dtype=object)), (ValueError, TypeError), r"Invalid X"),
    "X-complex": (lambda a: _with(X=a["X"] + 1j), ValueError, r"Invalid X.*[Cc]omplex"),
    "X-3d": (lambda a: _with(X=a["X"][:, :, None]), ValueError, r"Invalid X.*dim 3"),
    "X-1d": (lambda a: _with(X=a["y"]), ValueError, r"Invalid X.*2D"),
    "X-sparse": (lambda a: _with(X=sp.csr_matrix(a["X"])), TypeError, r"X is a scipy.sparse matrix.*toarray"),
    "X-None": (lambda a: _with(X=None), (ValueError, TypeError), r"Invalid X"),
    "y-nan": (lambda a: _with(y=_nan_in(a["y"])), ValueError, r"Invalid y.*NaN"),
    "y-inf": (lambda a: _with(y=_nan_in(a["y"], -np.inf)), ValueError, r"Invalid y.*infinity"),
    "y-short": (lambda a: _with(y=a["y"][:9]), ValueError, r"Invalid y.*inconsistent numbers of samples"),
    "y-2d": (lambda a: _with(y=a["y"][:, None]), ValueError, r"Invalid y: got an array of shape \(10, 1\)"),
    "y-scalar": (lambda a: _with(y=1.0), (ValueError, TypeError), r"Invalid y"),
    "y-strings": (lambda a: _with(y=np.array(["a"] * 10)), ValueError, r"Invalid y"),
    "coef-short": (lambda a: _with(coef=a["coef"][:2]), ValueError, r"Invalid coef: it has 2 entries but X has 3 columns"),
    "coef-2d": (lambda a: _with(coef=a["coef"][None, :]), ValueError, r"Invalid coef: got an array of shape \(1, 3\)"),
    "coef-nan": (lambda a: _with(coef=_nan_in(a["coef"])), ValueError, r"Invalid coef.*NaN"),
    "sw-negative": (lambda a: _with(sample_weight=_nan_in(a["sample_weight"], -1.0)), ValueError, r"Invalid sample_weight.*Negative"),
    "sw-all-zero": (lambda a: _with(sample_weight=np.zeros(10)), ValueError, r"Invalid sample_weight.*non-zero"),
    "sw-nan": (lambda a: _with(sample_weight=_nan_in(a["sample_weight"])), ValueError, r"Invalid sample_weight.*NaN"),
    "sw-inf": (lambda a: _with(sample_weight=_nan_in(a["sample_weight"], np.inf)), ValueError, r"Invalid sample_weight.*infinity"),
    "sw-short": (lambda a: _with(sample_weight=np.ones(9)), ValueError, r"Invalid sample_weight.*expected \(10,\)"),
    "sw-2d": (lambda a: _with(sample_weight=np.ones((10, 1))), ValueError, r"Invalid sample_weight.*1D"),
    "sw-scalar-nan": (lambda a: _with(sample_weight=float("nan")), ValueError, r"Invalid sample_weight.*not finite"),
    "sw-scalar-negative": (lambda a: _with(sample_weight=-2.0), ValueError, r"Invalid sample_weight.*Negative"),
}

BAD_SCALARS = {
    "alpha-negative": (dict(alpha=-0.1), ValueError, r"Invalid alpha.*must be >= 0"),
    "alpha-nan": (dict(alpha=float("nan")), ValueError, r"Invalid alpha.*finite"),
    "alpha-inf": (dict(alpha=np.inf), ValueError, r"Invalid alpha.*finite"),
    "alpha-string": (dict(alpha="1"), TypeError, r"Invalid alpha.*must be an instance"),
    "intercept-nan": (dict(intercept=np.nan), ValueError, r"Invalid intercept.*finite"),
    "intercept-array": (dict(intercept=np.ones(2)), TypeError, r"Invalid intercept"),
    "n_threads-zero": (dict(n_threads=0), ValueError, r"Invalid n_threads.*>= 1"),
    "n_threads-float": (dict(n_threads=2.0), TypeError, r"Invalid n_threads.*int"),
    "n_threads-bool": (dict(n_threads=True), TypeError, r"Invalid n_threads.*bool"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_arrays_raise(case):
    make_args, exc, pattern = case
    args = make_args(_valid())
    with pytest.raises(exc, match=pattern):
        squared_loss_gradient(args["coef"], args["X"], args["y"], sample_weight=args["sample_weight"])


@pytest.mark.parametrize("case", list(BAD_SCALARS.values()), ids=list(BAD_SCALARS))
def test_bad_scalars_raise(case):
    kwargs, exc, pattern = case
    args = _valid()
    with pytest.raises(exc, match=pattern):
        squared_loss_gradient(args["coef"], args["X"], args["y"], **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("shape", [SHAPES["serial"], SHAPES["parallel"]], ids=["serial", "parallel"])
def test_nonfinite_X_found_even_where_it_cannot_matter(bad, shape):
    # NaN/inf in X are detected from the kernel's result, not by a scan of X
    # up front; this is the hardest case: zero weight and zero coefficient.
    coef, X, y, sw = make_problem(*shape, weighted=True)
    X[-3, 2] = bad
    coef[2] = 0.0
    sw[-3] = 0.0
    with pytest.raises(ValueError, match=r"Invalid X.*(NaN|infinity)"):
        squared_loss_gradient(coef, X, y, sample_weight=sw, n_threads=2)
    with pytest.raises(ValueError, match=r"Invalid X.*(NaN|infinity)"):
        squared_loss_gradient(coef, X.astype(np.float32), y)


def test_overflow_is_an_error_not_inf():
    coef, X, y, _ = make_problem(50, 3)
    with pytest.raises(ValueError, match="overflowed.*Rescale"):
        squared_loss_gradient(coef, X * 1e200, y)
    # float32 data: float64 sums, but the float32 gradient overflows
    with pytest.raises(ValueError, match="overflowed"):
        squared_loss_gradient(coef, (X * 1e30).astype(np.float32), y)


def test_keyword_only_options():
    args = _valid()
    with pytest.raises(TypeError):
        squared_loss_gradient(args["coef"], args["X"], args["y"], 0.0)
