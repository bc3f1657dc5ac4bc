"""SGDRegressor: compiled core vs plain numpy, scikit-learn, exact optima, bad input."""

import doctest
import io
import pickle
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import scipy.sparse as sp
import sklearn.linear_model as sklm
from naive_sgd import LOSSES, loss_derivative, loss_value, naive_sgd, xorshift_shuffle
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastgrad.linear_model._sgd as sgd_module
import fastgrad.linear_model._sgd_run as sgd_run
from fastgrad.linear_model._sgd_fast import STATUS_CODES, py_dloss, py_loss, py_shuffle
from fastgrad.linear_model import _status
from fastgrad.linear_model._sgd import _LOSSES, SGDRegressor
from fastgrad.linear_model._status import DivergenceError

MAX_INT = np.iinfo(np.int32).max


def make_data(n=200, p=5, dtype=np.float64, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    y = X @ rng.uniform(-2, 2, p) + 1.0 + noise * rng.standard_normal(n)
    return X.astype(dtype), y.astype(dtype)


def seed_of(random_state):
    # the shuffle seed the estimator draws from an int random_state
    return np.random.RandomState(random_state).randint(0, MAX_INT)


def quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


# ---------------------------------------------------------------------------
# hooks and constants
# ---------------------------------------------------------------------------

def test_status_codes_agree_with_python():
    for name, code in STATUS_CODES.items():
        assert getattr(_status, name) == code


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_hooks_match_naive_and_finite_differences(loss):
    rng = np.random.default_rng(0)
    for y, p in rng.uniform(-3, 3, (200, 2)):
        code = _LOSSES[loss]
        assert py_loss(code, y, p, 0.4) == pytest.approx(loss_value(loss, y, p, 0.4), rel=1e-14, abs=1e-15)
        assert py_dloss(code, y, p, 0.4) == pytest.approx(loss_derivative(loss, y, p, 0.4), rel=1e-14, abs=1e-15)
        h = 1e-6
        fd = (loss_value(loss, y, p + h, 0.4) - loss_value(loss, y, p - h, 0.4)) / (2 * h)
        if abs(abs(y - p) - 0.4) > 1e-3:  # away from the kinks
            assert py_dloss(code, y, p, 0.4) == pytest.approx(fd, abs=1e-6)


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_shuffle_hook_matches_naive(n):
    order = np.arange(n, dtype=np.int64)
    py_shuffle(order, 12345)
    assert_array_equal(order, xorshift_shuffle(np.arange(n), 12345))
    assert sorted(order) == list(range(n))


# ---------------------------------------------------------------------------
# compiled vs naive: same data, order and schedule -> same weights
# ---------------------------------------------------------------------------

CONFIGS = {
    "default": {},
    "no_penalty": {"penalty": None},
    "l1": {"penalty": "l1", "alpha": 0.01},
    "elasticnet": {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.4},
    "huber": {"loss": "huber", "epsilon": 0.5},
    "eps_ins": {"loss": "epsilon_insensitive", "epsilon": 0.2},
    "sq_eps_ins": {"loss": "squared_epsilon_insensitive", "epsilon": 0.2},
    "constant": {"learning_rate": "constant", "eta0": 0.02},
    "optimal": {"learning_rate": "optimal", "alpha": 0.1},
    "invscaling_pow": {"power_t": 0.37, "eta0": 0.05},
    "invscaling_sqrt": {"power_t": 0.5, "eta0": 0.05},
    "pa1": {"loss": "epsilon_insensitive", "learning_rate": "pa1", "eta0": 0.1},
    "pa2": {"loss": "epsilon_insensitive", "learning_rate": "pa2", "eta0": 0.1, "penalty": "l1"},
    "average": {"average": True},
    "average_late": {"average": 150, "learning_rate": "constant"},
    "average_l1": {"average": True, "penalty": "elasticnet", "alpha": 0.01, "learning_rate": "constant"},
    "no_intercept": {"fit_intercept": False},
    "no_shuffle": {"shuffle": False},
    "batch": {"batch_size": 16, "eta0": 0.1},
    "batch_uneven_l1_avg": {"batch_size": 7, "penalty": "elasticnet", "alpha": 0.01, "average": 3},
    "momentum": {"momentum": 0.5, "learning_rate": "constant"},
    "nesterov": {"momentum": 0.5, "nesterov": True, "learning_rate": "constant"},
    "batch_nesterov_avg": {"batch_size": 5, "momentum": 0.7, "nesterov": True, "average": 2},
    "batch_momentum_pa1": {"batch_size": 4, "momentum": 0.3, "loss": "epsilon_insensitive",
                           "learning_rate": "pa1"},
}


def naive_kwargs(params, random_state, n_epochs):
    est = SGDRegressor(**params)
    kw = {k: getattr(est, k) for k in ("loss", "epsilon", "penalty", "alpha", "l1_ratio", "learning_rate",
                                      "eta0", "power_t", "fit_intercept", "batch_size", "momentum", "nesterov", "shuffle")}
    kw["average"] = int(est.average)
    return dict(kw, n_epochs=n_epochs, seed=seed_of(random_state))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_compiled_matches_naive(name, weighted, dtype):
    params = CONFIGS[name]
    X, y = make_data(dtype=dtype)
    sw = np.random.default_rng(1).uniform(0.2, 2.0, len(y)).astype(dtype) if weighted else None
    if name.startswith("pa1"):
        X[3] = 0.0  # a zero row: PA-I has nothing to learn from it
    est = SGDRegressor(**params, tol=None, max_iter=3, random_state=7).fit(X, y, sample_weight=sw)
    ref = naive_sgd(X, y, sw, **naive_kwargs(params, 7, 3))
    use_avg = est.average and est.average <= est.t_ - 1
    coef = ref["avg_coef"] if use_avg else ref["coef"]
    intercept = ref["avg_intercept"] if use_avg else ref["intercept"]
    rtol = 1e-9 if dtype == np.float64 else 1e-5  # float32: the stored coef_ rounds
    assert est.coef_.dtype == dtype
    assert_allclose(est.coef_, coef, rtol=rtol, atol=rtol * np.abs(coef).max())
    assert_allclose(est.intercept_, [intercept], rtol=rtol, atol=rtol)
    assert_allclose(est.loss_curve_, ref["curve"], rtol=rtol)
    assert est.n_iter_ == 3


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 25), p=st.integers(1, 6), batch_size=st.integers(1, 6),
    momentum=st.sampled_from([0.0, 0.6]), penalty=st.sampled_from([None, "l2", "l1", "elasticnet"]),
    loss=st.sampled_from(LOSSES), average=st.sampled_from([False, 1, 4]), seed=st.integers(0, 2**31 - 2),
)
def test_compiled_matches_naive_on_random_problems(n, p, batch_size, momentum, penalty, loss, average, seed):
    X, y = make_data(n=n, p=p, seed=seed % 1000)
    params = dict(penalty=penalty, loss=loss, average=average, batch_size=batch_size, momentum=momentum,
                  alpha=0.01, learning_rate="constant", eta0=0.02)
    est = SGDRegressor(**params, tol=None, max_iter=2, random_state=seed).fit(X, y)
    ref = naive_sgd(X, y, **naive_kwargs(params, seed, 2))
    use_avg = est.average and est.average <= est.t_ - 1
    coef = ref["avg_coef"] if use_avg else ref["coef"]
    assert_allclose(est.coef_, coef, rtol=1e-9, atol=1e-12)
    assert_allclose(est.loss_curve_, ref["curve"], rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# scikit-learn: same algorithm, same order -> same numbers
# ---------------------------------------------------------------------------

SKLEARN_CASES = {k: v for k, v in CONFIGS.items() if "batch" not in k and "momentum" not in k
                 and "nesterov" not in k}
SKLEARN_CASES.update({
    "adaptive": {"learning_rate": "adaptive", "eta0": 0.05},
    "early_stopping": {"early_stopping": True, "n_iter_no_change": 3},
    "es_adaptive": {"early_stopping": True, "learning_rate": "adaptive"},
    "defaults_tol": {"max_iter": 1000},
})


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(SKLEARN_CASES))
def test_same_result_as_sklearn(name, weighted):
    params = SKLEARN_CASES[name]
    X, y = make_data(n=300)
    sw = np.random.default_rng(1).uniform(0.2, 2.0, len(y)) if weighted else None
    kw = dict({"max_iter": 50}, **params, random_state=3)
    ours = quiet_fit(SGDRegressor(**kw), X, y, sample_weight=sw)
    theirs = quiet_fit(sklm.SGDRegressor(**kw), X, y, sample_weight=sw)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-10)


