"""Linear classification by stochastic gradient descent (one binary problem per class).

The estimator's API and its data and label checks; the binary problems are
run by ``_sgd_run.run_one_vs_all``, each one run of the compiled SGD core,
the same kernel (and the same parameter checks, ``_sgd.BaseSGD``) as
``SGDRegressor``.
"""

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _FLOAT_DTYPES, _validate_weights, canonical_sparse
from ._sgd import BaseSGD, SGDRegressor
from ._sgd_run import CLASSIFICATION_LOSSES, LOSSES, run_one_vs_all

__all__ = ["SGDClassifier"]

# name -> (kernel loss code, margin threshold; None: the ``epsilon`` parameter)
_LOSSES = {
    "hinge": (CLASSIFICATION_LOSSES["hinge"], 1.0),
    "squared_hinge": (CLASSIFICATION_LOSSES["squared_hinge"], 1.0),
    "perceptron": (CLASSIFICATION_LOSSES["hinge"], 0.0),
    "modified_huber": (CLASSIFICATION_LOSSES["modified_huber"], 0.0),
    "log_loss": (CLASSIFICATION_LOSSES["log_loss"], 0.0),
    **{name: (code, None) for name, code in LOSSES.items()},
}


class SGDClassifier(LinearClassifierMixin, SparseCoefMixin, BaseSGD):
    """Linear classifiers (SVM, logistic regression, ...) fitted by SGD (compiled).

    A drop-in for scikit-learn's ``SGDClassifier``: same parameters,
    defaults, update rule, stopping rule, shuffling and random-number
    streams (the same ``random_state`` gives the same coefficients up to
    rounding). Two classes give one binary problem (the larger label is
    the positive one); more classes give one problem per class against
    the rest (one-vs-all), run in parallel threads with ``n_jobs``. Each
    minimises, as :class:`SGDRegressor` does::

        mean_i c_i s_i L(y_i, x_i . w + b) + alpha * ((1 - r) ||w||^2 / 2 + r ||w||_1)

    with ``y_i = +1`` for the class and ``-1`` for the rest (``0`` for
    log_loss), ``c_i`` the class weight of ``y_i`` (for one-vs-all: the
    class's weight on its samples, 1 on the rest) and ``s_i`` the sample
    weight. Sparse ``X`` follows scikit-learn's sparse rules (see
    :class:`SGDRegressor`).

    Parameters
    ----------
    loss : {"hinge", "log_loss", "modified_huber", "squared_hinge", \
"perceptron", "squared_error", "huber", "epsilon_insensitive", \
"squared_epsilon_insensitive"}, default="hinge"
        ``L`` of the margin ``z = y p``: ``max(0, 1 - z)`` (linear SVM);
        ``log(1 + exp(-z))`` (logistic regression; ``predict_proba``);
        ``max(0, 1 - z)^2`` inside ``z >= -1`` and ``-4 z`` below
        (``predict_proba``); ``max(0, 1 - z)^2``; ``max(0, -z)``
        (perceptron); or a regression loss of :class:`SGDRegressor` on the
        -1 / +1 labels.
    penalty, alpha, l1_ratio, fit_intercept, max_iter, tol, shuffle, verbose, \
epsilon, random_state, eta0, early_stopping, validation_fraction, \
n_iter_no_change, average
        As :class:`SGDRegressor`, except: ``early_stopping`` holds out a
        stratified ``validation_fraction`` and stops on its (sample-weighted)
        accuracy; ``epsilon`` only matters for the regression losses.
    learning_rate : {"optimal", "constant", "invscaling", "adaptive", "pa1", \
"pa2"}, default="optimal"
        As :class:`SGDRegressor`; the passive-aggressive schedules need
        ``loss="hinge"``.
    power_t : float, default=0.5
        Exponent of "invscaling".
    n_jobs : int or None, default=None
        Threads for the one-vs-all problems (joblib; the kernel releases the
        GIL). None means 1 unless in a ``joblib.parallel_backend`` context.
    class_weight : dict, "balanced" or None, default=None
        Weight of each class, multiplied into the sample weights of the
        training steps; "balanced" uses ``n_samples / (n_classes *
        count)`` (not with ``partial_fit``).
    warm_start : bool, default=False
        Let ``fit`` start from the previous ``coef_`` / ``intercept_`` (the
        averaged ones when they were used; the average restarts), as
        scikit-learn does. ``t_`` restarts at 1.
    batch_size : int, default=1
        fastgrad extra, as in :class:`SGDRegressor`.
    momentum : float in [0, 1), default=0.0
        fastgrad extra, as in :class:`SGDRegressor`.
    nesterov : bool, default=False
        fastgrad extra, as in :class:`SGDRegressor`.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights, in the float dtype of ``X`` (computed in float64).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_iter_ : int
        Epochs of the last ``fit`` / ``partial_fit`` (the most of any class).
    t_ : float
        ``1 +`` the updates made per problem (every sample of an epoch
        counts, as in scikit-learn; one per mini-batch with ``batch_size``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model import SGDClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((400, 2))
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    >>> clf.classes_
    array([0, 1])
    >>> float(clf.score(X, y)) > 0.95
    True
    >>> clf.predict(np.array([[2.0, 2.0], [-2.0, -2.0]]))
    array([1, 0])
    """

    _PA_LOSS = "hinge"
    #: the loss names (scikit-learn has a class attribute of this name, which
    #: its tests iterate), each -> (kernel code, margin threshold)
    loss_functions = dict(_LOSSES)
    _parameter_constraints: dict = {
        **SGDRegressor._parameter_constraints,
        "loss": [StrOptions(set(_LOSSES))],
        "n_jobs": [Integral, None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(
        self,
        loss="hinge",
        *,
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        epsilon=0.1,
        n_jobs=None,
        random_state=None,
        learning_rate="optimal",
        eta0=0.01,
        power_t=0.5,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        average=False,
        batch_size=1,
        momentum=0.0,
        nesterov=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size
        self.momentum = momentum
        self.nesterov = nesterov

    # -- state -------------------------------------------------------------

    def _init_weights(self, n_classes, p, coef_init, intercept_init):
        """Plain and averaged weights, one row per binary problem (copies of the inits)."""
        rows = 1 if n_classes == 2 else n_classes
        coef = np.zeros((rows, p))
        if coef_init is not None:
            coef_init = coef_init.toarray() if sp.issparse(coef_init) else coef_init
            coef_init = np.asarray(coef_init, dtype=np.float64)
            if rows == 1:
                coef_init = coef_init.ravel()
            if coef_init.shape != coef.shape[rows == 1:] or not np.all(np.isfinite(coef_init)):
                raise ValueError(f"Provided coef_init does not match dataset: it must hold finite "
                                 f"numbers of shape {coef.shape[rows == 1:]}, got {coef_init.shape}.")
            coef[:] = coef_init
        intercept = np.zeros(rows)
        if intercept_init is not None:
            intercept_init = np.asarray(intercept_init, dtype=np.float64)
            bad = intercept_init.size != rows or intercept_init.ndim > 1
            if bad or not np.all(np.isfinite(intercept_init)):
                raise ValueError(f"Provided intercept_init does not match dataset: it must hold "
                                 f"{rows} finite numbers, got shape {intercept_init.shape}.")
            intercept[:] = intercept_init.ravel()
        self._w_state, self._b_state = coef, intercept
        self._aw_state, self._ab_state = np.zeros_like(coef), np.zeros(rows)

    def _partial_fit(self, X, y, max_iter, classes, sample_weight, coef_init, intercept_init):
        first_call = not hasattr(self, "classes_")
        original = X
        X, y = validate_data(self, X, y, accept_sparse="csr", accept_large_sparse=True,
                             dtype=_FLOAT_DTYPES, order="C", reset=first_call)
        if sp.issparse(X):
            X = canonical_sparse(X, original)
        _check_partial_fit_first_call(self, classes)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"The number of classes has to be greater than one; got {n_classes} class.")
        class_weight = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        # all-zero weights pass with early stopping: the split then says
        # which part has none (as scikit-learn)
        sample_weight = _validate_weights(X, sample_weight, allow_all_zero=self.early_stopping)
        if sample_weight is None:
            sample_weight = np.ones(X.shape[0], dtype=X.dtype)
        if getattr(self, "_w_state", None) is None or coef_init is not None:
            self._init_weights(n_classes, X.shape[1], coef_init, intercept_init)
        if not hasattr(self, "t_"):
            self.t_ = 1.0
        code, threshold = _LOSSES[self.loss]
        run_one_vs_all(self, X, y, sample_weight, class_weight, max_iter, code,
                       self.epsilon if threshold is None else threshold)

    # -- public API ------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the model by SGD, from zero (or the given / previous weights).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data, dense or ``scipy.sparse`` (run as CSR).
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).
        coef_init : array-like of shape (n_classes, n_features), default=None
            Starting weights (one row for two classes); not modified.
        intercept_init : array-like of shape (n_classes,), default=None
            Starting intercepts (one for two classes).
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, multiplied by ``class_weight``.

        Returns
        -------
        self : SGDClassifier
            The fitted estimator.
        """
        self._check_params(for_partial_fit=False)
        if hasattr(self, "classes_"):
            del self.classes_  # so that _partial_fit sees a first call
        y = validate_data(self, y=y)
        if self.warm_start and getattr(self, "coef_", None) is not None:
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = self.intercept_ if intercept_init is None else intercept_init
        self._w_state = None
        self.t_ = 1.0
        self._partial_fit(X, y, self.max_iter, np.unique(y), sample_weight, coef_init, intercept_init)
        self._warn_power_t()
        if self.tol is not None and self.n_iter_ == self.max_iter:
            # scikit-learn's wording (matched by its tests), then what helps
            warnings.warn("Maximum number of iteration reached before convergence. Consider "
                          "increasing max_iter to improve the fit (or loosen tol, or standardise "
                          "the features).", ConvergenceWarning, stacklevel=2)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of SGD over ``(X, y)``, continuing the previous state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite samples, dense or ``scipy.sparse``.
        y : array-like of shape (n_samples,)
            Class labels of these samples (not all classes need appear).
        classes : array-like of shape (n_classes,), default=None
            Every class of all the calls: required on the first call, and
            if given later, the same as then.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights.

        Returns
        -------
        self : SGDClassifier
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            self._check_params(for_partial_fit=True)
            if self.class_weight == "balanced":
                # worded as scikit-learn's message, which code and tests match
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit. In order to use "
                    "'balanced' weights, use compute_class_weight('balanced', classes=classes, "
                    "y=y). In place of y you can use a large enough sample of the full training "
                    "set target to properly estimate the class frequency distributions. Pass the "
                    "resulting weights as the class_weight parameter."
                )
        self._partial_fit(X, y, 1, classes, sample_weight, None, None)
        return self

    def _check_proba(self):
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r} (use "
                "loss='log_loss' or 'modified_huber', or calibrate with CalibratedClassifierCV)."
            )
        return True

    @available_if(_check_proba)
    def predict_proba(self, X):
        """Class probabilities (``loss="log_loss"`` or ``"modified_huber"`` only).

        log_loss: the logistic function of each score. modified_huber:
        ``(clip(score, -1, 1) + 1) / 2``. With more than two classes the
        one-vs-all values of a row are divided by their sum (all zero:
        uniform).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        if self.loss == "log_loss":
            return self._predict_proba_lr(X)
        prob = (np.clip(self.decision_function(X), -1.0, 1.0) + 1.0) / 2.0
        if prob.ndim == 1:
            return np.column_stack([1.0 - prob, prob])
        total = prob.sum(axis=1)
        empty = total == 0
        prob[empty] = 1.0
        total[empty] = prob.shape[1]
        return prob / total[:, None]

    @available_if(_check_proba)
    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba`` (may be -inf for modified_huber).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        return np.log(self.predict_proba(X))
