"""``LassoCV`` and ``ElasticNetCV``: the alpha (and l1_ratio) chosen by cross-validation.

As in scikit-learn: one alpha grid per l1_ratio from the full data, then for
every (l1_ratio, fold) a path on the training part, centred (and weighted)
per fold, and its weighted mean squared error on the test part; the chosen
pair minimises the mean over folds, and a final ``Lasso`` / ``ElasticNet`` is
fitted on all data. Splitters come from ``sklearn.model_selection.check_cv``;
the paths are fastgrad's compiled ones (``_path_solve``), run in threads for
``n_jobs`` (the kernels release the GIL).
"""

import warnings
from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter, MethodMapping, _raise_for_params, _routing_enabled, process_routing,
)
from sklearn.utils.validation import check_is_fitted

from ._base import _validate_fit_data, linear_predict
from ._cd_solvers import nonfinite_error
from ._coordinate_descent import ElasticNet, Lasso
from ._cv_gram import FoldGrams, is_complement
from ._path_solve import prepare_path_problem, run_path
from ._paths import _alpha_grid, _check_alphas, enet_path, lasso_path
from ._status import MAX_ITER, NONFINITE

__all__ = ["ElasticNetCV", "LassoCV"]


def _fold_kind(X, n_train, precompute):
    """The problem a fold's path runs on: ``path_kind``'s rule for the fold's shape
    (a full-data Gram array is not the fold's, so it means "compute one")."""
    if sp.issparse(X):
        return "sparse"
    if isinstance(precompute, str):  # "auto"
        return "gram" if n_train > X.shape[1] else "residual"
    return "gram" if precompute is True or hasattr(precompute, "__array__") else "residual"


def _fold_problem(X, y, sample_weight, train, fit_intercept, kind):
    X_train, y_train = X[train], y[train]
    sw_train = None
    if sample_weight is not None:
        # the fold's weights sum to its size, as in the estimators' objective
        sw_train = sample_weight[train]
        sw_train = sw_train * (len(train) / sw_train.sum(dtype=np.float64))
    return prepare_path_problem(X_train, y_train.reshape(-1, 1), sw_train, fit_intercept, kind)


def _fold_mse(X, y, sample_weight, train, test, fit_intercept, kind, grams, alphas,
              l1_ratio, max_iter, tol, positive, seed, n_threads):
    """Weighted test MSE along the path fitted on ``train`` (one per alpha)."""
    sw_test = None if sample_weight is None else sample_weight[test]
    if grams is not None:
        problem = grams.problem(train, test)
    else:
        problem = _fold_problem(X, y, sample_weight, train, fit_intercept, kind)
    result = run_path(problem, alphas, l1_ratio, np.zeros((1, X.shape[1])), max_iter=max_iter,
                      tol=tol, positive=positive, seeds=None if seed is None else [seed],
                      n_threads=n_threads)
    coefs = result.coefs[0]  # (p, n_alphas)
    intercepts = problem.y_mean[0] - problem.x_mean @ coefs
    pred = np.asarray(X[test] @ coefs) + intercepts
    mse = np.average((pred - y[test][:, None]) ** 2, axis=0, weights=sw_test)
    return mse, result.status[0], result.gaps[0]