def test_statistically_like_sklearn_with_defaults():
    # default settings, different seeds: the final training loss is alike
    X, y = make_data(n=2000, p=8)
    X = StandardScaler().fit_transform(X)
    ours = [quiet_fit(SGDRegressor(random_state=s), X, y) for s in range(3)]
    theirs = [quiet_fit(sklm.SGDRegressor(random_state=s + 10), X, y) for s in range(3)]
    mse = lambda m: np.mean((m.predict(X) - y) ** 2)  # noqa: E731
    assert np.mean([mse(m) for m in ours]) == pytest.approx(np.mean([mse(m) for m in theirs]), rel=0.05)


# ---------------------------------------------------------------------------
# exact optima
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["late_average", "full_batch"])
def test_converges_to_the_ridge_optimum(how):
    X, y = make_data(n=400, p=4)
    X = X - X.mean(axis=0)  # a centred X keeps the intercept from slowing SGD down
    alpha = 0.01
    # SGD minimises mean 0.5 r^2 + alpha/2 ||w||^2, i.e. Ridge with alpha * n
    ridge = sklm.Ridge(alpha=alpha * len(y)).fit(X, y)
    if how == "late_average":
        # averaging the iterates of the last 400 epochs removes SGD's noise
        params = dict(eta0=0.05, power_t=0.5, average=100 * len(y), max_iter=500)
        atol = 1e-4
    else:
        # one batch of all samples with a constant step is gradient descent
        params = dict(learning_rate="constant", eta0=0.05, batch_size=len(y), max_iter=2000)
        atol = 1e-10
    est = SGDRegressor(alpha=alpha, tol=None, random_state=0, **params).fit(X, y)
    assert_allclose(est.coef_, ridge.coef_, atol=atol)
    assert_allclose(est.intercept_[0], ridge.intercept_, atol=atol)


