"""Data and a real 2-worker LocalCluster for the fastgrad.dask tests (no mocks).

The modules here skip (with a reason) when the [dask] extra is not installed;
this file imports dask only inside the fixtures.
"""
import numpy as np
import pytest

N, P = 2003, 4  # 2003 rows: no chunking divides them evenly


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def make_data(seed=0):
    """Columns with non-zero means (exercises the centring), four kinds of target, weights."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, P)) + np.array([3.0, -1.0, 0.0, 10.0])
    w = np.array([1.0, -2.0, 0.5, 0.0])
    eta = (X - X.mean(axis=0)) @ w
    targets = {
        "linear": eta + 0.5 * rng.standard_normal(N),
        "binary": (eta + rng.logistic(size=N) > 0).astype(np.int64),
        "multi": np.digitize(eta + rng.logistic(size=N), [-1.5, 1.5]),
        "count": rng.poisson(np.exp(0.3 * eta)).astype(np.float64),
    }
    outliers = rng.random(N) < 0.05
    targets["robust"] = targets["linear"] + 15.0 * outliers
    sample_weight = rng.uniform(0.5, 2.0, N)
    return X, targets, sample_weight
