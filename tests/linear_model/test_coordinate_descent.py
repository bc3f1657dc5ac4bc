"""Lasso / ElasticNet on compiled CD against scikit-learn and plain numpy."""

import doctest
import inspect
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from naive_cd import enet_objective, kkt_violation, naive_enet, weighted_centred
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastgrad.linear_model._coordinate_descent as cd_module
from fastgrad.linear_model import _cd_fast
from fastgrad.linear_model import _status
from fastgrad.linear_model._coordinate_descent import ElasticNet, Lasso
from fastgrad.linear_model._status import DivergenceError

TIGHT = 1e-12
# Both solvers stop at a duality gap of ~1e-12 * ||y||^2, which pins the
# coefficients to ~1e-7 relative; float32 data are compared in float64 so
# only the storage rounding of coef_ (~1e-7) adds.
RTOL = {np.float64: 1e-6, np.float32: 1e-5}


def make_data(n=200, p=8, k=None, dtype=np.float64, weighted=False, seed=0):
    rng = np.random.default_rng(seed)
    # non-zero column means exercise the centring; half the true
    # coefficients are zero so the L1 penalty has something to select
    X = rng.standard_normal((n, p)) + 2.0 * np.arange(p) / p
    true = rng.standard_normal((p,) if k is None else (p, k))
    true[: p // 2] = 0.0
    y = X @ true + 0.5 + 0.3 * rng.standard_normal((n,) if k is None else (n, k))
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    return X.astype(dtype), y.astype(dtype), sw


def fit_pair(ours, theirs, X, y, sw=None, **params):
    """Fit ours and scikit-learn's (on float64 copies) at a tight tol."""
    got = ours(tol=TIGHT, max_iter=100_000, **params).fit(X, y, sample_weight=sw)
    # scikit-learn runs its default loop; fastgrad-only options are dropped
    sk_params = {k: v for k, v in params.items() if k not in ("solver", "precompute")}
    want = theirs(tol=TIGHT, max_iter=100_000, **sk_params).fit(
        X.astype(np.float64), y.astype(np.float64), sample_weight=sw
    )
    return got, want


def assert_close_coef(got, want, rtol):
    scale = max(1.0, np.abs(want.coef_).max())
    assert_allclose(got.coef_, want.coef_, rtol=rtol, atol=rtol * 1e-2 * scale)
    assert_allclose(got.intercept_, want.intercept_, rtol=rtol, atol=rtol * 1e-2 * scale)


PAIRS = {
    "lasso": (Lasso, sklm.Lasso, {"alpha": 0.05}),
    "enet": (ElasticNet, sklm.ElasticNet, {"alpha": 0.1, "l1_ratio": 0.7}),
    "enet_ridge_like": (ElasticNet, sklm.ElasticNet, {"alpha": 0.2, "l1_ratio": 0.0}),
}
# Force each CD loop: solver="cd" honours precompute as scikit-learn does.
VARIANTS = {
    "auto": {},
    "gram": {"solver": "cd", "precompute": True},
    "residual": {"solver": "cd", "precompute": False},
    # accelerated proximal gradient from the shared full-batch loops
    "fista": {"solver": "fista"},
}


# ---------------------------------------------------------------------------
# contract between the .pyx and Python
# ---------------------------------------------------------------------------

def test_status_codes_agree_with_python():
    for name, code in _cd_fast.STATUS_CODES.items():
        assert getattr(_status, name) == code
    assert set(_cd_fast.STATUS_CODES.values()) == set(_status._NAMES)


def test_signatures_extend_sklearns():
    for ours, theirs in [(Lasso, sklm.Lasso), (ElasticNet, sklm.ElasticNet)]:
        mine = inspect.signature(ours).parameters
        ref = inspect.signature(theirs).parameters
        assert list(mine)[: len(ref)] == list(ref)
        assert all(mine[k].default == ref[k].default for k in ref)
        assert list(mine)[len(ref):] == ["solver", "verbose"]


def test_docstring_examples():
    result = doctest.testmod(cd_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------
# against scikit-learn
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("k", [None, 3], ids=["1d_y", "2d_y"])
def test_matches_sklearn(name, variant, fit_intercept, weighted, k):
    ours, theirs, params = PAIRS[name]
    X, y, sw = make_data(k=k, weighted=weighted)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        got, want = fit_pair(ours, theirs, X, y, sw, fit_intercept=fit_intercept,
                             **params, **VARIANTS[variant])
    if variant != "auto":
        assert got._cd_variant == variant
    assert got.coef_.shape == want.coef_.shape
    assert np.shape(got.intercept_) == np.shape(want.intercept_)
    assert_close_coef(got, want, RTOL[np.float64])
    assert_allclose(got.predict(X), want.predict(X), rtol=1e-6, atol=1e-8)
    assert np.all(np.asarray(got.dual_gap_) <= TIGHT * 10 * np.var(y) + 1e-15)


@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_float32(name, variant):
    ours, theirs, params = PAIRS[name]
    X, y, sw = make_data(dtype=np.float32, weighted=True)
    got, want = fit_pair(ours, theirs, X, y, sw, **params, **VARIANTS[variant])
    assert got.coef_.dtype == np.float32
    assert_close_coef(got, want, RTOL[np.float32])


# scikit-learn's gap for positive ridge-like problems never closes (it
# ignores the constraint in the dual), so it runs to max_iter -- yet its
# coefficients are accurate by then; ours must converge.
@pytest.mark.filterwarnings("ignore:Objective did not converge:sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", PAIRS)
@pytest.mark.parametrize("variant", ["gram", "residual", "fista"])
def test_positive(name, variant):
    ours, theirs, params = PAIRS[name]
    X, y, _ = make_data(k=2)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=ConvergenceWarning, module="fastgrad")
        got, want = fit_pair(ours, theirs, X, y, positive=True, **params, **VARIANTS[variant])
    assert np.all(got.coef_ >= 0) and np.any(got.coef_ > 0)
    assert_close_coef(got, want, RTOL[np.float64])


@pytest.mark.parametrize("name", ["lasso", "enet"])
@pytest.mark.parametrize("variant", ["gram", "residual", "fista"])
def test_diabetes(name, variant):
    ours, theirs, params = PAIRS[name]
    X, y = load_diabetes(return_X_y=True)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    for weights in (None, sw):
        got, want = fit_pair(ours, theirs, X, y, weights, **params, **VARIANTS[variant])
        assert_close_coef(got, want, RTOL[np.float64])
        assert got.score(X, y) == pytest.approx(want.score(X, y), rel=1e-10)


def test_wide_data_uses_residual_loop():
    X, y, _ = make_data(n=40, p=120)
    got, want = fit_pair(Lasso, sklm.Lasso, X, y, alpha=0.1)
    assert got._cd_variant == "residual"
    assert_close_coef(got, want, RTOL[np.float64])


@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_default_tol_stops_like_sklearn(variant):
    # At equal (default) tol both stop after the same epochs, at a gap of
    # the same size.
    X, y = load_diabetes(return_X_y=True)
    got = Lasso(alpha=0.1, **VARIANTS[variant]).fit(X, y)
    want = sklm.Lasso(alpha=0.1).fit(X, y)
    assert abs(got.n_iter_ - want.n_iter_) <= 1
    assert got.dual_gap_ <= 1e-4 * np.var(y)
    assert_allclose(got.coef_, want.coef_, rtol=1e-3, atol=1e-2)


def test_random_selection_is_deterministic_and_converges():
    X, y, _ = make_data(k=2)
    a = Lasso(alpha=0.05, selection="random", random_state=3, tol=TIGHT).fit(X, y)
    b = Lasso(alpha=0.05, selection="random", random_state=3, tol=TIGHT).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_) and a.n_iter_ == b.n_iter_
    want = sklm.Lasso(alpha=0.05, tol=TIGHT, max_iter=100_000).fit(X, y)
    assert_close_coef(a, want, 1e-6)