def test_converges_to_the_lasso_optimum():
    X, y = make_data(n=400, p=6)
    X[:, 2] = 0.01 * X[:, 0]  # a nearly useless feature the L1 penalty drops
    lasso = sklm.Lasso(alpha=0.05, tol=1e-10, max_iter=100_000).fit(X, y)
    est = SGDRegressor(penalty="l1", alpha=0.05, learning_rate="invscaling", eta0=0.01, power_t=0.5,
                       max_iter=400, tol=None, random_state=0).fit(X, y)
    assert_allclose(est.coef_, lasso.coef_, atol=1e-2)
    assert est.coef_[2] == 0.0


@pytest.mark.parametrize("batch_size,momentum", [(1, 0.0), (8, 0.0), (8, 0.9)])
def test_minibatch_and_momentum_reach_the_optimum(batch_size, momentum):
    X, y = make_data(n=400, p=4)
    ridge = sklm.Ridge(alpha=0.0).fit(X, y)
    est = SGDRegressor(penalty=None, learning_rate="invscaling", eta0=0.05 * (1 - momentum),
                       power_t=0.5, batch_size=batch_size, momentum=momentum,
                       max_iter=300, tol=None, random_state=0).fit(X, y)
    assert_allclose(est.coef_, ridge.coef_, atol=2e-2)


