"""``LogisticRegressionCV``: logistic regression with C (and l1_ratio) chosen by cross-validation."""

from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import _fit_context
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import compute_class_weight, metadata_routing
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter, MethodMapping, _manual_routing, _raise_for_params, _routing_enabled,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params, _deprecate_positional_args, validate_data

from ._base import _validate_weights, canonical_sparse
from ._logistic import LogisticRegression
from ._logistic_cv_attrs import best_for_refit, best_per_fold, stack_results, store
from ._logistic_cv_params import check_cs, default_scorer, fold_scorer, resolve_settings
from ._logistic_cv_path import fold_task, refit
from ._logistic_params import sklearn_convergence_text
from ._squared_loss import _usable_cpus

__all__ = ["LogisticRegressionCV"]

#: LogisticRegression's parameters that LogisticRegressionCV does not have.
_NOT_IN_CV = ("C", "warm_start", "l1_ratio", "learning_rate", "momentum", "batch_size")


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression whose ``C`` (and ``l1_ratio``) is chosen by cross-validation.

    A drop-in for scikit-learn 1.9's ``LogisticRegressionCV``: the same
    parameters, defaults, warnings and fitted attributes. For each fold of
    ``cv`` (``check_cv(cv, y, classifier=True)``: stratified 5-fold by
    default) and each ``l1_ratio``, the training rows are fitted for every C
    of ``Cs`` in order, each fit warm-started from the previous solution, on
    fastgrad's compiled loops (see :class:`LogisticRegression` for what each
    ``solver`` name runs), and each fit is scored on the held-out rows. The
    grid point with the best mean score wins; ``refit=True`` then fits all
    rows there, starting from the mean of the folds' solutions.

    Parameters
    ----------
    Cs : int or array-like of shape (n_cs,), default=10
        Values of C (> 0), tried in this order; an int: that many log-spaced
        values in [1e-4, 1e4].
    l1_ratios : array-like of shape (n_l1_ratios,), default="warn"
        Values of the L1 share in [0, 1]. The default (scikit-learn's
        transition value) means None, with a FutureWarning; None is
        deprecated. With ``penalty`` left at its default, all zeros mean
        L2, all ones L1, anything else the elastic net.
    fit_intercept : bool, default=True
    cv : int, cross-validation generator or iterable, default=None
        As ``sklearn.model_selection.check_cv`` for a classifier.
    dual : bool, default=False
        As in :class:`LogisticRegression` (liblinear only).
    penalty : {"l1", "l2", "elasticnet"}, default="deprecated"
        Deprecated (FutureWarning): use ``l1_ratios``.
    scoring : str, callable or None, default="warn"
        A scorer name or callable; None (and the default, with a
        FutureWarning) means accuracy.
    solver : str, default="lbfgs"
        Any solver of :class:`LogisticRegression`.
    tol : float, default=1e-4
    max_iter : int, default=100
        Iteration limit of each fit.
    class_weight : dict or "balanced", default=None
        "balanced" weights come from the whole ``y``.
    n_jobs : int, default=None
        (fold, l1_ratio) tasks run at once, in threads (the compiled loops
        release the GIL); each task's loops share the cores left. None: one
        task at a time, each with every core.
    verbose : int, default=0
    refit : bool, default=True
        True: refit all rows at the best grid point. False: average the
        folds' coefficients at each fold's best point (and those points'
        C and l1_ratio).
    intercept_scaling : float, default=1.0
        liblinear only, as in :class:`LogisticRegression`.
    random_state : int, RandomState or None, default=None
        Seeds the solvers that use it ("sgd"); not the folds.
    use_legacy_attributes : bool, default="warn"
        True (and the default, with a FutureWarning): scikit-learn's legacy
        layout (``C_`` an array, dicts keyed by class); False: the new one.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    Cs_ : ndarray of shape (n_cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        ``[None]`` when ``l1_ratios`` is None.
    C_ : ndarray of shape (1,) or (n_classes,), or float
    l1_ratio_ : ndarray of shape (1,) or (n_classes,), or float
    coefs_paths_ : dict or ndarray
        Legacy: per class (the positive class only for two) an array
        ``(n_folds, n_cs[, n_l1_ratios], n_dof)``; else an array
        ``(n_folds, n_l1_ratios, n_cs, n_classes or 1, n_dof)``.
    scores_ : dict or ndarray
        Legacy: per class ``(n_folds, n_cs[, n_l1_ratios])`` (the same
        scores for each class); else ``(n_folds, n_l1_ratios, n_cs)``.
    n_iter_ : ndarray
        Legacy ``(1, n_folds, n_cs[, n_l1_ratios])``; else
        ``(n_folds, n_l1_ratios, n_cs)``.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastgrad import LogisticRegressionCV
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegressionCV(Cs=5, l1_ratios=(0.0,), scoring="accuracy",
    ...                            use_legacy_attributes=False, max_iter=1000).fit(X, y)
    >>> clf.predict(X[:2]).tolist()
    [0, 0]
    >>> clf.scores_.shape
    (5, 1, 5)
    """

    __metadata_request__score = {"sample_weight": metadata_routing.UNUSED}
    _parameter_constraints: dict = {
        k: v for k, v in LogisticRegression._parameter_constraints.items() if k not in _NOT_IN_CV
    }
    _parameter_constraints.update(
        {
            "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
            "l1_ratios": ["array-like", None, Hidden(StrOptions({"warn"}))],
            "cv": ["cv_object"],
            "scoring": [StrOptions(set(get_scorer_names())), callable, None,
                        Hidden(StrOptions({"warn"}))],
            "refit": ["boolean"],
            "penalty": [StrOptions({"l1", "l2", "elasticnet"}), Hidden(StrOptions({"deprecated"}))],
            "use_legacy_attributes": ["boolean", Hidden(StrOptions({"warn"}))],
        }
    )

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios="warn",
        fit_intercept=True,
        cv=None,
        dual=False,
        penalty="deprecated",
        scoring="warn",
        solver="lbfgs",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes="warn",
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the grid, then fit the chosen model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fits and (as in scikit-learn) of the scores.
        **params : dict
            Metadata for the splitter and the scorer (metadata routing only).

        Returns
        -------
        self : LogisticRegressionCV
        """
        _raise_for_params(params, self, "fit")
        settings = resolve_settings(self)
        Cs = check_cs(self.Cs)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        original = X
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64, order="C",
                             accept_large_sparse=True)
        if hasattr(X, "tocsr"):
            X = canonical_sparse(X, original)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        classes = self.classes_ = encoder.classes_
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]}."
            )
        if self.solver == "liblinear" and len(classes) > 2:
            raise ValueError(
                "The 'liblinear' solver does not support multiclass classification (n_classes "
                ">= 3). Either use another solver or wrap the estimator in a OneVsRestClassifier "
                "to keep applying a one-versus-rest scheme."
            )
        y_idx = np.ascontiguousarray(encoder.transform(y), dtype=np.intp)
        sample_weight = _validate_weights(X, sample_weight)

        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
        else:
            score_kwargs = dict(params)
            if sample_weight is not None:
                score_kwargs["sample_weight"] = sample_weight
            routed = _manual_routing({"splitter": {}, "scorer": {"score": score_kwargs}})
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y, **routed.splitter.split))
        fit_weight = self._fit_weights(y, y_idx, classes, sample_weight)

        scorer = fold_scorer(settings.scoring, classes)
        n_tasks = len(folds) * len(settings.l1_ratios)
        jobs = max(1, min(effective_n_jobs(self.n_jobs), n_tasks))
        config = dict(
            solver=self.solver, penalty=settings.penalty, tol=self.tol, max_iter=self.max_iter,
            fit_intercept=self.fit_intercept, intercept_scaling=self.intercept_scaling,
            dual=self.dual, random_state=self.random_state, verbose=self.verbose,
            # threads of each task's compiled passes: all cores, or a share of them
            n_threads=None if jobs == 1 else max(1, _usable_cpus() // jobs),
        )
        with sklearn_convergence_text(self.solver, self.max_iter):
            # one catch in this thread: warnings of the worker threads are re-worded too
            results = Parallel(n_jobs=jobs, verbose=self.verbose, prefer="threads")(
                delayed(fold_task)(
                    config, X, y, y_idx, fit_weight, sample_weight, train, test, Cs=Cs,
                    l1_ratio=ratio, classes=classes, scorer=scorer,
                    score_params=_check_method_params(X, params=routed.scorer.score, indices=test),
                )
                for train, test in folds
                for ratio in settings.l1_ratios
            )
            coefs, scores, n_iter = stack_results(results, len(folds), len(settings.l1_ratios),
                                                  len(Cs))
            grid = settings.l1_ratios
            if self.refit:
                i_r, i_c = best_for_refit(scores)
                C, l1_ratio = Cs[i_c], grid[i_r]
                start = coefs[:, i_r, i_c].mean(axis=0)  # (class, dof)
                if len(classes) == 2:
                    start = start[0]
                refit_config = dict(config, verbose=max(0, self.verbose - 1), n_threads=None)
                w = refit(refit_config, X, y, y_idx, fit_weight, C, l1_ratio, classes, start)
            else:
                i_r, i_c = best_per_fold(scores)
                w = np.mean([coefs[f, i_r[f], i_c[f]] for f in range(len(folds))], axis=0)
                C = float(np.mean(Cs[i_c]))
                if settings.penalty == "elasticnet":
                    l1_ratio = float(np.mean(np.asarray(grid, dtype=np.float64)[i_r]))
                else:
                    l1_ratio = 0.0
        store(self, coefs=coefs, scores=scores, n_iter=n_iter, w=w, C=C, l1_ratio=l1_ratio,
              Cs=Cs, l1_grid=grid, settings=settings, classes=classes, n_features=X.shape[1])
        return self

    @property
    def partial_fit(self):
        # LogisticRegression's SGD partial_fit has no meaning for a CV estimator
        # (scikit-learn's has none): hidden, so that hasattr() is False
        raise AttributeError(f"'{type(self).__name__}' object has no attribute 'partial_fit'")

    def _fit_weights(self, y, y_idx, classes, sample_weight):
        """Sample weights times class weights ("balanced" from the whole ``y``), or None."""
        class_weight = self.class_weight
        if class_weight is None:
            return sample_weight
        if isinstance(class_weight, dict):
            if not set(class_weight) <= set(classes):
                raise ValueError(
                    "The given class_weight dict must have the class labels as keys; "
                    f"classes={classes} but key={class_weight.keys()}"
                )
        per_class = compute_class_weight(class_weight, classes=classes, y=y,
                                         sample_weight=sample_weight)
        w = per_class[y_idx]
        if sample_weight is not None:
            w = w * sample_weight
        return np.ascontiguousarray(w, dtype=np.float64)

    @_deprecate_positional_args(version="1.11")
    def score(self, X, y, *, sample_weight=None, **score_params):
        """The ``scoring`` metric (accuracy by default) of the model on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **score_params : dict
            Metadata for the scorer (metadata routing only).

        Returns
        -------
        score : float
        """
        _raise_for_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        scorer = self._get_scorer()
        if _routing_enabled():
            routed = process_routing(self, "score", **score_params)
        else:
            sw = score_params.get("sample_weight")
            routed = _manual_routing({"scorer": {"score": {} if sw is None else {"sample_weight": sw}}})
        return scorer(self, X, y, **routed.scorer.score)

    def get_metadata_routing(self):
        """Metadata routing of the estimator: to the splitter's ``split`` and the scorer.

        Returns
        -------
        routing : MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=self.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
            .add(
                scorer=self._get_scorer(),
                method_mapping=MethodMapping().add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
        )

    def _get_scorer(self):
        """The scorer of ``scoring``; accuracy by default."""
        return default_scorer(self.scoring)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = False
        return tags
