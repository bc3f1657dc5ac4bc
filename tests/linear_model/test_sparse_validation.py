"""The shared sparse-input checks of the estimators (``linear_model._base``)."""
import numpy as np
import pytest
import scipy.sparse as sp

from fastgrad.linear_model._base import canonical_sparse


def _messy_csr():
    # row 0 holds column 1 twice (1 + 3) and is unsorted; row 1 is empty
    data, indices, indptr = np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1]), np.array([0, 3, 3])
    return sp.csr_matrix((data, indices, indptr), shape=(2, 3))


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array], ids=["matrix", "array"])
def test_duplicates_summed_and_sorted_without_touching_the_input(container):
    X = container(_messy_csr())
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    assert not X.has_canonical_format
    Y = canonical_sparse(X, X)
    assert Y.has_canonical_format
    np.testing.assert_array_equal(Y.toarray(), [[2.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)


def test_canonical_input_is_returned_as_is():
    X = sp.random(20, 10, density=0.3, format="csr", random_state=0)
    assert canonical_sparse(X, X) is X


def test_index_dtypes_made_equal():
    X = sp.random(5, 4, density=0.5, format="csc", random_state=1)
    X.indptr = X.indptr.astype(np.int64)
    X.indices = X.indices.astype(np.int32)
    Y = canonical_sparse(X, X)
    assert Y.indices.dtype == Y.indptr.dtype == np.int64
    assert X.indices.dtype == np.int32  # the input keeps its arrays
    np.testing.assert_array_equal(Y.toarray(), X.toarray())


def test_tfidf_like_benchmark_data():
    from fastgrad.bench.sparse_data import binary_target, regression_target, tfidf_like

    X = tfidf_like(500, 2000, 0.01, seed=0)
    assert sp.isspmatrix_csr(X) and X.has_canonical_format
    assert 0.5 * 0.01 < X.nnz / (500 * 2000) <= 0.01
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0)
    freq = np.bincount(X.indices, minlength=2000)
    assert freq.max() > 20 * np.median(freq)  # power-law columns: a few frequent terms
    assert np.all(np.isfinite(regression_target(X, 1)))
    assert set(np.unique(binary_target(X, 2))) == {0.0, 1.0}
    with pytest.raises(ValueError, match="density"):
        tfidf_like(5, 5, 0.0, seed=0)