# ---------------------------------------------------------------------------
# scikit-learn API
# ---------------------------------------------------------------------------

@parametrize_with_checks(
    [SGDRegressor(max_iter=5, random_state=0)],
    expected_failed_checks=lambda est: {
        # as scikit-learn declares for its own SGDRegressor
        "check_sample_weight_equivalence_on_dense_data":
            "sample_weight scales a sample's step; it is not the same as repeating the sample.",
        "check_sample_weight_equivalence_on_sparse_data":
            "sample_weight scales a sample's step; it is not the same as repeating the sample.",
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_signature_and_defaults_match_sklearn():
    import inspect
    ours = inspect.signature(SGDRegressor).parameters
    theirs = inspect.signature(sklm.SGDRegressor).parameters
    assert list(ours)[: len(theirs)] == list(theirs)
    assert list(ours)[len(theirs):] == ["batch_size", "momentum", "nesterov"]
    for name, par in theirs.items():
        assert ours[name].default == par.default, name


def test_pipeline_grid_search_clone_pickle():
    X, y = make_data(n=300)
    pipe = make_pipeline(StandardScaler(), SGDRegressor(random_state=0))
    grid = GridSearchCV(pipe, {"sgdregressor__alpha": [1e-4, 1e-2], "sgdregressor__batch_size": [1, 8]}, cv=3)
    grid.fit(X, y)
    assert grid.best_score_ > 0.9
    est = grid.best_estimator_[-1]
    twin = clone(est)
    assert twin.get_params() == est.get_params() and not hasattr(twin, "coef_")
    again = pickle.loads(pickle.dumps(grid.best_estimator_))
    assert_array_equal(again.predict(X), grid.best_estimator_.predict(X))


@pytest.mark.parametrize("average", [False, True])
def test_partial_fit_stream_equals_one_epoch_of_fit(average):
    X, y = make_data(n=300)
    full = SGDRegressor(shuffle=False, max_iter=1, tol=None, average=average).fit(X, y)
    stream = SGDRegressor(shuffle=False, average=average)
    for chunk in np.array_split(np.arange(300), 4):
        stream.partial_fit(X[chunk], y[chunk])
    assert stream.t_ == full.t_ == 301
    assert_allclose(stream.coef_, full.coef_, rtol=1e-12)
    assert_allclose(stream.intercept_, full.intercept_, rtol=1e-12)


def test_partial_fit_continues_the_schedule_and_checks_features():
    X, y = make_data()
    est = SGDRegressor(random_state=0).partial_fit(X, y).partial_fit(X, y)
    assert est.t_ == 1 + 2 * len(y) and est.n_iter_ == 1
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])


def test_warm_start_and_coef_init_continue():
    X, y = make_data()
    cold = quiet_fit(SGDRegressor(random_state=0, max_iter=5), X, y)
    coef0, b0 = cold.coef_.copy(), cold.intercept_.copy()
    init = quiet_fit(SGDRegressor(random_state=0, max_iter=5), X, y, coef_init=coef0, intercept_init=b0)
    warm = SGDRegressor(random_state=0, max_iter=5, warm_start=True)
    quiet_fit(warm, X, y)
    quiet_fit(warm, X, y)
    assert_allclose(warm.coef_, init.coef_, rtol=1e-12)
    assert_array_equal(coef0, cold.coef_)  # coef_init was not written to


@pytest.mark.parametrize("average", [False, True])
def test_warm_start_like_sklearn(average):
    X, y = make_data()
    ours = SGDRegressor(random_state=1, max_iter=3, warm_start=True, average=average)
    theirs = sklm.SGDRegressor(random_state=1, max_iter=3, warm_start=True, average=average)
    for _ in range(3):
        quiet_fit(ours, X, y)
        quiet_fit(theirs, X, y)
    assert ours.t_ == theirs.t_
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10)