def test_user_gram_matrix():
    X, y, _ = make_data()
    Xc = X - X.mean(axis=0)
    got = Lasso(alpha=0.05, precompute=Xc.T @ Xc, fit_intercept=False, tol=TIGHT).fit(Xc, y)
    want = sklm.Lasso(alpha=0.05, fit_intercept=False, tol=TIGHT).fit(Xc, y)
    assert got._cd_variant == "gram"
    assert_close_coef(got, want, 1e-6)
    with pytest.warns(UserWarning, match="recomputing Gram matrix"):
        Lasso(alpha=0.05, precompute=X.T @ X).fit(X, y)
    with pytest.raises(ValueError, match="did not pass validation"):
        Lasso(alpha=0.05, precompute=2.0 * Xc.T @ Xc, fit_intercept=False).fit(Xc, y)
    with pytest.raises(ValueError, match=r"\(8, 8\) Gram"):
        Lasso(precompute=np.eye(3)).fit(X, y)


# ---------------------------------------------------------------------------
# compiled loops against the naive reference; objective and KKT checked
# independently
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1,l2", [(0.05, 0.0), (0.07, 0.03), (0.0, 0.2)])
def test_hooks_match_naive_cd(l1, l2, positive):
    X, y, sw = make_data(weighted=True)
    Xw, yw, _, _ = weighted_centred(X, y, sw)
    n = X.shape[0]
    want, _ = naive_enet(Xw, yw, l1, l2, positive=positive)
    w_gram = np.zeros(X.shape[1])
    status, n_iter, gap, curve = _cd_fast.py_gram_cd(
        Xw.T @ Xw / n, Xw.T @ yw / n, yw @ yw / n, w_gram, l1, l2, n, 10_000, TIGHT, positive)
    assert status == _status.CONVERGED and len(curve) == n_iter
    assert np.all(np.diff(curve) <= 1e-12 * curve[0])  # CD never increases the objective
    for dtype in (np.float64, np.float32):
        w_res = np.zeros(X.shape[1])
        Xf = np.asfortranarray(Xw.astype(dtype))
        status, *_ = _cd_fast.py_residual_cd(Xf, yw, w_res, l1, l2, 10_000, TIGHT, positive)
        assert status == _status.CONVERGED
        assert_allclose(w_res, want, rtol=1e-6 if dtype == np.float64 else 1e-4, atol=1e-8)
    assert_allclose(w_gram, want, rtol=1e-6, atol=1e-9)
    assert kkt_violation(Xw, yw, w_gram, l1, l2, positive) < 1e-7


