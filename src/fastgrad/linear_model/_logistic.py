"""Logistic regression (binary and multinomial) on the compiled solver loops."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import SparseCoefMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ._base import linear_predict
from ._glm_solve import row_curvature_bound, solve
from ._logistic_data import LogisticDataMixin
from ._logistic_callbacks import LogisticCallbackMixin, solve_with_callbacks
from ._logistic_liblinear import fit_liblinear
from ._logistic_params import (
    ALL_SOLVERS, convergence_message, engine, engine_tol, resolve_penalty,
    sklearn_convergence_text,
)

__all__ = ["LogisticRegression"]


# Largest curvature of one sample's loss: 1/4 for the logistic loss, 1/2 for
# the multinomial one (the largest eigenvalue of diag(p) - p p^T).
_CURVATURE = {"binary": 0.25, "multinomial": 0.5}


class LogisticRegression(LogisticDataMixin, LogisticCallbackMixin, SparseCoefMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression, a drop-in for scikit-learn's ``LogisticRegression``.

    Minimises scikit-learn's objective (``s`` the sample weights times the
    class weights, ``r = l1_ratio``)::

        C * sum_i s_i loss_i + r * ||W||_1 + (1 - r) / 2 * ||W||_F^2

    with the logistic loss for two classes (one weight vector) and the
    multinomial (softmax) loss for more (one weight vector per class). The
    compiled loops minimise the same objective divided by ``C * sum_s``:
    the mean loss plus the scaled penalty. Each iteration is one fused
    loss-and-gradient pass over ``X``.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        Deprecated as in scikit-learn 1.8+ (FutureWarning): use ``l1_ratio``
        and ``C``. Still honoured, with scikit-learn's rules and warnings.
    C : float, default=1.0
        Inverse regularisation strength (> 0); ``np.inf``: no penalty.
    l1_ratio : float in [0, 1], default=0.0
        0 for L2, 1 for L1, in between for the elastic net. An L1 part needs
        ``solver`` in {"liblinear", "saga"} (scikit-learn's rules: the
        elastic net needs "saga") or one of fastgrad's proximal loops
        {"auto", "gd", "nesterov", "fista", "sgd"}. None is deprecated (0).
    dual : bool, default=False
        ``True`` is accepted with ``solver="liblinear"`` only (scikit-learn's
        rule). fastgrad always solves the primal problem, whose optimum is
        the dual's, so the model is the same and -- unlike liblinear's dual
        coordinate descent -- does not depend on ``random_state``.
    tol : float, default=1e-4
        Stop when the largest entry of the gradient (of the proximal
        gradient mapping with an L1 part) of the mean objective is at most
        ``tol``. For ``"sgd"``: stop when the objective has not fallen by
        ``tol`` for 5 epochs. For scikit-learn's names other than
        ``"lbfgs"`` the loops stop at ``tol / 100``: those solvers' own rules
        end that much closer to the optimum at the same ``tol``.
    fit_intercept : bool, default=True
        Fit an (unpenalised) intercept per class.
    intercept_scaling : float, default=1
        ``solver="liblinear"`` only: as in liblinear, the intercept is the
        (penalised) weight of an extra constant feature of this value, times
        this value. The other solvers do not penalise the intercept. A
        large value with an L1 part makes the constant column dominate the
        step of fastgrad's proximal loop (FISTA), which then converges slowly.
    class_weight : dict or "balanced", default=None
        Weights per class, multiplied into ``sample_weight``.
    random_state : int, RandomState or None, default=None
        Seeds the shuffling of ``"sgd"`` and ``partial_fit``.
    solver : {"auto", "lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", \
"saga", "newton", "gd", "momentum", "nesterov", "fista", "sgd"}, default="auto"
        scikit-learn's names give scikit-learn's model, each run by the
        compiled loop that reaches that optimum fastest (``solver_`` says
        which): "lbfgs" L-BFGS; "newton-cg" and "newton-cholesky" Newton;
        "sag" and "saga" (and "liblinear") "auto", with FISTA for an L1 part.
        scikit-learn's penalty/solver rules and error messages apply to
        these names. fastgrad's own loops: ``"newton"``: Newton's method,
        Cholesky of the exact Hessian, Armijo line search. ``"gd"``,
        ``"momentum"`` (heavy ball), ``"nesterov"`` (accelerated, adaptive
        restart): step ``1 / L`` from a global bound of the Hessian unless
        ``learning_rate`` is given. ``"fista"``: Nesterov with the L1
        proximal step. ``"sgd"``: mini-batch SGD (``batch_size``,
        ``momentum``; ``max_iter`` counts epochs). ``"auto"``: L-BFGS,
        switching to Newton when L-BFGS has spent what Newton would cost;
        FISTA when there is an L1 part.
    max_iter : int, default=100
        Iteration (epoch, for ``"sgd"``) limit. 0: the untrained model (zero
        weights and intercepts) with a ConvergenceWarning, as scikit-learn.
    verbose : int, default=0
        Print the objective and gradient size at every iteration.
    warm_start : bool, default=False
        Start from the previous solution when the shapes match.
    n_jobs : int, default=None
        Threads of the compiled passes: None automatic, -1 all cores.
        (scikit-learn 1.8+ ignores n_jobs and warns; fastgrad uses it.)
    learning_rate : float, default=None
        Step of the first-order solvers and first step of ``"sgd"``
        (which decays as ``1 / sqrt(1 + epoch)``). None: ``1 / L`` (for SGD
        ``1 / (L + R / batch_size)`` with ``R`` the steepest sample's
        curvature).
    momentum : float in [0, 1), default=None
        Momentum of ``"momentum"`` (None: 0.9), ``"nesterov"`` / ``"fista"``
        (None: FISTA's sequence) and ``"sgd"`` (None: 0).
    batch_size : int, default=None
        Mini-batch size of ``"sgd"`` and ``partial_fit`` (None: 256).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
    loss_curve_ : ndarray
        The mean objective (sklearn's objective divided by ``C * sum_s``) at
        the start and after every iteration.
    solver_ : str
        The loop(s) used (``"lbfgs+newton"`` when ``"auto"`` switched).
    n_features_in_ : int
    feature_names_in_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from fastgrad import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> clf = LogisticRegression(C=10.0, tol=1e-10).fit(X, ["no", "no", "yes", "yes"])
    >>> clf.predict(np.array([[0.5], [2.5]])).tolist()
    ['no', 'yes']
    >>> np.round(clf.predict_proba(np.array([[1.5]])), 6)
    array([[0.5, 0.5]])
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l1", "l2", "elasticnet", "deprecated"}), None],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "dual": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [StrOptions(set(ALL_SOLVERS))],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Options(Integral, {-1}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "momentum": [Interval(Real, 0, 1, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="auto",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        learning_rate=None,
        momentum=None,
        batch_size=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size

    # ------------------------------------------------------------------
    # parameters and data
    # ------------------------------------------------------------------

    def _check_params(self):
        """``(C, l1_ratio)`` after scikit-learn's penalty rules and deprecations."""
        _, C, ratio = resolve_penalty(self)
        return C, ratio

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` and the labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense, finite training data (float64 or float32).
        y : array-like of shape (n_samples,)
            Class labels (any type scikit-learn accepts: strings, integers).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self : LogisticRegression
        """
        C, ratio = self._check_params()
        X, y, sample_weight = self._validate_xy(X, y, sample_weight)
        classes, y_idx = self._encode(y)
        n_classes = classes.shape[0]
        if self.solver == "liblinear":
            return fit_liblinear(self, X, y, sample_weight, classes, C, ratio)
        sample_weight = self._weights(y_idx, sample_weight, n_classes, classes, y)
        obj, l1, mean = self._objective(X, y_idx, n_classes, sample_weight, C, ratio)
        if warm := (self.warm_start and hasattr(self, "classes_")):
            warm = np.array_equal(self.classes_, classes)
        if not warm and hasattr(self, "coef_"):
            # a cold start: forget the last fit (and any partial_fit state)
            for name in ("coef_", "intercept_", "t_", "_sgd_lr"):
                self.__dict__.pop(name, None)
        self.classes_ = classes
        coef0 = self._start(X, y_idx, n_classes, sample_weight, mean, obj)
        kind = "binary" if n_classes == 2 else "multinomial"
        sgd_bound = 0.0
        if self.solver == "sgd":
            sgd_bound = row_curvature_bound(X, sample_weight, mean, self.fit_intercept, _CURVATURE[kind])
        def run(max_iter):
            return solve(
                self, obj, coef0, solver=engine(self.solver, l1), l1=l1, max_iter=max_iter,
                tol=engine_tol(self.solver, self.tol, l1), learning_rate=self.learning_rate,
                momentum=self.momentum, batch_size=self.batch_size,
                seed=check_random_state(self.random_state).randint(np.iinfo(np.int32).max),
                verbose=self.verbose,
                hessian_blocks=1 if n_classes == 2 else n_classes * (n_classes + 1) // 2,
                sgd_bound=sgd_bound,
            )

        ctx = None
        with sklearn_convergence_text(self.solver, self.max_iter) as final:
            if getattr(self, "_skl_callbacks", None):
                ctx, metadata, result = solve_with_callbacks(
                    self, run, coef0, X, y, sample_weight, mean, n_classes, np.isfinite(C)
                )
            elif self.max_iter > 0:
                result = run(self.max_iter)
            if self.max_iter > 0 and result is not None:
                final["loss"] = float(result.curve[-1])
        if self.max_iter == 0:
            # scikit-learn's max_iter=0: the model before any update (zero
            # weights and intercepts), with a ConvergenceWarning
            self._store(np.zeros_like(coef0), X, np.zeros_like(mean), n_classes, np.isfinite(C))
            self.n_iter_ = np.zeros(1, dtype=np.int32)
            self.loss_curve_ = np.empty(0)
            self.solver_ = engine(self.solver, l1)
            warnings.warn(convergence_message(self.solver, 0, 0), ConvergenceWarning, stacklevel=2)
        else:
            self._store(result.coef, X, mean, n_classes, np.isfinite(C))
            self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
            self.loss_curve_ = result.curve
            self.solver_ = result.solver
        if ctx is not None:
            ctx.call_on_fit_task_end(
                estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
            )
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of mini-batch SGD on ``(X, y)``, continuing from the current model.

        Whatever ``solver`` says, ``partial_fit`` runs the SGD path: one
        shuffled pass in batches of ``batch_size`` over this chunk's mean
        objective. The step is fixed at the first call (``learning_rate``,
        or the default SGD step of the first chunk) and decays with the
        number of calls as in ``solver="sgd"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every label the model will see; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LogisticRegression
        """
        first = not hasattr(self, "coef_")  # else continue from fit or the last call
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit (every label the "
                    "model will see, e.g. np.unique(y_all))."
                )
        C, ratio = self._check_params()
        X, y, sample_weight = self._validate_xy(X, y, sample_weight, reset=first)
        if first:
            classes_, _ = self._encode(np.asarray(classes))
            self.classes_ = classes_
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the first "
                f"partial_fit call, {self.classes_.tolist()}."
            )
        _, y_idx = self._encode(y, classes=self.classes_)
        n_classes = self.classes_.shape[0]
        sample_weight = self._weights(y_idx, sample_weight, n_classes, self.classes_, y)
        obj, l1, mean = self._objective(X, y_idx, n_classes, sample_weight, C, ratio)
        p = X.shape[1]
        k = 1 if n_classes == 2 else n_classes
        coef0 = np.zeros(obj.n_coef)
        if not hasattr(self, "t_"):
            self.t_ = 0
            self._sgd_lr = None
            self.loss_curve_ = np.empty(0)
        if not first:
            coef0[: k * p] = np.ravel(self.coef_)
            if self.fit_intercept:
                coef0[k * p:] = np.ravel(self.intercept_) + self.coef_ @ mean
        kind = "binary" if n_classes == 2 else "multinomial"
        sgd_bound = row_curvature_bound(X, sample_weight, mean, self.fit_intercept, _CURVATURE[kind])
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max) + self.t_
        result = solve(
            self, obj, coef0, solver="sgd", l1=l1, max_iter=1, tol=self.tol,
            learning_rate=self.learning_rate, momentum=self.momentum, batch_size=self.batch_size,
            seed=seed, epoch0=self.t_, verbose=self.verbose, sgd_bound=sgd_bound, lr=self._sgd_lr,
        )
        self._sgd_lr = result.learning_rate
        self._store(result.coef, X, mean, n_classes, np.isfinite(C))
        self.t_ += 1
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.loss_curve_ = np.concatenate([self.loss_curve_, result.curve[1:]])
        self.solver_ = "sgd"
        return self

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------

    def decision_function(self, X):
        """Scores ``X @ coef_.T + intercept_``: shape (n,) for two classes, else (n, n_classes)."""
        # dense or sparse X; coef_ may be a scipy.sparse matrix after sparsify()
        scores = linear_predict(self, X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The most probable class of each row of ``X``."""
        scores = self.decision_function(X)
        idx = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1.0 - p1, p1])
        return softmax(scores, axis=1)

    def _predict_proba_lr(self, X):
        """One-vs-rest probabilities (scikit-learn's private helper, used by its tests and
        meta-estimators): each class's sigmoid, normalised over the classes."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1.0 - p1, p1])
        prob = expit(scores)
        return prob / prob.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithms of ``predict_proba``, computed without underflow."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        if self.solver == "liblinear":
            tags.classifier_tags.multi_class = False  # as scikit-learn: binary only
        return tags
