"""LogisticRegressionCV's work: a warm-started path over the Cs on one fold, and the refit.

Each task of the cross-validation is one (fold, l1_ratio) pair: the train
rows are fitted for every C in the user's order, each fit starting from the
previous one's solution (the compiled loops then need a few iterations per C
instead of a cold start), and every solution is scored on the held-out rows.

The fits reuse :class:`LogisticRegression`'s steps (its data mixin builds the
compiled objective on centred data; ``_glm_solve.solve`` runs the loop that
scikit-learn's solver name maps to) without re-validating the fold for every
C. The labels are encoded with the classes of the whole ``y``, so that a
fold that misses a class still gets a coefficient row for it (as in
scikit-learn). ``solver="liblinear"`` (a penalised intercept, binary only)
goes through ``LogisticRegression.fit`` once per C, warm-started too (the
same optimum as scikit-learn's cold liblinear starts, in fewer iterations).

Coefficients are returned in scikit-learn's path layout: ``(n_features + 1,)``
rows for two classes and ``(n_classes, n_features + 1)`` for more, the
intercept last when ``fit_intercept``.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._glm_solve import prepare, row_curvature_bound, solve
from ._logistic import _CURVATURE, LogisticRegression
from ._logistic_params import convergence_message, engine, engine_tol
from ._logistic_cv_params import effective_ratio

__all__ = []


def make_inner(config, C=1.0, l1_ratio=0.0):
    """The LogisticRegression whose steps run one fit (``config`` holds the CV's settings)."""
    return LogisticRegression(
        C=C, l1_ratio=l1_ratio, solver=config["solver"], tol=config["tol"],
        max_iter=config["max_iter"], fit_intercept=config["fit_intercept"],
        intercept_scaling=config["intercept_scaling"], dual=config["dual"],
        random_state=config["random_state"], verbose=config["verbose"],
        n_jobs=config["n_threads"],
    )


def path_layout(est, fit_intercept, n_classes):
    """``coef_`` and ``intercept_`` of ``est`` as one path entry (scikit-learn's layout)."""
    W = np.asarray(est.coef_, dtype=np.float64)
    if fit_intercept:
        W = np.column_stack([W, np.ravel(est.intercept_)])
    return W[0].copy() if n_classes == 2 else W


def set_from_layout(est, w, fit_intercept):
    """Set ``coef_`` / ``intercept_`` of ``est`` from one path entry."""
    W = np.atleast_2d(w)
    if fit_intercept:
        est.coef_, est.intercept_ = W[:, :-1].copy(), W[:, -1].copy()
    else:
        est.coef_, est.intercept_ = W.copy(), np.zeros(W.shape[0])


class _Problem:
    """One training set: the inner estimator, its data and the warm start between Cs."""

    def __init__(self, config, X, y_idx, n_classes, sample_weight):
        self.est = make_inner(config)
        self.X, self.y_idx, self.n_classes, self.sw = X, y_idx, n_classes, sample_weight
        self.config = config
        self.coef = None      # centred solution of the last C (the next start)
        # (sum of weights, column means, threads): once for all the Cs
        self.prepared = prepare(self.est, X, sample_weight)
        self.sgd_bound = 0.0
        if config["solver"] == "sgd":
            kind = "binary" if n_classes == 2 else "multinomial"
            self.sgd_bound = row_curvature_bound(X, sample_weight, self.prepared[1],
                                                 config["fit_intercept"], _CURVATURE[kind])

    def fit(self, C, ratio, start=None):
        """Fit at ``(C, ratio)`` from the last solution (or ``start``, a path entry);
        returns ``(path entry, n_iter)``."""
        est, X, n_classes = self.est, self.X, self.n_classes
        obj, l1, mean = est._objective(X, self.y_idx, n_classes, self.sw, C, ratio,
                                       prepared=self.prepared)
        if start is not None:
            coef0 = self._centred(start, obj, mean)
        elif self.coef is not None and self.coef.shape[0] == obj.n_coef:
            coef0 = self.coef
        else:
            coef0 = est._start(X, self.y_idx, n_classes, self.sw, mean, obj)
        cfg = self.config
        penalized = bool(np.isfinite(C))
        if cfg["max_iter"] == 0:
            # LogisticRegression's max_iter=0: the untrained model, with a warning
            coef, n_iter = np.zeros_like(coef0), 0
            warnings.warn(convergence_message(cfg["solver"], 0, 0), ConvergenceWarning, stacklevel=2)
        else:
            result = solve(
                est, obj, coef0, solver=engine(cfg["solver"], l1), l1=l1,
                max_iter=cfg["max_iter"], tol=engine_tol(cfg["solver"], cfg["tol"], l1),
                seed=check_random_state(cfg["random_state"]).randint(np.iinfo(np.int32).max),
                verbose=cfg["verbose"],
                hessian_blocks=1 if n_classes == 2 else n_classes * (n_classes + 1) // 2,
                sgd_bound=self.sgd_bound,
            )
            coef, n_iter = result.coef, result.n_iter
        self.coef = coef
        est._store(coef, X, mean if cfg["max_iter"] else np.zeros_like(mean), n_classes, penalized)
        return path_layout(est, cfg["fit_intercept"], n_classes), n_iter

    def _centred(self, w, obj, mean):
        """A path entry (raw coordinates) as the compiled loops' centred start point."""
        p = self.X.shape[1]
        W = np.atleast_2d(np.asarray(w, dtype=np.float64))
        coef0 = np.zeros(obj.n_coef)
        k = W.shape[0]
        coef0[: k * p] = W[:, :p].ravel()
        if self.config["fit_intercept"]:
            coef0[k * p:] = W[:, p] + W[:, :p] @ mean
        return coef0


def _fit_liblinear(est, X, y, sample_weight, C, ratio, classes, fit_intercept):
    """One liblinear-model fit of ``est`` at ``(C, ratio)``; returns ``(path entry, n_iter)``.

    scikit-learn's liblinear starts every C cold; ``est`` here keeps its last
    solution as the start (``warm_start``): the same optimum, reached in
    fewer iterations (FISTA, with an L1 part, needs them).
    """
    est.set_params(C=C, l1_ratio=ratio)
    est.fit(X, y, sample_weight)
    return path_layout(est, fit_intercept, len(classes)), int(est.n_iter_[0])


def fit_path(config, X, y, y_idx, sample_weight, Cs, ratio, classes):
    """Fit the whole grid of ``Cs`` at one l1_ratio on ``(X, y)``, warm-started.

    Returns ``(coefs, n_iter)``: the path entries stacked over the Cs and the
    iterations of each fit.
    """
    coefs, n_iter = [], np.zeros(len(Cs), dtype=np.int32)
    if config["solver"] == "liblinear":
        est = make_inner(config)
        est.warm_start = True
        for i, C in enumerate(Cs):
            w, n_iter[i] = _fit_liblinear(est, X, y, sample_weight, C, ratio, classes,
                                          config["fit_intercept"])
            coefs.append(w)
        return np.stack(coefs), n_iter
    problem = _Problem(config, X, y_idx, len(classes), sample_weight)
    for i, C in enumerate(Cs):
        w, n_iter[i] = problem.fit(C, ratio)
        coefs.append(w)
    return np.stack(coefs), n_iter


class _PathShell(LogisticRegression):
    """The model of one path entry, for the scorer, with the held-out decision values
    of every entry computed in one product (one pass over the test rows for the
    whole path instead of one per C)."""

    def use(self, X_test, decisions, i):
        self._test, self._decisions, self._i = X_test, decisions, i

    def decision_function(self, X):
        if X is getattr(self, "_test", None):
            return self._decisions[self._i]
        return super().decision_function(X)


def _decisions(coefs, X_test, fit_intercept, n_features):
    """``X_test @ W.T + b`` of every path entry: a list over the entries of (n,) or (n, k)."""
    W = np.asarray(coefs, dtype=np.float64)
    W = W.reshape(W.shape[0], -1, W.shape[-1])  # (entry, class, dof)
    n_entries, k, _ = W.shape
    flat = W.reshape(n_entries * k, -1)
    D = np.asarray(X_test @ flat[:, :n_features].T)
    if fit_intercept:
        D = D + flat[:, n_features]
    D = D.reshape(D.shape[0], n_entries, k)
    return [D[:, i, 0] if k == 1 else D[:, i, :] for i in range(n_entries)]


def score_path(coefs, Cs, X_test, y_test, *, classes, config, scorer, sw_test, score_params):
    """The held-out score of every path entry (scikit-learn's ``_log_reg_scoring_path``)."""
    shell = _PathShell(**make_inner(config).get_params())
    shell.classes_ = classes
    decisions = _decisions(coefs, X_test, config["fit_intercept"], X_test.shape[1])
    scores = np.empty(len(Cs))
    for i, (w, C) in enumerate(zip(coefs, Cs)):
        shell.C = C
        set_from_layout(shell, w, config["fit_intercept"])
        shell.use(X_test, decisions, i)
        if scorer is None:
            # the default: accuracy, with the test rows' sample weights
            scores[i] = shell.score(X_test, y_test, sample_weight=sw_test)
        else:
            scores[i] = scorer(shell, X_test, y_test, **score_params)
    return scores


def fold_task(config, X, y, y_idx, fit_weight, raw_weight, train, test, *, Cs, l1_ratio,
              classes, scorer, score_params):
    """One (fold, l1_ratio) task: the path on ``train``, scored on ``test``.

    ``fit_weight`` is the sample weight times the class weight (what the fits
    see), ``raw_weight`` the user's sample weight (what the default scorer
    sees); ``score_params`` are already restricted to the test rows.
    Returns ``(coefs, scores, n_iter)``.
    """
    ratio = effective_ratio(config["penalty"], l1_ratio)
    X_train = X[train]
    if sp.issparse(X_train):
        X_train.sort_indices()
    sw_train = None if fit_weight is None else np.ascontiguousarray(fit_weight[train])
    coefs, n_iter = fit_path(config, X_train, y[train], y_idx[train], sw_train, Cs, ratio, classes)
    sw_test = None if raw_weight is None else raw_weight[test]
    scores = score_path(coefs, Cs, X[test], y[test], classes=classes, config=config,
                        scorer=scorer, sw_test=sw_test, score_params=score_params)
    return coefs, scores, n_iter


def refit(config, X, y, y_idx, fit_weight, C, l1_ratio, classes, start):
    """The final fit on all rows at the chosen ``(C, l1_ratio)``, started from ``start``
    (the mean of the folds' path entries there). Returns the path entry."""
    ratio = effective_ratio(config["penalty"], l1_ratio)
    if config["solver"] == "liblinear":
        # cold, as scikit-learn's liblinear refit: the same model as
        # LogisticRegression(solver="liblinear", C=C_) to the last digit
        est = make_inner(config)
        w, _ = _fit_liblinear(est, X, y, fit_weight, C, ratio, classes, config["fit_intercept"])
        return w
    problem = _Problem(config, X, y_idx, len(classes), fit_weight)
    w, _ = problem.fit(C, ratio, start=start)
    return w