@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_objective_and_kkt_of_fitted_model(variant):
    X, y, sw = make_data(weighted=True)
    alpha, l1_ratio = 0.1, 0.7
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=TIGHT, **VARIANTS[variant])
    est.fit(X, y, sample_weight=sw)
    # loss_curve_ is the objective from its definition, and it is minimal:
    # every small move of one coordinate (or the intercept) increases it
    obj = enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    assert est.loss_curve_[-1] == pytest.approx(obj, rel=1e-10)
    for j in range(X.shape[1] + 1):
        for h in (1e-4, -1e-4):
            w, b = est.coef_.copy(), est.intercept_
            if j < X.shape[1]:
                w[j] += h
            else:
                b += h
            assert enet_objective(X, y, w, b, alpha, l1_ratio, sw) >= obj
    Xw, yw, _, _ = weighted_centred(X, y, sw)
    assert kkt_violation(Xw, yw, est.coef_, alpha * l1_ratio, alpha * (1 - l1_ratio)) < 1e-7


def test_multi_output_is_one_problem_per_target():
    X, y, sw = make_data(k=3, weighted=True)
    est = ElasticNet(alpha=0.1, tol=TIGHT).fit(X, y, sample_weight=sw)
    assert len(est.n_iter_) == 3 and est.dual_gap_.shape == (3,) and len(est.loss_curve_) == 3
    for t in range(3):
        single = ElasticNet(alpha=0.1, tol=TIGHT).fit(X, y[:, t], sample_weight=sw)
        assert_allclose(est.coef_[t], single.coef_, rtol=1e-12)
        assert est.n_iter_[t] == single.n_iter_
    assert est.sparse_coef_.shape == (3, X.shape[1])
    sk_est = sklm.ElasticNet(alpha=0.1).fit(X, y)
    assert type(est.sparse_coef_) is type(sk_est.sparse_coef_)
    assert_allclose(est.sparse_coef_.toarray(), est.coef_)


def test_weights_equal_repetition():
    X, y, _ = make_data(n=60)
    reps = np.arange(60) % 3 + 1
    a = Lasso(alpha=0.05, tol=TIGHT).fit(X, y, sample_weight=reps)
    b = Lasso(alpha=0.05, tol=TIGHT).fit(np.repeat(X, reps, 0), np.repeat(y, reps))
    assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-10)


