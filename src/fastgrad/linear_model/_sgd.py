"""Linear regression by stochastic gradient descent, on a compiled core.

The estimator's API: parameters, their checks, the data checks (dense or
scipy.sparse, which runs as CSR) and the starting weights. The run itself --
sample order, validation split, seed, schedule constants, the dense or CSR
kernel of ``csrc/_sgd_fast.pyx`` in chunks of epochs, status to warnings or
errors -- is in ``_sgd_run.py``.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import _validate_fit_data, linear_predict
from ._sgd_run import LOSSES as _LOSSES
from ._sgd_run import SCHEDULES as _SCHEDULES
from ._sgd_run import run_sgd
from ._status import MAX_ITER, check_status

__all__ = ["BaseSGD", "SGDRegressor"]


class BaseSGD(BaseEstimator):
    """What ``SGDRegressor`` and ``SGDClassifier`` share: the checks that span several parameters.

    ``_PA_LOSS`` names the loss the passive-aggressive schedules work with.
    """

    _PA_LOSS = "epsilon_insensitive"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_params(self, for_partial_fit):
        """Checks that span several parameters (the single ones are declared)."""
        if self.early_stopping and for_partial_fit:
            raise ValueError(
                "early_stopping should be False with partial_fit (it holds out data within one "
                "fit); set early_stopping=False."
            )
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError(
                "alpha must be > 0 with learning_rate='optimal' (the step size is "
                "1 / (alpha * t)). Use alpha > 0 or another learning_rate."
            )
        if self.learning_rate in ("pa1", "pa2") and self.loss != self._PA_LOSS:
            raise ValueError(
                f"Learning rate '{self.learning_rate}' only works with loss '{self._PA_LOSS}' "
                f"(learning_rate={self.learning_rate!r} with loss={self.loss!r})."
            )
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("l1_ratio must be set when penalty is 'elasticnet' (a number in [0, 1]).")

    def _warn_power_t(self):
        if self.power_t < 0:
            warnings.warn("Negative values for `power_t` are deprecated in version 1.8 (scikit-learn) "
                          "and will raise an error in 1.10. Use values in the range [0.0, inf) "
                          "instead.", FutureWarning, stacklevel=3)


class SGDRegressor(RegressorMixin, BaseSGD):
    """Linear regression fitted by stochastic gradient descent (compiled).

    A drop-in for scikit-learn's ``SGDRegressor``: same parameters, defaults,
    update rule, stopping rule and shuffling order (so the same
    ``random_state`` gives the same coefficients up to rounding). Each epoch
    runs in one compiled, GIL-free loop. Minimises::

        mean_i s_i L(y_i, x_i . w + b) + alpha * ((1 - r) ||w||^2 / 2 + r ||w||_1)

    (``s`` the sample weights, ``r`` the ``l1_ratio``) one sample at a time,
    or one mini-batch at a time with ``batch_size > 1``.

    Sparse ``X`` (any scipy.sparse format, run as CSR) follows scikit-learn's
    sparse rules: a step costs O(non-zeros of the row); the intercept takes
    1% of each step (scikit-learn's ``SPARSE_INTERCEPT_DECAY``), so the
    intercept differs from the fit on ``X.toarray()``; and the cumulative L1
    penalty reaches a weight only when its feature is non-zero in the
    current row (with ``batch_size > 1`` or ``momentum``, every weight after
    each batch, as on dense data). The objective of ``loss_curve_`` holds the
    penalty of all the weights (scikit-learn's sparse objective holds only
    that of the last row's features), so the stopping rule can end a few
    epochs apart from scikit-learn's.

    Parameters
    ----------
    loss : {"squared_error", "huber", "epsilon_insensitive", \
"squared_epsilon_insensitive"}, default="squared_error"
        ``L``: half squared error; Huber (quadratic up to ``epsilon``, then
        linear); ``max(0, |r| - epsilon)``; or its square.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regulariser of ``w`` (the intercept is not penalised).
    alpha : float, default=0.0001
        Penalty strength (>= 0); also sets the "optimal" step size.
    l1_ratio : float in [0, 1] or None, default=0.15
        ``r`` of the elastic net; only used with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
        Whether to fit the intercept ``b``.
    max_iter : int, default=1000
        Maximum number of epochs (passes over the data) of ``fit``.
    tol : float or None, default=1e-3
        Stop when for ``n_iter_no_change`` epochs in a row the epoch's mean
        objective is not below the best so far minus ``tol`` (or the
        validation R^2 not above the best plus ``tol``). None: run
        ``max_iter`` epochs.
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    verbose : int, default=0
        Print the objective, norm and intercept after every epoch if > 0.
    epsilon : float, default=0.1
        Width of the insensitive zone / Huber threshold.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split.
    learning_rate : {"invscaling", "constant", "optimal", "adaptive", "pa1", \
"pa2"}, default="invscaling"
        Step size at update ``t``: ``eta0`` ("constant");
        ``1 / (alpha (t0 + t - 1))`` with Bottou's ``t0`` ("optimal");
        ``eta0 / t**power_t`` ("invscaling"); ``eta0`` divided by 5 each time
        the stopping rule fires, until below 1e-6 ("adaptive");
        passive-aggressive steps ("pa1", "pa2"; only with
        ``loss="epsilon_insensitive"``).
    eta0 : float, default=0.01
        Initial step size (> 0); the aggressiveness ``C`` for "pa1"/"pa2".
    power_t : float, default=0.25
        Exponent of "invscaling".
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop on its R^2.
    validation_fraction : float in (0, 1), default=0.1
        Held-out share for ``early_stopping``.
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping (or dividing the step).
    warm_start : bool, default=False
        Let ``fit`` carry on from the previous fit's weights (the plain
        ones, and the average's running sums, as scikit-learn does) instead
        of zero. The update counter ``t_`` restarts at 1. Explicit
        ``coef_init`` / ``intercept_init`` take precedence.
    average : bool or int, default=False
        Averaged SGD: ``coef_`` is the mean of the iterates from update
        ``average`` on (True means 1), once that many updates were made.
    batch_size : int, default=1
        fastgrad extra. Samples per update; the step is the mean of their
        gradients. 1 is scikit-learn's algorithm.
    momentum : float in [0, 1), default=0.0
        fastgrad extra. Heavy-ball momentum on the loss-gradient steps.
    nesterov : bool, default=False
        fastgrad extra. With ``momentum > 0``, take Nesterov's look-ahead
        step ``g + momentum * v`` (``v`` the new velocity) instead of ``v``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Weights, in the float dtype of ``X`` (computed in float64).
    intercept_ : ndarray of shape (1,)
        Intercept.
    n_iter_ : int
        Epochs run by the last ``fit`` / ``partial_fit``.
    t_ : float
        ``1 +`` the number of updates made (counting every sample of an
        epoch, as scikit-learn does; one per mini-batch with ``batch_size``).
    loss_curve_ : ndarray of shape (n_iter_,)
        Mean over the training samples of each epoch of ``loss + penalty``,
        each term with the weights met at that sample (unweighted by
        ``sample_weight``, as scikit-learn's stopping rule measures it).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad.linear_model._sgd import SGDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    >>> reg = SGDRegressor(random_state=0).fit(X, y)
    >>> np.round(reg.coef_, 1)
    array([ 1. , -2. ,  0.5])
    >>> np.round(reg.intercept_, 1)
    array([3.])
    >>> np.round(reg.predict(np.array([[0.0, 0.0, 0.0]])), 1)
    array([3.])
    """

    _parameter_constraints: dict = {
        "loss": [StrOptions(set(_LOSSES))],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "learning_rate": [StrOptions(set(_SCHEDULES))],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, None, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "average": [Interval(Integral, 0, None, closed="neither"), "boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
    }

    def __init__(
        self,
        loss="squared_error",
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
        random_state=None,
        learning_rate="invscaling",
        eta0=0.01,
        power_t=0.25,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
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
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size
        self.momentum = momentum
        self.nesterov = nesterov

    # -- checks ------------------------------------------------------------

    def _check_data(self, X, y, sample_weight, first_call):
        if not first_call:
            # the feature count and names must match the first call's
            validate_data(self, X, reset=False, skip_check_array=True)
        X, y, sample_weight = _validate_fit_data(self, X, y, sample_weight, accept_sparse="csr")
        y = np.ascontiguousarray(column_or_1d(y, warn=True), dtype=X.dtype)
        if sample_weight is None:
            sample_weight = np.ones(X.shape[0], dtype=X.dtype)
        return X, y, sample_weight

    def _init_weights(self, p, coef_init, intercept_init):
        coef = np.zeros(p)
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=np.float64).ravel()
            if coef_init.shape != (p,) or not np.all(np.isfinite(coef_init)):
                raise ValueError(f"coef_init must hold {p} finite numbers (one per feature), got shape {coef_init.shape}.")
            coef[:] = coef_init  # a copy: the caller's array is never written
        intercept = 0.0
        if intercept_init is not None:
            intercept_init = np.asarray(intercept_init, dtype=np.float64)
            if intercept_init.shape not in ((), (1,)) or not np.all(np.isfinite(intercept_init)):
                raise ValueError(f"intercept_init must be one finite number, got shape {intercept_init.shape}.")
            intercept = float(intercept_init.ravel()[0])
        self._w_state = coef
        self._b_state = np.array([intercept])
        self._aw_state = np.zeros(p)
        self._ab_state = np.zeros(1)

    # -- the run -------------------------------------------------------------

    def _partial_fit(self, X, y, sample_weight, max_iter, coef_init, intercept_init):
        first_call = getattr(self, "_w_state", None) is None
        X, y, sample_weight = self._check_data(X, y, sample_weight, first_call)
        if first_call:
            self._init_weights(X.shape[1], coef_init, intercept_init)
        if not hasattr(self, "t_"):
            self.t_ = 1.0
        return run_sgd(self, X, y, sample_weight, max_iter)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the model by SGD, from zero (or the given / previous weights).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite training data, dense or ``scipy.sparse`` (converted once
            to CSR, never densified). float32 stays float32 in memory; the
            weights are float64.
        y : array-like of shape (n_samples,)
            Finite targets.
        coef_init : array-like of shape (n_features,), default=None
            Starting weights (not modified).
        intercept_init : array-like of shape (1,), default=None
            Starting intercept.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero; each scales its
            sample's step.

        Returns
        -------
        self : SGDRegressor
            The fitted estimator.
        """
        self._check_params(for_partial_fit=False)
        warm = self.warm_start and getattr(self, "_w_state", None) is not None
        if not warm or coef_init is not None or intercept_init is not None:
            # Cold start, or explicit starting weights (which scikit-learn
            # would ignore on a warm start; here they win).
            self._w_state = None
        # else, as scikit-learn: carry on from the plain (not averaged)
        # weights and the average's accumulators, with the counter reset
        self.t_ = 1.0
        status = self._partial_fit(X, y, sample_weight, self.max_iter, coef_init, intercept_init)
        self._warn_power_t()
        if self.tol is not None and status == MAX_ITER:
            check_status(self, MAX_ITER, self.n_iter_, max_iter=self.max_iter, solver="sgd", unit="epochs")
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of SGD over ``(X, y)``, continuing the previous state.

        The update counter ``t_`` and thus the step-size schedule carry on
        from earlier calls. Later calls must have the same features.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite samples, dense or ``scipy.sparse``.
        y : array-like of shape (n_samples,)
            Finite targets.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative, finite weights, not all zero.

        Returns
        -------
        self : SGDRegressor
            The updated estimator.
        """
        self._check_params(for_partial_fit=True)
        self._partial_fit(X, y, sample_weight, 1, None, None)
        return self

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Finite samples with as many features as seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted targets.
        """
        return linear_predict(self, X)

