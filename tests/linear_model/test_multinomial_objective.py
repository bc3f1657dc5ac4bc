"""MultinomialObjective (csrc/_multinomial.pxi) against numpy, finite differences and sklearn."""

import numpy as np
import pytest
from naive_multinomial import from_sklearn, multinomial, to_sklearn
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from fastgrad.linear_model._solvers_fast import MultinomialObjective, py_lipschitz, run_solver


def make_data(n=300, p=5, K=3, dtype=np.float64, weighted=False, seed=0, shift=1.5, scale=1.0):
    """Rows with column means far from zero, labels from a softmax model."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    W = scale * rng.standard_normal((K, p))
    eta = (X - X.mean(axis=0)) @ W.T
    P = np.exp(eta - eta.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = (P.cumsum(axis=1) < rng.uniform(size=(n, 1))).sum(axis=1)
    y[:K] = np.arange(K)  # every class present
    sw = rng.uniform(0.2, 2.0, n).astype(dtype) if weighted else None
    return X.astype(dtype), y, sw


def build(X, y, K, sw, mean, l2, fit_intercept, n_threads=2):
    obj = MultinomialObjective(X, y, K, sw, mean, l2, fit_intercept, n_threads)
    f_grad, hess = multinomial(X, y, K, sw, mean, l2, fit_intercept)
    return obj, f_grad, hess


# ---------------------------------------------------------------------------
# value, gradient, Hessian against the numpy reference
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("centre", [True, False], ids=["centred", "raw"])
@pytest.mark.parametrize("K", [2, 3, 4, 5])
def test_matches_numpy(dtype, weighted, fit_intercept, centre, K):
    X, y, sw = make_data(n=203, p=6, K=K, dtype=dtype, weighted=weighted, seed=K)
    mean = X.mean(axis=0, dtype=np.float64) + 0.3 if centre else np.zeros(6)
    obj, f_grad, hess = build(X, y, K, sw, mean, 0.07, fit_intercept)
    assert obj.n_coef == K * 6 + (K if fit_intercept else 0)
    assert obj.n_penalized == K * 6 and obj.n_samples == 203 and obj.global_bound
    coef = np.random.default_rng(1).standard_normal(obj.n_coef)
    f, g = obj.py_value_grad(coef)
    f_ref, g_ref = f_grad(coef)
    # float32 data is read exactly into float64 sums: same tolerance
    assert_allclose(f, f_ref, rtol=1e-12)
    assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12 * np.abs(g_ref).max())
    assert_allclose(obj.py_value(coef), f, rtol=1e-14)
    H = obj.py_hessian(coef)
    H_ref = hess(coef)
    assert_allclose(H, H_ref, rtol=1e-10, atol=1e-12 * np.abs(H_ref).max())
    assert_allclose(H, H.T, rtol=0, atol=1e-14 * np.abs(H).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_threaded_pass_matches_numpy(dtype, n_threads):
    # 20000 x 8 x 3 is above the serial threshold; 20003 leaves a remainder
    # after the blocks of eight rows
    X, y, sw = make_data(n=20_003, p=8, K=3, dtype=dtype, weighted=True)
    mean = X.mean(axis=0, dtype=np.float64)
    obj, f_grad, _ = build(X, y, 3, sw, mean, 1e-3, True, n_threads)
    coef = np.random.default_rng(2).standard_normal(obj.n_coef)
    f, g = obj.py_value_grad(coef)
    f_ref, g_ref = f_grad(coef)
    assert_allclose(f, f_ref, rtol=1e-12)
    assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12 * np.abs(g_ref).max())
    # same n_threads, same bits
    assert obj.py_value_grad(coef)[0] == f


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
def test_gradient_matches_finite_differences(fit_intercept):
    X, y, sw = make_data(n=150, p=4, K=4, weighted=True)
    mean = X.mean(axis=0)
    obj = MultinomialObjective(X, y, 4, sw, mean, 0.05, fit_intercept, 1)
    coef = 0.3 * np.random.default_rng(5).standard_normal(obj.n_coef)
    _, g = obj.py_value_grad(coef)
    h = 1e-6
    fd = np.empty_like(g)
    for j in range(obj.n_coef):
        e = np.zeros_like(coef)
        e[j] = h
        fd[j] = (obj.py_value(coef + e) - obj.py_value(coef - e)) / (2 * h)
    assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
def test_hessian_matches_finite_differences_of_gradient(fit_intercept):
    X, y, sw = make_data(n=150, p=4, K=3, weighted=True)
    mean = X.mean(axis=0) - 0.5
    obj = MultinomialObjective(X, y, 3, sw, mean, 0.05, fit_intercept, 1)
    coef = 0.3 * np.random.default_rng(6).standard_normal(obj.n_coef)
    H = obj.py_hessian(coef)
    h = 1e-6
    fd = np.empty_like(H)
    for j in range(obj.n_coef):
        e = np.zeros_like(coef)
        e[j] = h
        fd[:, j] = (obj.py_value_grad(coef + e)[1] - obj.py_value_grad(coef - e)[1]) / (2 * h)
    assert_allclose(H, fd, rtol=1e-6, atol=1e-8 * np.abs(H).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_hessian_in_chunks_matches_numpy(dtype):
    # more rows than one chunk of per-sample weights (65536)
    X, y, sw = make_data(n=70_001, p=3, K=3, dtype=dtype, weighted=True)
    mean = X.mean(axis=0, dtype=np.float64)
    obj, _, hess = build(X, y, 3, sw, mean, 1e-4, True)
    coef = np.random.default_rng(3).standard_normal(obj.n_coef)
    H, H_ref = obj.py_hessian(coef), hess(coef)
    assert_allclose(H, H_ref, rtol=1e-10, atol=1e-12 * np.abs(H_ref).max())


def test_hessian_null_direction_without_penalty():
    # all classes shifted alike: the softmax does not change
    X, y, _ = make_data(n=100, p=3, K=3)
    obj = MultinomialObjective(X, y, 3, None, X.mean(axis=0), 0.0, True, 1)
    H = obj.py_hessian(0.2 * np.ones(obj.n_coef))
    v = np.r_[np.tile(np.array([1.0, -2.0, 0.5]), 3), np.ones(3)]
    assert np.abs(H @ v).max() <= 1e-12 * np.abs(H).max()


# ---------------------------------------------------------------------------
# the global curvature bound
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("K", [2, 3, 5])
def test_hess_vec_bounds_the_hessian(fit_intercept, K):
    X, y, sw = make_data(n=400, p=5, K=K, weighted=True, seed=K)
    mean = X.mean(axis=0)
    obj = MultinomialObjective(X, y, K, sw, mean, 0.01, fit_intercept, 2)
    nc = obj.n_coef
    B = np.column_stack([obj.py_hess_vec(e) for e in np.eye(nc)])
    assert_allclose(B, B.T, rtol=1e-12, atol=1e-14 * np.abs(B).max())
    rng = np.random.default_rng(7)
    for scale in (0.0, 0.5, 3.0):
        coef = scale * rng.standard_normal(nc)
        H = obj.py_hessian(coef)
        # B - H is positive semi-definite
        gap = np.linalg.eigvalsh(B - H)
        assert gap.min() >= -1e-10 * np.abs(B).max()
        for _ in range(5):
            v = rng.standard_normal(nc)
            assert v @ H @ v <= v @ B @ v * (1 + 1e-12)
    # the step of the first-order methods: power iteration finds B's top
    lam = py_lipschitz(obj, max_iter=500, rtol=1e-12)
    assert_allclose(lam, np.linalg.eigvalsh(B).max(), rtol=1e-6)


def test_one_over_l_is_a_safe_step_for_gradient_descent():
    # with L from the global bound, plain gradient descent never goes uphill
    # (descent lemma), even from a start where the softmax saturates
    X, y, sw = make_data(n=300, p=4, K=4, weighted=True, scale=3.0)
    obj = MultinomialObjective(X, y, 4, sw, X.mean(axis=0), 1e-3, True, 1)
    lam = py_lipschitz(obj, max_iter=300, rtol=1e-10)
    for start in (np.zeros(obj.n_coef), 5.0 * np.random.default_rng(4).standard_normal(obj.n_coef)):
        _, status, _, curve = run_solver(obj, start, "gd", 300, 1e-12, lr=1.0 / lam)
        assert status in (0, 1)
        assert np.all(np.diff(curve) <= 1e-14 * curve[0])
    # and the accelerated loop reaches L-BFGS's minimum
    ref, status, _, _ = run_solver(obj, np.zeros(obj.n_coef), "lbfgs", 1000, 1e-9)
    assert status == 0
    coef, status, _, _ = run_solver(obj, np.zeros(obj.n_coef), "fista", 20_000, 1e-8, lr=1.0 / lam)
    assert status == 0
    assert_allclose(coef, ref, rtol=1e-4, atol=1e-5 * np.abs(ref).max())


def test_hess_vec_is_boehnings_bound():
    X, y, sw = make_data(n=120, p=3, K=4, weighted=True)
    mean = X.mean(axis=0)
    obj = MultinomialObjective(X, y, 4, sw, mean, 0.2, True, 1)
    Z = np.hstack([X - mean, np.ones((120, 1))])
    ZSZ = Z.T @ (sw[:, None] * Z) / sw.sum()
    A = 0.5 * (np.eye(4) - np.ones((4, 4)) / 4)
    B4 = np.kron(A, ZSZ) + np.diag(np.tile([0.2, 0.2, 0.2, 0.0], 4))
    pos = np.column_stack([np.arange(12).reshape(4, 3), 12 + np.arange(4)]).ravel()
    B = np.empty_like(B4)
    B[np.ix_(pos, pos)] = B4
    v = np.random.default_rng(8).standard_normal(obj.n_coef)
    assert_allclose(obj.py_hess_vec(v), B @ v, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------
# robustness
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_extreme_logits_stay_finite(dtype):
    X, y, _ = make_data(n=64, p=3, K=4, dtype=dtype)
    obj = MultinomialObjective(X, y, 4, None, None, 0.0, True, 1)
    for magnitude in (1e3, 1e5):
        coef = magnitude * np.random.default_rng(9).standard_normal(obj.n_coef)
        f, g = obj.py_value_grad(coef)
        assert np.isfinite(f) and np.all(np.isfinite(g))
        assert np.isfinite(obj.py_value(coef))
        assert np.all(np.isfinite(obj.py_hessian(coef)))
        assert np.all(np.isfinite(obj.py_hess_vec(coef)))
        f_ref, g_ref = multinomial(X, y, 4, None, None, 0.0, True)[0](coef)
        assert_allclose(f, f_ref, rtol=1e-12)
        assert_allclose(g, g_ref, rtol=1e-9, atol=1e-12 * np.abs(g_ref).max())
    # all scores 1e3 apart, as in the brief: the loss is the margin itself
    Xe = np.eye(3)
    obj = MultinomialObjective(Xe, np.array([0, 1, 2]), 3, None, None, 0.0, False, 1)
    W = 1e3 * np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    f, g = obj.py_value_grad(W.ravel())
    assert_allclose(f, 1e3, rtol=1e-15)
    assert np.all(np.isfinite(g))


def test_nan_coefficients_give_nan():
    X, y, _ = make_data(n=40, p=3, K=3)
    obj = MultinomialObjective(X, y, 3, None, None, 0.0, True, 1)
    coef = np.zeros(obj.n_coef)
    coef[4] = np.nan
    f, g = obj.py_value_grad(coef)
    assert np.isnan(f)
    assert np.isnan(obj.py_value(coef))


def test_batch_over_all_rows_is_the_full_gradient():
    X, y, sw = make_data(n=203, p=5, K=4, weighted=True)
    obj = MultinomialObjective(X, y, 4, sw, X.mean(axis=0), 0.1, True, 2)
    coef = np.random.default_rng(10).standard_normal(obj.n_coef)
    f, g = obj.py_value_grad(coef)
    rows = np.random.default_rng(11).permutation(203)
    fb, gb = obj.py_batch_value_grad(coef, rows)
    assert_allclose(fb, f, rtol=1e-12)
    assert_allclose(gb, g, rtol=1e-10, atol=1e-13 * np.abs(g).max())


def test_batch_is_unbiased():
    # the scaled data term over one row, averaged over all rows, is the full one
    X, y, sw = make_data(n=50, p=3, K=3, weighted=True)
    obj = MultinomialObjective(X, y, 3, sw, X.mean(axis=0), 0.1, True, 1)
    coef = np.random.default_rng(12).standard_normal(obj.n_coef)
    f, g = obj.py_value_grad(coef)
    parts = [obj.py_batch_value_grad(coef, [i]) for i in range(50)]
    assert_allclose(np.mean([q[0] for q in parts]), f, rtol=1e-12)
    assert_allclose(np.mean([q[1] for q in parts], axis=0), g, rtol=1e-10, atol=1e-13)
    # and a batch matches its own numpy sum
    rows = np.array([3, 3, 7, 20, 41])
    fb, gb = obj.py_batch_value_grad(coef, rows)
    f_ref, g_ref = multinomial(X[rows], y[rows], 3, sw[rows], X.mean(axis=0), 0.0, True)[0](coef)
    w = sw[rows].sum() * 50 / (5 * sw.sum())
    pen = 0.1 * np.r_[coef[:9], np.zeros(3)]
    assert_allclose(fb, w * f_ref + 0.05 * coef[:9] @ coef[:9], rtol=1e-12)
    assert_allclose(gb, w * g_ref + pen, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": np.zeros(5)}, "2-D"),
        ({"X": np.zeros((5, 2), dtype=np.int64)}, "float32 or float64"),
        ({"X": np.zeros((2, 5)).T}, "C-contiguous"),
        ({"X": np.zeros((0, 2))}, "at least one row"),
        ({"n_classes": 1}, "n_classes"),
        ({"y": np.array([0, 1, 2, 0])}, "shape"),
        ({"y": np.array([0, 1, 2, 0, 1.0])}, "integer"),
        ({"y": np.array([0, 1, 3, 0, 1])}, "0..2"),
        ({"y": np.array([0, 1, -1, 0, 1])}, "0..2"),
        ({"sample_weight": np.ones(4)}, "sample_weight"),
        ({"sample_weight": -np.ones(5)}, "non-negative"),
        ({"sample_weight": np.zeros(5)}, "positive sum"),
        ({"sample_weight": np.array([1, 1, np.nan, 1, 1])}, "finite"),
        ({"mean": np.zeros(3)}, "mean"),
        ({"l2": -1.0}, "l2"),
        ({"l2": np.inf}, "l2"),
        ({"n_threads": 0}, "n_threads"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    args = {
        "X": np.ones((5, 2)), "y": np.array([0, 1, 2, 0, 1]), "n_classes": 3,
        "sample_weight": None, "mean": None, "l2": 0.0, "fit_intercept": True, "n_threads": 1,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        MultinomialObjective(*args.values())


def test_bad_hook_arguments_raise():
    y = np.array([0, 1, 2, 0, 1])
    obj = MultinomialObjective(np.ones((5, 2)), y, 3, None, None, 0.0, True, 1)
    with pytest.raises(ValueError, match="shape"):
        obj.py_value_grad(np.zeros(3))
    with pytest.raises(ValueError, match="row indices"):
        obj.py_batch_value_grad(np.zeros(obj.n_coef), [0, 5])
    with pytest.raises(ValueError, match="non-empty"):
        obj.py_batch_value_grad(np.zeros(obj.n_coef), [])


# ---------------------------------------------------------------------------
# scikit-learn
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("K", [2, 3, 5])
def test_matches_sklearn_linear_model_loss(weighted, fit_intercept, K):
    from sklearn._loss.loss import HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    X, y, sw = make_data(n=250, p=4, K=K, weighted=weighted, seed=K)
    p = 4
    # sklearn has no centring: without an intercept ours must not centre either
    mean = X.mean(axis=0) if fit_intercept else np.zeros(p)
    l2 = 0.03
    obj = MultinomialObjective(X, y, K, sw, mean, l2, fit_intercept, 1)
    coef = np.random.default_rng(13).standard_normal(obj.n_coef)
    loss = LinearModelLoss(base_loss=HalfMultinomialLoss(n_classes=K), fit_intercept=fit_intercept)
    B = to_sklearn(coef, K, p, mean, fit_intercept)        # (K, p [+1]), raw intercepts
    assert_allclose(from_sklearn(B, K, p, mean, fit_intercept), coef, rtol=1e-14, atol=1e-14)
    f_sk, G_sk = loss.loss_gradient(B, X, y.astype(np.float64), sw, l2)
    f, g = obj.py_value_grad(coef)
    assert_allclose(f, f_sk, rtol=1e-12)
    # chain rule through b = c - W m: dW_ours = dW - (db) m^T, dc = db
    G_sk = np.asarray(G_sk).reshape(K, -1)
    if fit_intercept:
        g_ref = np.r_[(G_sk[:, :p] - np.outer(G_sk[:, p], mean)).ravel(), G_sk[:, p]]
    else:
        g_ref = G_sk.ravel()
    assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12 * np.abs(g_ref).max())


def _sklearn_fit(X, y, C, sw=None, solver="lbfgs"):
    clf = LogisticRegression(C=C, tol=1e-10, max_iter=10_000, solver=solver)
    clf.fit(X, y, sample_weight=sw)
    return clf.coef_, clf.intercept_


def _fit(X, y, K, C, solver, sw=None):
    mean = np.average(X, axis=0, weights=sw)
    sum_s = X.shape[0] if sw is None else sw.sum()
    obj = MultinomialObjective(X, y, K, sw, mean, 1.0 / (C * sum_s), True, 2)
    # L-BFGS's Armijo test cannot see decreases below the rounding of f
    # (~1e-16), which it reaches around max|g| ~ 5e-10 here
    tol = 1e-9 if solver == "lbfgs" else 1e-11
    coef, status, n_iter, curve = run_solver(obj, np.zeros(obj.n_coef), solver, 1000, tol)
    assert status == 0, (solver, status, n_iter)
    assert np.all(np.diff(curve) <= 1e-15 * np.abs(curve[0]))
    p = X.shape[1]
    B = to_sklearn(coef, K, p, mean, True)
    return B[:, :p], B[:, p]


def _same_solution(W, b, W_ref, b_ref, rtol=1e-5):
    assert_allclose(W, W_ref, rtol=rtol, atol=1e-2 * rtol * np.abs(W_ref).max())
    # the intercepts are unique only up to a common shift (no penalty on them)
    bc, bc_ref = b - b.mean(), b_ref - b_ref.mean()
    assert_allclose(bc, bc_ref, rtol=rtol, atol=1e-2 * rtol * np.abs(bc_ref).max())


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_iris_matches_sklearn_logistic_regression(solver):
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    W_ref, b_ref = _sklearn_fit(X, y, C=1.0)
    W, b = _fit(X, y, 3, 1.0, solver)
    _same_solution(W, b, W_ref, b_ref)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_synthetic_four_classes_match_sklearn(solver, weighted):
    # scikit-learn's L-BFGS also stops on a relative decrease of f below
    # 64 eps, so its own answer is only good to ~1e-6 .. 1e-5: on columns with
    # means far from zero (shift=0.7 here) its intercepts are 1.4e-5 off the
    # optimum. Moderate means keep it within the 1e-5 being tested.
    X, y, sw = make_data(n=600, p=6, K=4, weighted=weighted, seed=21, shift=0.3)
    W_ref, b_ref = _sklearn_fit(X, y, C=0.5, sw=sw)
    W, b = _fit(X, y, 4, 0.5, solver, sw=sw)
    _same_solution(W, b, W_ref, b_ref)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_synthetic_matches_sklearn_newton_cholesky_tightly(solver):
    # against a reference that converges all the way, on the harder data
    X, y, sw = make_data(n=600, p=6, K=4, weighted=True, seed=21, shift=0.7)
    W_ref, b_ref = _sklearn_fit(X, y, C=0.5, sw=sw, solver="newton-cholesky")
    W, b = _fit(X, y, 4, 0.5, solver, sw=sw)
    _same_solution(W, b, W_ref, b_ref, rtol=1e-6 if solver == "lbfgs" else 1e-9)


def test_newton_fails_cleanly_without_a_hessian(monkeypatch):
    # a Hessian that cannot be formed (curvature_gram raising) stops Newton
    # with the ordinary error instead of crashing
    import fastgrad.linear_model._gram as gram

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    X, y, _ = make_data(n=60, p=3, K=3)
    obj = MultinomialObjective(X, y, 3, None, None, 0.1, True, 1)
    monkeypatch.setattr(gram, "curvature_gram", broken)
    with pytest.raises(RuntimeError, match="Hessian"):
        obj.py_hessian(np.zeros(obj.n_coef))
    with pytest.raises(ValueError, match="Hessian"):
        run_solver(obj, np.zeros(obj.n_coef), "newton", 10, 1e-8)