# ---------------------------------------------------------------------------
# warm start, convergence, divergence
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_warm_start_reuses_coef(variant):
    X, y, _ = make_data()
    est = Lasso(alpha=0.05, warm_start=True, tol=1e-10, **VARIANTS[variant]).fit(X, y)
    first = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ == 0  # already optimal: stops at the initial gap check
    assert_allclose(est.coef_, first)
    cold = Lasso(alpha=0.04, tol=1e-10).fit(X, y)
    est.set_params(alpha=0.04).fit(X, y)
    assert est.n_iter_ < cold.n_iter_
    with pytest.raises(ValueError, match="warm_start=True but the previous coef_"):
        est.fit(X[:, :3], y)


@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_convergence_warning_at_max_iter(variant):
    X, y, _ = make_data()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        est = Lasso(alpha=0.001, max_iter=2, tol=1e-14, **VARIANTS[variant]).fit(X, y)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2


@pytest.mark.parametrize("variant", ["gram", "residual"])
def test_overflow_raises_divergence_error(variant):
    X, y, _ = make_data()
    with pytest.raises(DivergenceError, match="non-finite parameter values"):
        Lasso(alpha=0.1, **VARIANTS[variant]).fit(X * 1e160, y * 1e160)


def test_alpha_zero_warns_like_sklearn():
    X, y, _ = make_data()
    with pytest.warns(UserWarning, match="LinearRegression"):
        est = Lasso(alpha=0.0, tol=TIGHT).fit(X, y)
    ols = sklm.LinearRegression().fit(X, y)
    assert_allclose(est.coef_, ols.coef_, rtol=1e-6)