class _LinearModelCV(RegressorMixin, BaseEstimator):
    """Shared fit of ``LassoCV`` / ``ElasticNetCV`` (see the module docstring)."""

    _parameter_constraints: dict = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "array-like", "boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "copy_X": ["boolean"],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    def _l1_ratios(self):
        return np.array([1.0])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Choose the penalty by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data (float32 stays float32; sparse X is not densified).
        y : array-like of shape (n_samples,)
            Finite targets (one target; an (n, 1) column is accepted with a warning).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the fits and of each fold's test MSE; the MSE that chooses
            is the plain mean over folds of the weighted fold MSEs. A number
            means no weights, as in scikit-learn.
        **params : dict
            Passed to the CV splitter (only with metadata routing enabled).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        if isinstance(sample_weight, Number):
            sample_weight = None
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight,
                                                 accept_sparse="csc")
        if y.ndim > 1 and y.shape[1] > 1:
            raise ValueError(f"For multi-task outputs, use MultiTask{type(self).__name__} "
                             "(fastgrad's CV estimators take one target).")
        y = column_or_1d(y, warn=True)
        l1_ratios = self._l1_ratios()
        alphas = self._alpha_grids(X, y, sample_weight, l1_ratios)

        cv = check_cv(self.cv)
        if _routing_enabled():
            split_params = process_routing(self, "fit", sample_weight=sample_weight,
                                           **params).splitter.split
        else:
            split_params = {}
        folds = list(cv.split(X, y, **split_params))
        seed = None
        if self.selection == "random":
            seed = int(check_random_state(self.random_state).randint(1, np.iinfo(np.int32).max))
        kinds = [_fold_kind(X, len(train), self.precompute) for train, _ in folds]
        grams = [None] * len(folds)
        if any(k == "gram" and is_complement(tr, te, X.shape[0])
               for k, (tr, te) in zip(kinds, folds)):
            whole = FoldGrams(X, y, sample_weight, self.fit_intercept)
            grams = [whole if k == "gram" and is_complement(tr, te, X.shape[0]) else None
                     for k, (tr, te) in zip(kinds, folds)]
        # folds in parallel threads: one OpenMP thread each, no oversubscription
        n_threads = 1 if effective_n_jobs(self.n_jobs) > 1 else None
        jobs = (
            delayed(_fold_mse)(X, y, sample_weight, train, test, self.fit_intercept, kind,
                               gram, grid, l1_ratio, self.max_iter, self.tol,
                               self.positive, seed, n_threads)
            for l1_ratio, grid in zip(l1_ratios, alphas)
            for (train, test), kind, gram in zip(folds, kinds, grams)
        )
        runs = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
        self._check_runs(runs)
        mse_paths = np.reshape([mse for mse, _, _ in runs], (len(l1_ratios), len(folds), -1))
        mean_mse = mse_paths.mean(axis=1)
        self.mse_path_ = np.squeeze(np.moveaxis(mse_paths, 2, 1))

        best_mse = np.inf
        for l1_ratio, grid, mse in zip(l1_ratios, alphas, mean_mse):
            i = int(np.argmin(mse))
            if mse[i] < best_mse:  # strict: the first l1_ratio wins a tie
                best_mse, best_alpha, best_l1_ratio = mse[i], grid[i], l1_ratio
        self.alpha_ = float(best_alpha)
        if isinstance(self.alphas, Integral):
            self.alphas_ = alphas[0] if len(l1_ratios) == 1 else np.asarray(alphas)
        else:
            self.alphas_ = alphas[0]

        model = self._final_estimator(best_l1_ratio)
        model.fit(X, y, sample_weight=sample_weight)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        if hasattr(self, "l1_ratio"):
            self.l1_ratio_ = float(best_l1_ratio)
        return self

    def _alpha_grids(self, X, y, sample_weight, l1_ratios):
        """One decreasing grid per l1_ratio: from the data (int ``alphas``) or the user's."""
        if isinstance(self.alphas, Integral):
            return [_alpha_grid(X, y, l1_ratio=r, fit_intercept=self.fit_intercept,
                                positive=self.positive, eps=self.eps, n_alphas=self.alphas,
                                sample_weight=sample_weight) for r in l1_ratios]
        grid = _check_alphas(self.alphas)
        if grid.shape[0] == 0:
            raise ValueError("alphas must hold at least one value (got an empty grid); pass "
                             "an int for an automatic grid of that size.")
        return list(np.tile(np.sort(grid)[::-1], (len(l1_ratios), 1)))

    def _check_runs(self, runs):
        if any(np.any(status == NONFINITE) for _, status, _ in runs):
            raise nonfinite_error()
        unconverged = [gaps[status == MAX_ITER].max() for _, status, gaps in runs
                       if np.any(status == MAX_ITER)]
        if unconverged:
            warnings.warn(
                "Objective did not converge. You might want to increase the number of "
                "iterations, check the scale of the features or consider increasing "
                f"regularisation. Duality gap: {max(unconverged):.3e} (worst fold path; "
                f"max_iter={self.max_iter}, tol={self.tol}).",
                ConvergenceWarning, stacklevel=3,
            )

    def _final_estimator(self, l1_ratio):
        common = dict(fit_intercept=self.fit_intercept, max_iter=self.max_iter, tol=self.tol,
                      copy_X=self.copy_X, positive=self.positive,
                      random_state=self.random_state, selection=self.selection)
        # "auto" is the CV's own rule; the final fit picks its loop itself
        precompute = False if isinstance(self.precompute, str) else self.precompute
        if l1_ratio == 1.0 and not hasattr(self, "l1_ratio"):
            return Lasso(alpha=self.alpha_, precompute=precompute, **common)
        return ElasticNet(alpha=self.alpha_, l1_ratio=l1_ratio, precompute=precompute, **common)

    def get_metadata_routing(self):
        """Metadata routing: ``fit`` passes split parameters to the CV splitter."""
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=check_cv(self.cv),
                 method_mapping=MethodMapping().add(caller="fit", callee="split"))
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags

    def predict(self, X):
        """``X @ coef_ + intercept_`` of the refitted model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return linear_predict(self, X)


_COMMON_DOC = """
    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Size of the automatic grid (from ``alpha_max``, the smallest alpha
        with all-zero coefficients on the full data), or the alphas to try.
    fit_intercept : bool, default=True
        Fit an intercept (the data are centred per fold).
    precompute : "auto", bool or array-like, default="auto"
        Gram-matrix loop for the fold paths ("auto": when ``n_train >
        n_features``; an array is recomputed per fold); ignored for sparse X.
    max_iter : int, default=1000
        Epochs per alpha.
    tol : float, default=1e-4
        Stop an alpha when the duality gap is at most ``tol * var_s(y)``.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified.
    cv : int, cross-validation generator or iterable, default=None
        As ``sklearn.model_selection.check_cv``: None is 5-fold ``KFold``.
    verbose : bool or int, default=False
        joblib verbosity of the fold runs.
    n_jobs : int, default=None
        Threads over the (l1_ratio, fold) paths (None: 1, -1: all cores).
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0``.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order of CD.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    mse_path_ : ndarray of shape (n_alphas, n_folds) (ElasticNetCV with
        several l1_ratios: (n_l1_ratio, n_alphas, n_folds))
        Test MSE of every fold along the path.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid(s) used.
    dual_gap_ : float
        Duality gap of the final fit.
    n_iter_ : int
        Epochs of the final fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
