"""lasso_path / enet_path against scikit-learn and the plain-numpy references."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning

from fastgrad.linear_model import enet_path, lasso_path
from fastgrad.linear_model._cd_fast import py_gram_cd_path, py_residual_cd_path
from fastgrad.linear_model._paths import _alpha_grid

from naive_paths import naive_alpha_max, naive_enet_path, naive_multitask_path

TIGHT = dict(tol=1e-12, max_iter=100000)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _wide(seed=0, n=40, p=120):
    X, y = make_regression(n, p, n_informative=8, noise=1.0, random_state=seed)
    return X, y / y.std()


def _compare(ours, theirs, atol=1e-6):
    a1, c1, g1 = ours
    a2, c2, g2 = theirs
    np.testing.assert_allclose(a1, a2, rtol=1e-12)
    scale = max(1.0, np.abs(c2).max())
    np.testing.assert_allclose(c1, c2, atol=atol * scale, rtol=0)
    assert g1.shape == g2.shape


@pytest.mark.parametrize("precompute", ["auto", True, False])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_path_matches_sklearn_dense(diabetes, precompute, positive):
    X, y = diabetes
    ours = lasso_path(X, y, precompute=precompute, positive=positive, **TIGHT)
    _compare(ours, sk.lasso_path(X, y, precompute=precompute, positive=positive, **TIGHT))
    if positive:
        assert ours[1].min() >= 0


@pytest.mark.parametrize("l1_ratio", [0.2, 0.7, 1.0])
@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_enet_path_matches_sklearn_sparse(l1_ratio, fmt):
    X, y = _wide(1)
    X[np.abs(X) < 1.0] = 0.0
    Xs = sp.csr_matrix(X).asformat(fmt)
    ours = enet_path(Xs, y, l1_ratio=l1_ratio, alphas=20, **TIGHT)
    _compare(ours, sk.enet_path(Xs, y, l1_ratio=l1_ratio, alphas=20, **TIGHT))
    # same answer as the dense loop on the same data
    _compare(ours, enet_path(X, y, l1_ratio=l1_ratio, alphas=20, **TIGHT))


def test_wide_path_with_working_sets_matches_the_plain_loop():
    X, y = _wide(2)
    alphas = np.geomspace(0.5, 0.005, 15)
    ours = enet_path(X, y, l1_ratio=0.9, alphas=alphas, **TIGHT)
    naive = naive_enet_path(X, y, alphas, l1_ratio=0.9)
    np.testing.assert_allclose(ours[1], naive, atol=1e-7)
    # screening off must give the same path
    plain = enet_path(X, y, l1_ratio=0.9, alphas=alphas, do_screening=False, **TIGHT)
    np.testing.assert_allclose(ours[1], plain[1], atol=1e-8)


def test_multi_target_is_the_multitask_penalty():
    X, y = _wide(3, n=50, p=30)
    Y = np.c_[y, X[:, :3] @ [1.0, -2.0, 0.5]]
    ours = enet_path(X, Y, l1_ratio=0.8, alphas=6, **TIGHT)
    _compare(ours, sk.enet_path(X, Y, l1_ratio=0.8, alphas=6, **TIGHT))
    naive = naive_multitask_path(X, Y, ours[0], l1_ratio=0.8)
    np.testing.assert_allclose(ours[1], naive, atol=1e-7)
    assert ours[1].shape == (2, 30, 6)
    # whole feature rows enter or leave together
    active = np.abs(ours[1]).sum(axis=0) > 0
    assert np.all((ours[1] != 0) == active[None])


def test_sparse_multi_target_gives_the_dense_answer():
    X, y = _wide(4, n=30, p=12)
    X[np.abs(X) < 0.8] = 0.0
    Y = np.c_[y, -y + X[:, 0]]
    dense = lasso_path(X, Y, alphas=5, **TIGHT)
    _compare(lasso_path(sp.csc_matrix(X), Y, alphas=5, **TIGHT), dense)


def test_float32_keeps_its_dtype(diabetes):
    X, y = diabetes
    alphas, coefs, gaps = lasso_path(X.astype(np.float32), y.astype(np.float32), alphas=10)
    assert coefs.dtype == np.float32 and gaps.dtype == np.float64
    ref = lasso_path(X, y, alphas=10)[1]
    np.testing.assert_allclose(coefs, ref, atol=1e-2 * np.abs(ref).max())


def test_alpha_grid_reaches_zero_at_alpha_max(diabetes):
    X, y = diabetes
    sw = np.linspace(0.5, 2.0, len(y))
    for fit_intercept in (True, False):
        grid = _alpha_grid(X, y, fit_intercept=fit_intercept, sample_weight=sw, n_alphas=5)
        assert grid[0] == pytest.approx(naive_alpha_max(X, y, sw, fit_intercept), rel=1e-12)
        np.testing.assert_allclose(grid[-1] / grid[0], 1e-3)
    alphas, coefs, _ = lasso_path(X, y, alphas=4)
    assert np.all(coefs[:, 0] == 0) and np.any(coefs[:, 1] != 0)


def test_user_alphas_sorted_coef_init_and_n_iter(diabetes):
    X, y = diabetes
    alphas, coefs, gaps, n_iter = lasso_path(X, y, alphas=[0.01, 1.0, 0.1], return_n_iter=True)
    np.testing.assert_array_equal(alphas, [1.0, 0.1, 0.01])
    assert len(n_iter) == 3 and all(isinstance(v, int) for v in n_iter)
    # starting at the solution: the first alpha needs no epoch
    start = coefs[:, 0]
    _, _, _, again = lasso_path(X, y, alphas=[1.0], coef_init=start, return_n_iter=True)
    assert again == [0]


def test_precomputed_gram_and_xy(diabetes):
    X, y = diabetes
    ours = lasso_path(X, y, precompute=X.T @ X, Xy=X.T @ y, alphas=8, **TIGHT)
    _compare(ours, lasso_path(X, y, alphas=8, **TIGHT))
    with pytest.raises(ValueError, match="Gram matrix"):
        lasso_path(X, y, precompute=np.eye(X.shape[1]) * 3.0, alphas=3)


def test_kernels_agree_with_each_other():
    X, y = _wide(5, n=80, p=20)
    n, p = X.shape
    l1 = np.geomspace(0.3, 0.003, 10)
    l2 = 0.1 * l1
    out = {}
    for name in ("gram", "residual"):
        coefs = np.zeros((10, p))
        gaps, iters, status = np.zeros(10), np.zeros(10, np.intc), np.zeros(10, np.intc)
        w = np.zeros(p)
        if name == "gram":
            py_gram_cd_path(X.T @ X / n, X.T @ y / n, y @ y / n, w, l1, l2, 10000, 1e-12,
                            False, False, 0, coefs, gaps, iters, status)
        else:
            py_residual_cd_path(np.asfortranarray(X), y, w, l1, l2, 10000, 1e-12,
                                False, False, 0, coefs, gaps, iters, status)
        assert np.all(status == 0)
        out[name] = coefs
    np.testing.assert_allclose(out["gram"], out["residual"], atol=1e-8)


def test_random_selection_converges_to_the_same_path(diabetes):
    X, y = diabetes
    a = lasso_path(X, y, alphas=10, selection="random", random_state=0, **TIGHT)
    _compare(a, lasso_path(X, y, alphas=10, **TIGHT), atol=1e-5)


def test_unconverged_path_warns(diabetes):
    X, y = diabetes
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        lasso_path(X, y, alphas=5, max_iter=1, tol=1e-14, precompute=False)


def test_bad_parameters():
    X, y = _wide(6, n=20, p=5)
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path(X, y, l1_ratio=1.5)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        enet_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match=r"alphas\[1\]"):
        lasso_path(X, y, alphas=[0.1, -1.0])
    with pytest.raises(ValueError, match="positive=True is not allowed"):
        lasso_path(X, np.c_[y, y], positive=True)
    with pytest.raises(ValueError, match="Unexpected parameters"):
        lasso_path(X, y, bogus=1)
    with pytest.raises(ValueError, match="coef_init"):
        lasso_path(X, y, coef_init=np.zeros(3))
    # an empty grid is an empty path, as in scikit-learn
    alphas, coefs, gaps = lasso_path(X, y, alphas=[])
    assert alphas.shape == (0,) and coefs.shape == (5, 0) and gaps.shape == (0,)


def test_deprecated_n_alphas_warns_like_sklearn():
    X, y = _wide(7, n=20, p=5)
    with pytest.warns(FutureWarning, match="n_alphas"):
        alphas, _, _ = lasso_path(X, y, n_alphas=7)
    assert alphas.shape == (7,)
    with pytest.warns(FutureWarning, match="alphas=None"):
        assert lasso_path(X, y, alphas=None)[0].shape == (100,)


def test_inputs_are_not_modified(diabetes):
    X, y = diabetes
    X0, y0 = X.copy(), y.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enet_path(X, y, alphas=5, precompute=False)
        enet_path(X, y, alphas=5)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("precompute", [True, False])
def test_unpenalised_alpha_is_least_squares(diabetes, precompute):
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, coefs, _ = lasso_path(X, y, alphas=[0.0], precompute=precompute, tol=1e-12,
                                 max_iter=100000)
    np.testing.assert_allclose(coefs[:, 0], np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-5)


def test_anderson_extrapolation_reaches_the_same_path_in_fewer_epochs():
    rng = np.random.default_rng(8)
    n, p = 40, 150
    X = rng.standard_normal((n, p))
    X[:, 1::2] += 0.9 * X[:, ::2]  # strongly correlated pairs: slow plain CD
    y = X[:, :6] @ rng.standard_normal(6) + 0.1 * rng.standard_normal(n)
    amax = np.abs(X.T @ y).max() / n
    l1 = np.geomspace(amax, amax * 1e-2, 20)
    runs = {}
    for accelerate in (False, True):
        coefs = np.zeros((20, p))
        gaps, iters, status = np.zeros(20), np.zeros(20, np.intc), np.zeros(20, np.intc)
        py_residual_cd_path(np.asfortranarray(X), y, np.zeros(p), l1, 0.1 * l1, 100000, 1e-12,
                            False, False, 0, coefs, gaps, iters, status, True, 1, accelerate)
        assert np.all(status == 0)
        runs[accelerate] = coefs, iters.sum()
    np.testing.assert_allclose(runs[True][0], runs[False][0], atol=1e-6)
    assert runs[True][1] < runs[False][1]