def test_verbose_prints_each_epoch(capsys):
    X, y, _ = make_data()
    est = Lasso(alpha=0.05, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("CD epoch") == est.n_iter_ and "duality gap" in out


# ---------------------------------------------------------------------------
# scikit-learn API
# ---------------------------------------------------------------------------

# max_iter=5: the instances scikit-learn's own check suite uses for these
# classes (it declares no expected failure for them, nor does fastgrad)
@parametrize_with_checks([Lasso(), ElasticNet(), Lasso(solver="fista"), ElasticNet(solver="fista"),
                          Lasso(max_iter=5), ElasticNet(max_iter=5)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_gridsearch_clone_pickle():
    X, y = load_diabetes(return_X_y=True)
    grid = {"lasso__alpha": [0.01, 0.1, 1.0]}
    search = GridSearchCV(make_pipeline(StandardScaler(), Lasso()), grid, cv=3).fit(X, y)
    sk_search = GridSearchCV(make_pipeline(StandardScaler(), sklm.Lasso()), grid, cv=3).fit(X, y)
    assert search.best_params_ == sk_search.best_params_
    assert search.best_score_ == pytest.approx(sk_search.best_score_, rel=1e-4)
    est = ElasticNet(alpha=3.0, l1_ratio=0.2, solver="cd")
    copy = clone(est)
    assert copy.get_params() == est.get_params() and not hasattr(copy, "coef_")
    fitted = ElasticNet().fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_allclose(restored.predict(X), fitted.predict(X))


def test_inputs_unchanged():
    X, y, sw = make_data(k=2, weighted=True)
    for X_in in (X, np.asfortranarray(X), X.astype(np.float32)):
        before = [a.copy() for a in (X_in, y, sw)]
        for variant in VARIANTS.values():
            ElasticNet(alpha=0.1, copy_X=False, **variant).fit(X_in, y, sample_weight=sw)
        for a, b in zip((X_in, y, sw), before):
            assert np.array_equal(a, b)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

X_OK, Y_OK, _ = make_data(n=20, p=3)


def _with(arr, index, value):
    arr = arr.copy()
    arr[index] = value
    return arr


BAD_FIT = {
    "NaN in X": (dict(X=_with(X_OK, (0, 0), np.nan)), ValueError, "NaN"),
    "inf in X": (dict(X=_with(X_OK, (1, 1), np.inf)), ValueError, "infinity"),
    "NaN in y": (dict(y=_with(Y_OK, 2, np.nan)), ValueError, "NaN"),
    "inf in y": (dict(y=_with(Y_OK, 2, np.inf)), ValueError, "infinity"),
    "length mismatch": (dict(y=Y_OK[:-1]), ValueError, "inconsistent numbers of samples"),
    "empty X": (dict(X=X_OK[:0], y=Y_OK[:0]), ValueError, "0 sample"),
    "no features": (dict(X=X_OK[:, :0]), ValueError, "0 feature"),
    "non-numeric X": (dict(X=np.full((20, 3), "a")), ValueError, "could not convert"),
    "non-numeric y": (dict(y=np.array(["a"] * 20, dtype=object)), ValueError, "convert"),
    "negative weight": (dict(sample_weight=_with(np.ones(20), 3, -1.0)), ValueError, "Negative"),
    "all-zero weights": (dict(sample_weight=np.zeros(20)), ValueError, "non-zero"),
    "NaN weight": (dict(sample_weight=_with(np.ones(20), 3, np.nan)), ValueError, "NaN"),
    "weight length": (dict(sample_weight=np.ones(19)), ValueError, r"\(19,\)"),
}


@pytest.mark.parametrize("est_cls", [Lasso, ElasticNet])
@pytest.mark.parametrize("case", BAD_FIT)
def test_bad_fit_input(est_cls, case):
    kwargs, error, match = BAD_FIT[case]
    args = dict(X=X_OK, y=Y_OK, sample_weight=None) | kwargs
    with pytest.raises(error, match=match):
        est_cls().fit(args["X"], args["y"], sample_weight=args["sample_weight"])


BAD_PARAMS = {
    "negative alpha": (Lasso(alpha=-1.0), "'alpha' parameter of Lasso"),
    "l1_ratio > 1": (ElasticNet(l1_ratio=1.5), "'l1_ratio' parameter of ElasticNet"),
    "l1_ratio < 0": (ElasticNet(l1_ratio=-0.1), "'l1_ratio' parameter of ElasticNet"),
    "unknown solver": (Lasso(solver="sag"), "'solver' parameter of Lasso"),
    "unknown selection": (ElasticNet(selection="best"), "'selection' parameter"),
    "max_iter 0": (Lasso(max_iter=0), "'max_iter' parameter of Lasso"),
    "max_iter negative": (ElasticNet(max_iter=-5), "'max_iter' parameter of ElasticNet"),
    "negative tol": (Lasso(tol=-1.0), "'tol' parameter"),
    "bad precompute": (Lasso(precompute="yes"), "'precompute' parameter"),
}


@pytest.mark.parametrize("case", BAD_PARAMS)
def test_bad_parameters(case):
    est, match = BAD_PARAMS[case]
    with pytest.raises(ValueError, match=match):
        est.fit(X_OK, Y_OK)


@pytest.mark.parametrize("est_cls", [Lasso, ElasticNet])
def test_predict_errors(est_cls):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        est_cls().predict(X_OK)
    est = est_cls(alpha=0.01).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3"):
        est.predict(X_OK[:, :2])
    assert_allclose(est.predict(sp.csr_matrix(X_OK)), est.predict(X_OK))
    with pytest.raises(ValueError, match="NaN"):
        est.predict(_with(X_OK, (0, 0), np.nan))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("positive", [False, True])
def test_fista_gap_bounds_suboptimality(l1_ratio, positive):
    # weak duality: at any w the gap is at least P(w) - P(w*)
    from fastgrad.linear_model._coordinate_descent import _enet_gap

    X, y, sw = make_data(weighted=True)
    sw = sw * len(sw) / sw.sum()
    alpha = 0.1
    best = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=TIGHT,
                      max_iter=100_000).fit(X, y, sample_weight=sw)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)

    def primal(w):
        xm, ym = np.average(X, axis=0, weights=sw), np.average(y, weights=sw)
        r = (y - ym) - (X - xm) @ w
        return 0.5 * np.average(r * r, weights=sw) + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w

    rng = np.random.default_rng(0)
    for _ in range(5):
        w = best.coef_ + 0.1 * rng.standard_normal(X.shape[1])
        w = np.maximum(w, 0) if positive else w
        gap = _enet_gap(X, y, sw, w, l1, l2, positive, True)
        assert gap >= primal(w) - primal(best.coef_) - 1e-12
    assert abs(_enet_gap(X, y, sw, best.coef_, l1, l2, positive, True)) < 1e-9
