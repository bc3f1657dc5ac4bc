"""scikit-learn's estimator checks on the GLM estimators, with several solvers."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import (
    GammaRegressor,
    HuberRegressor,
    LogisticRegression,
    PoissonRegressor,
    TweedieRegressor,
)


def _expected_failures(estimator):
    failures = {}
    if isinstance(estimator, HuberRegressor):
        if estimator.solver == "newton":
            failures["check_fit2d_1sample"] = (
                "one sample is fitted exactly: the scale goes to 0 and the Hessian "
                "stops being finite; Newton says so (lbfgs and auto fit it)"
            )
    return failures


@parametrize_with_checks(
    [LogisticRegression(), PoissonRegressor(), HuberRegressor()]
    # tight tolerances: the sample-weight equivalence checks compare at rtol 1e-7
    + [LogisticRegression(solver=s, tol=1e-10, max_iter=10000) for s in ("lbfgs", "nesterov")]
    + [LogisticRegression(solver="newton", tol=1e-13, max_iter=1000)]
    + [PoissonRegressor(solver=s, tol=1e-10, max_iter=10000) for s in ("newton", "gd")]
    + [HuberRegressor(solver="newton", tol=1e-10, max_iter=10000)]
    # truncated Newton (what "auto" runs on sparse X; the exact Newton loop on dense X)
    + [LogisticRegression(solver="newton-cg", tol=1e-10, max_iter=1000),
       PoissonRegressor(solver="newton-cg", tol=1e-10, max_iter=1000)]
    # Gamma and Tweedie: the default, Newton, and powers / links of each kind
    + [GammaRegressor(), GammaRegressor(solver="newton", tol=1e-10, max_iter=1000),
       TweedieRegressor(), TweedieRegressor(power=1.5),
       TweedieRegressor(power=1.5, solver="newton-cg", tol=1e-10, max_iter=1000),
       TweedieRegressor(power=3.0, solver="newton", tol=1e-10, max_iter=1000),
       TweedieRegressor(power=1.0, link="identity", tol=1e-10, max_iter=1000)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
