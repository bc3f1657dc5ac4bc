"""Benchmark cases of the linear-model estimators (part of the registry in ``cases``).

Each case fits one model on seeded synthetic data. ``fastgrad`` and every
reference return the same vector -- ``np.r_[coef, intercept]`` -- so the
tests can check they solve the same problem. scikit-learn references are
included when it is importable (it is a dependency, so always in practice).
"""
from __future__ import annotations

import numpy as np

from .naive_linear import elastic_net_cd, ridge_normal_equations, sgd_squared

__all__ = ["linear_model_cases"]

# (n_samples, n_features) per size; "full" and "quick" are the sizes the
# targets are stated for (fits take tens of ms, cheap enough for --quick).
_BIG = {"full": (200_000, 50), "quick": (200_000, 50), "tiny": (60, 4)}
_SMALL = {"full": (1000, 10), "quick": (1000, 10), "tiny": (60, 4)}
# SGD: the numpy reference is a Python loop over samples (~1 s per 200 000
# updates), so --quick uses a tenth of the rows.
_SGD = {"full": (200_000, 50), "quick": (20_000, 50), "tiny": (60, 4)}
_SGD_EPOCHS = 5


def _regression_data(sizes, seed):
    def setup(size):
        n, p = sizes[size]
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p))
        y = X @ rng.standard_normal(p) + 0.5 + rng.standard_normal(n)
        return {"X": X, "y": y}
    return setup


def _params(model):
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]


def linear_model_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    for tag, sizes, seed in (("200000x50", _BIG, 21), ("1000x10", _SMALL, 22)):
        setup = _regression_data(sizes, seed)
        yield Case(
            f"ridge/auto/{tag}", "linear-model", setup,
            lambda d: _params(fastgrad.Ridge(alpha=1.0).fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d: ridge_normal_equations(d["X"], d["y"], 1.0),
                                   "numpy: centre a copy of X, X.T @ X, solve"),
                "sklearn_cholesky": Reference(
                    lambda d: _params(sk.Ridge(alpha=1.0, solver="cholesky").fit(d["X"], d["y"])),
                    "sklearn.linear_model.Ridge(solver='cholesky')"),
                "sklearn_linear_regression": Reference(
                    lambda d: _params(sk.LinearRegression().fit(d["X"], d["y"])),
                    "sklearn.linear_model.LinearRegression (alpha=0: equal up to the penalty)",
                    rtol=1e-2, atol=1e-2),
            },
            rtol=1e-8, atol=1e-10, point_keys=(),
            description=f"Ridge(alpha=1).fit, solver='auto', {tag} float64",
        )
        yield Case(
            f"linear-regression/auto/{tag}", "linear-model", setup,
            lambda d: _params(fastgrad.LinearRegression().fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d: ridge_normal_equations(d["X"], d["y"], 0.0),
                                   "numpy: centre a copy of X, X.T @ X, solve"),
                "sklearn": Reference(lambda d: _params(sk.LinearRegression().fit(d["X"], d["y"])),
                                     "sklearn.linear_model.LinearRegression"),
            },
            rtol=1e-8, atol=1e-10, point_keys=(),
            description=f"LinearRegression().fit, {tag} float64",
        )

    # Lasso / ElasticNet at scikit-learn's default tol (both stop by the same
    # rule, so coefficients agree to about tol); sparse-ish true coefficients.
    for tag, sizes, seed in (("200000x50", _BIG, 23), ("1000x10", _SMALL, 24)):
        setup = _regression_data(sizes, seed)
        for model, l1_ratio in (("lasso", 1.0), ("elastic-net", 0.5)):
            yield Case(
                f"{model}/auto/{tag}", "linear-model", setup,
                (lambda d, r=l1_ratio: _params(fastgrad.ElasticNet(alpha=0.1, l1_ratio=r).fit(d["X"], d["y"]))),
                {
                    "numpy": Reference(
                        (lambda d, r=l1_ratio: elastic_net_cd(d["X"], d["y"], 0.1, r, tol=1e-6)),
                        "numpy: centred Gram matrix, coordinate descent in a Python loop", rtol=1e-3, atol=1e-4),
                    "sklearn_cd": Reference(
                        (lambda d, r=l1_ratio: _params(sk.ElasticNet(alpha=0.1, l1_ratio=r).fit(d["X"], d["y"]))),
                        "sklearn.linear_model.ElasticNet (coordinate descent, same stopping rule)",
                        rtol=1e-4, atol=1e-6),
                },
                rtol=1e-4, atol=1e-6, point_keys=(),
                description=f"ElasticNet(alpha=0.1, l1_ratio={l1_ratio}).fit, {tag} float64",
            )

    # SGDRegressor: a fixed number of epochs (tol=None), scikit-learn's
    # defaults otherwise; fastgrad follows scikit-learn's shuffling order, so
    # the two make the same updates and agree to rounding.
    for tag, sizes, seed in (("200000x50", _SGD, 25), ("1000x10", _SMALL, 26)):
        setup = _regression_data(sizes, seed)
        name = f"sgd-regressor/{_SGD_EPOCHS}-epochs/" + ("200000x50 (quick: 20000x50)" if sizes is _SGD else tag)
        yield Case(
            name, "linear-model", setup,
            lambda d: _params(fastgrad.SGDRegressor(max_iter=_SGD_EPOCHS, tol=None, random_state=0)
                              .fit(d["X"], d["y"])),
            {
                "numpy": Reference(
                    lambda d: sgd_squared(d["X"], d["y"], epochs=_SGD_EPOCHS),
                    "numpy: the same per-sample SGD in a Python loop (its own shuffles)",
                    rtol=0.1, atol=0.05),
                "sklearn": Reference(
                    lambda d: _params(sk.SGDRegressor(max_iter=_SGD_EPOCHS, tol=None, random_state=0)
                                      .fit(d["X"], d["y"])),
                    "sklearn.linear_model.SGDRegressor, same settings and random_state",
                    rtol=1e-6, atol=1e-8),
            },
            rtol=1e-6, atol=1e-8, point_keys=(),
            description=f"SGDRegressor(max_iter={_SGD_EPOCHS}, tol=None).fit, {tag} float64",
        )
