"""fastgrad.dask without a dask.distributed client: dask's threaded scheduler runs the
chunk tasks in this process. Also sparse (scipy.sparse CSR) chunks."""
import numpy as np
import pytest

dask = pytest.importorskip("dask.array", reason="needs the [dask] extra: pip install '.[dask]'")

import dask.array as da  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import fastgrad  # noqa: E402
import fastgrad.dask as fd  # noqa: E402
from fastgrad.dask import _runner  # noqa: E402

from conftest import make_data  # noqa: E402

X, Y, SW = make_data(seed=1)
TIGHT = 1e-10


@pytest.fixture(autouse=True)
def no_client():
    if _runner._client_or_none() is not None:  # pragma: no cover - a client leaked from elsewhere
        pytest.skip("a dask.distributed client is active; these tests need none")


@pytest.mark.parametrize("name, params, kind", [
    ("LinearRegression", {}, "linear"),
    ("ElasticNet", {"alpha": 0.02, "tol": TIGHT}, "linear"),
    ("LogisticRegression", {"tol": TIGHT}, "binary"),
    ("LogisticRegression", {"tol": TIGHT, "solver": "newton-cholesky"}, "multi"),
    ("PoissonRegressor", {"tol": TIGHT}, "count"),
    ("HuberRegressor", {"tol": TIGHT, "solver": "lbfgs"}, "robust"),
])
def test_threaded_scheduler_fit_matches_in_memory(name, params, kind):
    assert isinstance(_runner.get_runner(), _runner.ThreadedRunner)
    y = Y[kind]
    ref = getattr(fastgrad, name)(**params).fit(X, y, sample_weight=SW)
    est = getattr(fd, name)(**params).fit(
        da.from_array(X, chunks=(450, -1)), da.from_array(y, chunks=450),
        sample_weight=da.from_array(SW, chunks=450),
    )
    # L-BFGS stops at the gradient rule on both sides, from slightly different paths
    rtol = 1e-5 if params.get("solver") == "lbfgs" else 1e-6
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=rtol, atol=rtol * np.abs(ref.coef_).max())
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name, kind", [("LogisticRegression", "multi"), ("Ridge", "linear"),
                                        ("PoissonRegressor", "count"), ("Lasso", "linear")])
def test_sparse_chunks(name, kind):
    Xs = X - X.mean(axis=0)
    Xs[np.abs(Xs) < 0.8] = 0.0  # about 40% zeros
    chunks = da.from_array(Xs, chunks=(500, -1)).map_blocks(sp.csr_matrix, meta=sp.csr_matrix((0, 0)))
    y = Y[kind]
    params = {"tol": TIGHT} if name != "Ridge" else {}
    if name == "Lasso":
        params["alpha"] = 0.01
    ref = getattr(fastgrad, name)(**params).fit(sp.csr_matrix(Xs), y)
    est = getattr(fd, name)(**params).fit(chunks, da.from_array(y, chunks=500))
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    pred = est.predict(chunks)
    assert isinstance(pred, da.Array)
    np.testing.assert_allclose(pred.compute(), ref.predict(sp.csr_matrix(Xs)), rtol=1e-6, atol=1e-9)


def test_columns_in_several_chunks_and_a_numpy_y():
    y = Y["linear"]
    est = fd.Ridge(alpha=3.0).fit(da.from_array(X, chunks=(700, 2)), y)
    ref = fastgrad.Ridge(alpha=3.0).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-10)


def test_two_dimensional_y_least_squares():
    Y2 = np.column_stack([Y["linear"], -2.0 * Y["linear"] + 1.0])
    est = fd.LinearRegression().fit(da.from_array(X, chunks=(333, -1)), da.from_array(Y2, chunks=(333, -1)))
    ref = fastgrad.LinearRegression().fit(X, Y2)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-10)
    pred = est.predict(da.from_array(X, chunks=(333, -1)))
    assert pred.shape == (X.shape[0], 2)
    np.testing.assert_allclose(pred.compute(), ref.predict(X), rtol=1e-10)


def test_the_input_is_not_modified():
    Xc, yc = X.copy(), Y["binary"].copy()
    fd.LogisticRegression().fit(da.from_array(Xc, chunks=(500, -1)), da.from_array(yc, chunks=500))
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(yc, Y["binary"])


def test_string_labels_and_a_float32_X():
    labels = np.array(["ham", "spam", "eggs"])[Y["multi"]]
    X32 = X.astype(np.float32)
    est = fd.LogisticRegression(tol=TIGHT).fit(da.from_array(X32, chunks=(600, -1)),
                                               da.from_array(labels, chunks=600))
    ref = fastgrad.LogisticRegression(tol=TIGHT).fit(X32, labels)
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    assert est.coef_.dtype == ref.coef_.dtype == np.float32
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(est.predict(da.from_array(X32, chunks=(600, -1))).compute(),
                                  ref.predict(X32))


@pytest.mark.parametrize("name, params, kind", [
    ("LogisticRegression", {"tol": TIGHT}, "multi"),
    ("PoissonRegressor", {"tol": TIGHT}, "count"),
    ("HuberRegressor", {"tol": TIGHT}, "robust"),
])
def test_sub_sampled_hessian_reaches_the_same_optimum(monkeypatch, name, params, kind):
    # on tall data the Newton Hessian comes from a subset of the rows; force that here
    from fastgrad.dask import _glm

    monkeypatch.setattr(_glm, "HESSIAN_MIN_ROWS", 300)
    monkeypatch.setattr(_glm, "HESSIAN_ROWS_PER_COEF", 5)
    assert _glm.hessian_fraction(X.shape[0], 15) < 0.2
    y = Y[kind]
    ref = getattr(fastgrad, name)(**params).fit(X, y)
    est = getattr(fd, name)(**params).fit(da.from_array(X, chunks=(450, -1)), da.from_array(y, chunks=450))
    assert est.solver_ == "newton"
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * np.abs(ref.coef_).max())
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6)
