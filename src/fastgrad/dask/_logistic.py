"""LogisticRegression (binary and multinomial) fitted on Dask arrays."""

import numpy as np
from ..linear_model import LogisticRegression as _InMemoryLogisticRegression
from ..linear_model._logistic_params import engine_tol
from ._data import is_dask_collection
from ._glm import fit_glm, resolve_solver, setup
from . import _predict

__all__ = ["LogisticRegression"]


def _class_weights(class_weight, classes, totals, total):
    """One weight per class (None without class weights), scikit-learn's rules."""
    if class_weight is None:
        return None
    if class_weight == "balanced":
        counts = np.array([totals[c] for c in classes.tolist()])
        return total / (len(classes) * counts)
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"class_weight names classes {sorted(map(str, unknown))} that are not in y; "
            f"the classes are {classes.tolist()}."
        )
    return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])


class LogisticRegression(_InMemoryLogisticRegression):
    """fastgrad's ``LogisticRegression`` that also fits on Dask arrays.

    Same parameters, objective and fitted attributes as
    :class:`fastgrad.LogisticRegression` (whose ``fit`` runs for numpy or
    scipy.sparse input). With a ``dask.array`` ``X`` (dense or scipy.sparse
    chunks) and ``y`` (labels), ``fit`` persists the validated row chunks
    on the workers of the default ``dask.distributed`` client (the threaded
    scheduler without one) and runs the solver on the client: each
    iteration is one round of compiled loss/gradient(/Hessian) passes, one
    per chunk, and a tree reduction of their d-sized sums.

    On Dask input: an L2 penalty or none (``l1_ratio=0``); solvers
    ``"auto"`` (Newton up to 500 coefficients, else L-BFGS), ``"lbfgs"``,
    ``"newton"``/``"newton-cholesky"``/``"newton-cg"`` (exact Newton),
    ``"sag"``/``"saga"`` (their optimum, reached by ``"auto"``). ``n_jobs``
    sets the kernel threads of each chunk task (None: 1, as dask runs one
    task per core). ``n_rounds_`` and ``round_seconds_`` record the rounds
    of the fit. ``predict``, ``predict_proba``, ``predict_log_proba``,
    ``decision_function`` and ``score`` return lazy Dask arrays.
    """

    def fit(self, X, y, sample_weight=None):
        """Fit on Dask arrays (or, for numpy / scipy.sparse X, in memory)."""
        if not is_dask_collection(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        C, ratio = self._check_params()
        if ratio > 0 and np.isfinite(C):
            raise ValueError(
                "fastgrad.dask.LogisticRegression fits an L2 penalty (l1_ratio=0) or none "
                f"(C=np.inf) on Dask arrays, got l1_ratio={ratio}. Use l1_ratio=0, or fit the "
                "in-memory fastgrad.LogisticRegression on a numpy array."
            )
        st = setup(X, y, sample_weight, labels=True)
        try:
            return self._fit_chunks(st, C)
        finally:
            st.close()

    def _fit_chunks(self, st, C):
        totals = st.stats["labels"]
        classes = np.unique(np.array(list(totals)))
        if len(classes) < 2:
            raise ValueError(
                "LogisticRegression needs samples of at least 2 classes in the data, but y "
                f"contains only one class: {classes[0]!r}."
            )
        K, p = len(classes), st.n_features
        k = 1 if K == 2 else K
        cw = _class_weights(self.class_weight, classes, totals, st.stats["sum_s"])
        n_coef = k * p + (k if self.fit_intercept else 0)
        solver = resolve_solver(self, n_coef)
        prior = np.array([totals[c] for c in classes.tolist()])
        prior = prior if cw is None else prior * cw
        prior = np.clip(prior / prior.sum(), 1e-12, None)
        warm = (self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (k, p)
                and np.array_equal(getattr(self, "classes_", None), classes))

        def start(mean):
            coef0 = np.zeros(n_coef)
            if warm:
                coef0[: k * p] = np.ravel(self.coef_)
                if self.fit_intercept:
                    coef0[k * p:] = np.ravel(self.intercept_) + self.coef_ @ mean
            elif self.fit_intercept:
                # the best intercepts for w = 0: the log-odds of the class priors
                logp = np.log(prior)
                coef0[k * p:] = logp[1] - logp[0] if K == 2 else logp - logp.mean()
            return coef0

        coef, n_iter, curve, mean, _ = fit_glm(
            self, st, "logistic" if K == 2 else "multinomial",
            l2=lambda total: 0.0 if not np.isfinite(C) else 1.0 / (C * total),
            coef0=start, tol=lambda total: engine_tol(self.solver, self.tol, 0.0),
            solver=solver, classes=classes, class_weight=cw,
        )
        self.classes_ = classes
        self.n_features_in_ = p
        self._store(coef, np.empty((0, p), dtype=st.dtype), mean, K, np.isfinite(C))
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        self.loss_curve_ = curve
        self.solver_ = solver
        return self

    # -- lazy prediction on Dask input ------------------------------------

    def decision_function(self, X):
        if not is_dask_collection(X):
            return super().decision_function(X)
        coef = self.coef_[0] if self.coef_.shape[0] == 1 else self.coef_
        icpt = self.intercept_[0] if self.coef_.shape[0] == 1 else self.intercept_
        return _predict.scores(X, coef, icpt, np.float64)

    def predict(self, X):
        if not is_dask_collection(X):
            return super().predict(X)
        return _predict.labels(self.decision_function(X), self.classes_)

    def predict_proba(self, X):
        if not is_dask_collection(X):
            return super().predict_proba(X)
        return _predict.proba(self.decision_function(X), len(self.classes_))

    def predict_log_proba(self, X):
        if not is_dask_collection(X):
            return super().predict_log_proba(X)
        return _predict.proba(self.decision_function(X), len(self.classes_), log=True)

    def score(self, X, y, sample_weight=None):
        """Accuracy; a lazy Dask scalar on Dask input."""
        if not is_dask_collection(X):
            return super().score(X, y, sample_weight)
        import dask.array as da

        hit = (self.predict(X) == da.asarray(y)).astype(np.float64)
        return _predict.weighted_mean(hit, sample_weight)
