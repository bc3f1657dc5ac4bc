"""PoissonRegressor and HuberRegressor fitted on Dask arrays."""

import numpy as np

from ..linear_model import HuberRegressor as _InMemoryHuber
from ..linear_model import PoissonRegressor as _InMemoryPoisson
from . import _predict
from ._data import is_dask_collection
from ._glm import fit_glm, resolve_solver, setup
from ._scores import d2_poisson, r2

__all__ = ["HuberRegressor", "PoissonRegressor"]

_NOTES = """
    On Dask input ``fit`` persists the validated row chunks on the workers
    of the default ``dask.distributed`` client (the threaded scheduler
    without one); each solver iteration is one round of compiled per-chunk
    passes and a tree reduction, the solver runs on the client. Solvers:
    ``"auto"`` (Newton up to 500 coefficients, else L-BFGS), ``"lbfgs"``,
    ``"newton"``/``"newton-cholesky"``. ``n_jobs`` (where the class has it)
    sets the kernel threads per chunk task (None: 1). ``n_rounds_`` and
    ``round_seconds_`` record the rounds; ``predict`` and ``score`` are lazy.
"""


class PoissonRegressor(_InMemoryPoisson):
    __doc__ = """fastgrad's ``PoissonRegressor`` that also fits on Dask arrays.

    Same parameters, objective and fitted attributes as
    :class:`fastgrad.PoissonRegressor`; numpy / scipy.sparse input runs its
    in-memory fit.
    """ + _NOTES

    def fit(self, X, y, sample_weight=None):
        """Fit on Dask arrays (or, for numpy / scipy.sparse X, in memory)."""
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        st = setup(X, y, sample_weight)
        try:
            if st.stats["y_min"] < 0:
                raise ValueError(
                    "Some value(s) of y are out of the valid range of the loss 'HalfPoissonLoss': "
                    f"PoissonRegressor needs y >= 0 (counts or rates), but min(y) = "
                    f"{st.stats['y_min']!r}. Check the target, or use a model for signed targets."
                )
            p = st.n_features
            n_coef = p + (1 if self.fit_intercept else 0)
            y_mean = float(st.stats["y_sum"]) / st.stats["sum_s"]

            def start(mean):
                coef0 = np.zeros(n_coef)
                if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
                    coef0[:p] = self.coef_
                    if self.fit_intercept:
                        coef0[p] = self.intercept_ + mean @ self.coef_
                elif self.fit_intercept and y_mean > 0:
                    coef0[p] = np.log(y_mean)  # the best intercept for w = 0
                return coef0

            coef, n_iter, curve, mean, _ = fit_glm(
                self, st, "poisson", l2=lambda total: float(self.alpha), coef0=start,
                tol=lambda total: self.tol, solver=resolve_solver(self, n_coef),
            )
        finally:
            st.close()
        w = coef[:p]
        self.n_features_in_ = p
        self.coef_ = w.astype(st.dtype)
        self.intercept_ = float(coef[p] - mean @ w) if self.fit_intercept else 0.0
        self.n_iter_ = int(n_iter)
        self.loss_curve_ = curve
        self.solver_ = resolve_solver(self, n_coef)
        return self

    def predict(self, X):
        if not is_dask_collection(X):
            return super().predict(X)
        import dask.array as da

        return da.exp(_predict.scores(X, self.coef_, self.intercept_, np.float64))

    def score(self, X, y, sample_weight=None):
        """D^2 (fraction of Poisson deviance explained); a lazy Dask scalar on Dask input."""
        if not is_dask_collection(X):
            return super().score(X, y, sample_weight)
        return d2_poisson(y, self.predict(X), sample_weight)


class HuberRegressor(_InMemoryHuber):
    __doc__ = """fastgrad's ``HuberRegressor`` that also fits on Dask arrays.

    Same parameters, objective and fitted attributes as
    :class:`fastgrad.HuberRegressor`; numpy / scipy.sparse input runs its
    in-memory fit. On Dask input the intercept starts at the mean of ``y``
    (not the median, which would need a pass of its own), ``outliers_`` is
    a lazy Dask array, and the closed-form limit the in-memory fit applies
    when the scale runs to 0 (data fitted exactly) is not applied.
    """ + _NOTES

    def fit(self, X, y, sample_weight=None):
        """Fit on Dask arrays (or, for numpy / scipy.sparse X, in memory)."""
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        st = setup(X, y, sample_weight)
        try:
            p = st.n_features
            n_coef = p + (1 if self.fit_intercept else 0) + 1
            y_mean = float(st.stats["y_sum"]) / st.stats["sum_s"]

            def start(mean):
                coef0 = np.zeros(n_coef)
                coef0[-1] = 1.0  # sigma, as scikit-learn starts
                if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (p,):
                    coef0[:p] = self.coef_
                    if self.fit_intercept:
                        coef0[p] = self.intercept_ + mean @ self.coef_
                    coef0[-1] = self.scale_
                elif self.fit_intercept:
                    coef0[p] = y_mean
                return coef0

            solver = resolve_solver(self, n_coef)
            bounds = [(None, None)] * (n_coef - 1) + [(np.finfo(float).tiny, None)]
            coef, n_iter, curve, mean, _ = fit_glm(
                self, st, "huber", l2=lambda total: 2.0 * float(self.alpha) / total,
                coef0=start, tol=lambda total: self.tol / total, solver=solver,
                epsilon=float(self.epsilon), bounds=bounds,
            )
        finally:
            st.close()
        w = coef[:p]
        self.n_features_in_ = p
        self.coef_ = w.astype(st.dtype)
        self.intercept_ = float(coef[p] - mean @ w) if self.fit_intercept else 0.0
        self.scale_ = float(coef[-1])
        self.n_iter_ = int(n_iter)
        self.loss_curve_ = curve
        self.solver_ = solver
        import dask.array as da

        residual = da.fabs(da.asarray(y) - self.predict(X))
        self.outliers_ = residual > self.scale_ * self.epsilon
        return self

    def predict(self, X):
        if not is_dask_collection(X):
            return super().predict(X)
        return _predict.scores(X, self.coef_, self.intercept_, np.float64)

    def score(self, X, y, sample_weight=None):
        """R^2; a lazy Dask scalar on Dask input."""
        if not is_dask_collection(X):
            return super().score(X, y, sample_weight)
        return r2(y, self.predict(X), sample_weight)