"""


class LassoCV(_LinearModelCV):
    __doc__ = """Lasso with alpha chosen by cross-validation, a drop-in for scikit-learn's.
""" + _COMMON_DOC + """
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from fastgrad.linear_model import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = LassoCV(cv=5).fit(X, y)
    >>> reg.mse_path_.shape
    (100, 5)
    >>> bool(reg.alpha_ in reg.alphas_)
    True
    """

    path = staticmethod(lasso_path)

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 positive=False, random_state=None, selection="cyclic"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection


class ElasticNetCV(_LinearModelCV):
    __doc__ = """Elastic net with alpha and l1_ratio chosen by cross-validation, as scikit-learn's.

    l1_ratio : float or array-like of floats, default=0.5
        The L1 share(s) to try, each in ``[0, 1]`` (0 needs explicit ``alphas``).
        Also the attribute ``l1_ratio_``: the chosen one.
""" + _COMMON_DOC + """
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from fastgrad.linear_model import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=3).fit(X, y)
    >>> reg.mse_path_.shape
    (2, 20, 3)
    >>> bool(reg.l1_ratio_ in (0.5, 1.0))
    True
    """

    _parameter_constraints: dict = {
        **_LinearModelCV._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }
    path = staticmethod(enet_path)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64)).ravel()
        if ratios.shape[0] == 0:
            raise ValueError("l1_ratio must hold at least one value in [0, 1], got an empty list.")
        for index, value in enumerate(ratios):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"l1_ratio[{index}] == {float(value)!r}, must be in [0, 1].")
        return ratios
