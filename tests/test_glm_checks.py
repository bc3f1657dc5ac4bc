"""scikit-learn's estimator checks on the GLM estimators, with several solvers."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import HuberRegressor, LogisticRegression, PoissonRegressor


def _expected_failures(estimator):
    return {}


@parametrize_with_checks(
    [LogisticRegression(), PoissonRegressor(), HuberRegressor()]
    # tight tolerances: the sample-weight equivalence checks compare at rtol 1e-7
    + [LogisticRegression(solver=s, tol=1e-10, max_iter=10000) for s in ("lbfgs", "newton", "nesterov")]
    + [PoissonRegressor(solver=s, tol=1e-10, max_iter=10000) for s in ("newton", "gd")]
    + [HuberRegressor(solver="newton", tol=1e-10, max_iter=10000)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