def test_float32_close_to_float64():
    X, y = make_data()
    a = SGDRegressor(random_state=0, tol=None, max_iter=5).fit(X, y)
    b = SGDRegressor(random_state=0, tol=None, max_iter=5).fit(X.astype(np.float32), y.astype(np.float32))
    assert b.coef_.dtype == np.float32 and b.intercept_.dtype == np.float32
    assert_allclose(b.coef_, a.coef_, rtol=1e-5, atol=1e-6)


def test_deterministic_and_inputs_untouched():
    X, y = make_data()
    X.flags.writeable = False
    sw = np.ones(len(y))
    copies = X.copy(), y.copy(), sw.copy()
    fits = [SGDRegressor(random_state=4, tol=None, max_iter=3).fit(X, y, sample_weight=sw) for _ in range(2)]
    assert_array_equal(fits[0].coef_, fits[1].coef_)
    assert_array_equal(fits[0].loss_curve_, fits[1].loss_curve_)
    for a, b in zip((X, y, sw), copies):
        assert_array_equal(a, b)
    Xf = np.asfortranarray(X)
    assert_array_equal(SGDRegressor(random_state=4, tol=None, max_iter=3).fit(Xf, y).coef_, fits[0].coef_)


def test_stopping_rule_and_convergence_warning():
    X, y = make_data()
    est = SGDRegressor(random_state=0, max_iter=1000).fit(X, y)
    assert est.n_iter_ < 1000 and len(est.loss_curve_) == est.n_iter_
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        SGDRegressor(random_state=0, max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGDRegressor(random_state=0, max_iter=2, tol=None).fit(X, y)
        SGDRegressor(random_state=0).partial_fit(X, y)


def test_epochs_run_in_chunks_like_one_call(monkeypatch):
    X, y = make_data()
    whole = SGDRegressor(random_state=0, tol=None, max_iter=9, penalty="elasticnet", average=2).fit(X, y)
    monkeypatch.setattr(sgd_run, "_CHUNK", 2)
    parts = SGDRegressor(random_state=0, tol=None, max_iter=9, penalty="elasticnet", average=2).fit(X, y)
    assert_array_equal(parts.coef_, whole.coef_)
    assert_array_equal(parts.loss_curve_, whole.loss_curve_)


def test_verbose_reports_each_epoch():
    X, y = make_data()
    out = io.StringIO()
    with redirect_stdout(out):
        SGDRegressor(verbose=1, max_iter=3, tol=None).fit(X, y)
    assert out.getvalue().count("-- Epoch") == 3


def test_divergence_raises_naming_the_epoch():
    X, y = make_data()
    X = X * 1e150  # the first steps overflow the weights
    msg = r"Floating-point under-/overflow occurred at epoch #\d+.*eta0"
    with pytest.raises(DivergenceError, match=msg):
        SGDRegressor(learning_rate="constant", eta0=1.0, max_iter=50).fit(X, y)
    with pytest.raises(ValueError, match=msg[: msg.index(".*")]):  # scikit-learn's, too
        sklm.SGDRegressor(learning_rate="constant", eta0=1.0, max_iter=50).fit(X, y)


def test_huge_but_finite_weights_are_returned_as_scikit_learn_does():
    # the clipped dloss keeps the weights finite (~1e16): scikit-learn
    # returns them, and so must fastgrad (no divergence error of its own)
    X, y = make_data()
    X = X * 1e3
    kw = dict(learning_rate="constant", eta0=10.0, max_iter=20, tol=None, random_state=0)
    ours = SGDRegressor(**kw).fit(X, y)
    ref = sklm.SGDRegressor(**kw).fit(X, y)
    assert np.all(np.isfinite(ours.coef_)) and np.abs(ours.coef_).max() > 1e10
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


def test_module_doctests():
    result = doctest.testmod(sgd_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

X_OK, Y_OK = make_data(n=20, p=3)


def _with(i, j, value, arr=X_OK):
    out = arr.copy()
    if arr.ndim == 2:
        out[i, j] = value
    else:
        out[i] = value
    return out


BAD_DATA = {
    "nan_X": (lambda: (_with(1, 1, np.nan), Y_OK, None), ValueError, "NaN"),
    "inf_X": (lambda: (_with(1, 1, np.inf), Y_OK, None), ValueError, "infinity"),
    "nan_y": (lambda: (X_OK, _with(2, None, np.nan, Y_OK), None), ValueError, "NaN"),
    "inf_y": (lambda: (X_OK, _with(2, None, np.inf, Y_OK), None), ValueError, "infinity"),
    "lengths": (lambda: (X_OK, Y_OK[:-1], None), ValueError, "inconsistent numbers of samples"),
    "empty": (lambda: (X_OK[:0], Y_OK[:0], None), ValueError, "0 sample"),
    "strings": (lambda: (np.array([["a", "b"]] * 3), np.ones(3), None), ValueError, "float"),
    "negative_weight": (lambda: (X_OK, Y_OK, -np.ones(20)), ValueError, "(?i)negative"),
    "zero_weights": (lambda: (X_OK, Y_OK, np.zeros(20)), ValueError, "non-zero"),
    "nan_weight": (lambda: (X_OK, Y_OK, _with(0, None, np.nan, np.ones(20))), ValueError, "NaN"),
    "weight_length": (lambda: (X_OK, Y_OK, np.ones(5)), ValueError, "sample_weight"),
    "2d_y": (lambda: (X_OK, np.c_[Y_OK, Y_OK], None), ValueError, "1d array"),
}


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_raises_clearly(case, method):
    make, error, match = BAD_DATA[case]
    X, y, sw = make()
    with pytest.raises(error, match=match):
        getattr(SGDRegressor(), method)(X, y, sample_weight=sw)


BAD_PARAMS = {
    "alpha": ({"alpha": -1.0}, "alpha"),
    "l1_ratio": ({"l1_ratio": 1.5}, "l1_ratio"),
    "loss": ({"loss": "hinge"}, "loss"),
    "penalty": ({"penalty": "l3"}, "penalty"),
    "learning_rate": ({"learning_rate": "fast"}, "learning_rate"),
    "max_iter0": ({"max_iter": 0}, "max_iter"),
    "max_iter_neg": ({"max_iter": -3}, "max_iter"),
    "batch_size0": ({"batch_size": 0}, "batch_size"),
    "momentum": ({"momentum": 1.0}, "momentum"),
    "eta0": ({"eta0": 0.0}, "eta0"),
    "tol": ({"tol": -1.0}, "tol"),
    "optimal_alpha0": ({"learning_rate": "optimal", "alpha": 0.0}, "alpha must be > 0"),
    "pa_loss": ({"learning_rate": "pa1"}, "epsilon_insensitive"),
    "elasticnet_no_ratio": ({"penalty": "elasticnet", "l1_ratio": None}, "l1_ratio"),
    "validation_fraction": ({"early_stopping": True, "validation_fraction": 0.99}, "train set will be empty"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS))
def test_bad_parameters_raise_clearly(case):
    params, match = BAD_PARAMS[case]
    with pytest.raises(ValueError, match=match):
        SGDRegressor(**params).fit(X_OK, Y_OK)


def test_bad_init_and_state_errors():
    with pytest.raises(NotFittedError):
        SGDRegressor().predict(X_OK)
    with pytest.raises(ValueError, match="coef_init"):
        SGDRegressor().fit(X_OK, Y_OK, coef_init=np.ones(2))
    with pytest.raises(ValueError, match="intercept_init"):
        SGDRegressor().fit(X_OK, Y_OK, intercept_init=np.ones(2))
    with pytest.raises(ValueError, match="early_stopping"):
        SGDRegressor(early_stopping=True).partial_fit(X_OK, Y_OK)
    est = quiet_fit(SGDRegressor(), X_OK, Y_OK)
    assert_allclose(est.predict(sp.csr_matrix(X_OK)), est.predict(X_OK), rtol=1e-12)
    with pytest.raises(ValueError, match="NaN"):
        est.predict(_with(0, 0, np.nan))
