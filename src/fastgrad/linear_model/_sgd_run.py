"""The runs of ``SGDRegressor`` and ``SGDClassifier``: set up the kernel, run it in chunks, fold.

Split from ``_sgd.py`` / ``_sgd_classifier.py`` (which keep the estimators'
APIs and checks): this module owns the arrays handed to
``csrc/_sgd_fast.pyx`` -- the sample order, the validation mask, the seed,
the schedule constants -- and picks the dense or the CSR kernel.
``run_epochs`` runs one binary / one regression problem; ``run_sgd`` is
the regressor's whole run, ``run_one_vs_all`` the classifier's.
"""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from ._sgd_fast import STATE_SLOTS, py_dloss, py_sgd_epochs, py_sgd_epochs_csr
from ._status import MAX_ITER, NONFINITE, DivergenceError, check_status

__all__ = []

LOSSES = {"squared_error": 0, "huber": 1, "epsilon_insensitive": 2, "squared_epsilon_insensitive": 3}
# The kernel's classification losses (csrc/_sgd_scalar.pxi); perceptron is
# hinge with threshold 0.
CLASSIFICATION_LOSSES = {"hinge": 4, "squared_hinge": 5, "modified_huber": 6, "log_loss": 7}
PENALTIES = {None: 0, "l1": 1, "l2": 2, "elasticnet": 3}
SCHEDULES = {"constant": 1, "optimal": 2, "invscaling": 3, "adaptive": 4, "pa1": 5, "pa2": 6}
# scikit-learn's SPARSE_INTERCEPT_DECAY: on sparse data the intercept takes
# this share of each step (the intercept's "feature" is non-zero in every
# row, so it would otherwise move far more often than any weight).
SPARSE_INTERCEPT_DECAY = 0.01
_S = STATE_SLOTS
# The seed is drawn below 2**31 - 1, as scikit-learn draws it (same orders).
_MAX_SEED = np.iinfo(np.int32).max
# Epochs per kernel call: bounds the loss-curve buffer for huge max_iter.
_CHUNK = 4096


def optimal_init(loss_code, alpha, epsilon):
    """Offset t0 of the "optimal" schedule ``eta = 1 / (alpha (t0 + t - 1))``.

    Bottou's heuristic (as in scikit-learn): a typical weight size
    ``1 / sqrt(sqrt(alpha))`` and the loss slope there give the first step.
    ``loss_code`` is the kernel's number of the loss, ``epsilon`` its
    width or margin threshold.
    """
    typw = math.sqrt(1.0 / math.sqrt(alpha))
    eta_first = typw / max(1.0, py_dloss(loss_code, 1.0, -typw, epsilon))
    return 1.0 / (eta_first * alpha)


def validation_mask(est, y, sample_weight, stratified=False):
    """1 for the rows held out by ``early_stopping`` (scikit-learn's split), else 0.

    ``stratified``: keep the class shares of ``y`` in both parts
    (classifiers), as scikit-learn's ``StratifiedShuffleSplit``.
    """
    mask = np.zeros(y.shape[0], dtype=np.uint8)
    if not est.early_stopping:
        return mask
    splitter = StratifiedShuffleSplit if stratified else ShuffleSplit
    split = splitter(test_size=est.validation_fraction, random_state=est.random_state)
    idx_train, idx_val = next(split.split(np.zeros((y.shape[0], 1)), y))
    if idx_train.size == 0 or idx_val.size == 0:
        raise ValueError(
            f"validation_fraction={est.validation_fraction} splits {y.shape[0]} samples into "
            f"{idx_train.size} training and {idx_val.size} validation samples; both must be "
            "non-empty. Change validation_fraction, add samples or set early_stopping=False."
        )
    if not np.any(sample_weight[idx_val] > 0):
        raise ValueError(
            "The sample weights for validation set are all zero, consider using a different "
            "random state (or validation_fraction)."
        )
    mask[idx_val] = 1
    return mask


def kernel_kwargs(est, loss_code, epsilon, n_train, seed, sparse, classify=False):
    """The kernel's keyword arguments for one run of ``est``'s settings."""
    schedule = SCHEDULES[est.learning_rate]
    return dict(
        loss=loss_code, epsilon=float(epsilon), penalty=PENALTIES[est.penalty],
        alpha=float(est.alpha), l1_ratio=float(est.l1_ratio or 0.0), schedule=schedule,
        eta0=float(est.eta0), power_t=float(est.power_t),
        optimal_init=(optimal_init(loss_code, est.alpha, epsilon)
                      if schedule == SCHEDULES["optimal"] else 0.0),
        fit_intercept=bool(est.fit_intercept), average=float(int(est.average)),
        batch_size=int(est.batch_size), momentum=float(est.momentum),
        early_stopping=bool(est.early_stopping),
        tol=-np.inf if est.tol is None else float(est.tol),
        n_iter_no_change=int(est.n_iter_no_change), shuffle=bool(est.shuffle), seed=seed,
        n_train=float(n_train), intercept_decay=SPARSE_INTERCEPT_DECAY if sparse else 1.0,
        classify=classify, nesterov=bool(est.nesterov),
    )


def run_epochs(est, X, y, sample_weight, mask, w, aw, intercepts, t, max_iter, kwargs):
    """Up to ``max_iter`` epochs of one problem; ``w``, ``aw`` are updated in place.

    ``X`` is validated: C-contiguous dense, or canonical CSR. ``intercepts``
    is ``(b, averaged b)`` and ``t`` the update counter at the start.
    Returns ``(status, epochs, loss_curve, (b, averaged b))`` with the
    weights folded to plain form; a non-finite run raises DivergenceError,
    MAX_ITER is left to the caller to report.
    """
    n, p = X.shape
    state = np.zeros(_S["n"])
    state[_S["intercept"]], state[_S["avg_intercept"]] = intercepts
    state[_S["wscale"]] = 1.0
    state[_S["avg_b"]] = 1.0
    state[_S["t"]] = t
    state[_S["eta"]] = est.eta0
    # best objective (minimised) or best validation score (maximised)
    state[_S["best"]] = -np.inf if est.early_stopping else np.inf
    order = np.arange(n, dtype=np.int64)
    q = np.zeros(p)
    vel = np.zeros(p)
    curve = np.empty(min(max_iter, _CHUNK))
    if sp.issparse(X):
        def epochs(todo):
            return py_sgd_epochs_csr(X.data, X.indices, X.indptr, p, y, sample_weight, mask, order,
                                     w, aw, q, vel, state, curve, todo, **kwargs)
    else:
        # ||x_i||^2 for the L2 objective's O(1) update and the PA steps
        needs_row_sq = kwargs["penalty"] == PENALTIES["l2"] or kwargs["schedule"] >= SCHEDULES["pa1"]
        row_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64) if needs_row_sq else np.zeros(1)

        def epochs(todo):
            return py_sgd_epochs(X, y, sample_weight, mask, order, w, aw, q, vel, row_sq, state,
                                 curve, todo, **kwargs)
    # verbose: one epoch per call, so Python can report each one
    chunk = 1 if est.verbose else curve.shape[0]
    curves, done, status = [], 0, MAX_ITER
    while done < max_iter:
        status, ran = epochs(min(chunk, max_iter - done))
        curves.append(curve[:ran].copy())
        done += ran
        if est.verbose:
            _report(done, curve[ran - 1], w, state)
        if status != MAX_ITER:
            break
    _fold(w, aw, state, kwargs["average"] > 0)
    if status == NONFINITE:
        # As scikit-learn, only non-finite weights are an error (huge but
        # finite ones are returned), with its error class and message, so
        # code that catches or matches them keeps working.
        raise DivergenceError(
            f"Floating-point under-/overflow occurred at epoch #{done}. Scaling input "
            "data with StandardScaler or MinMaxScaler might help (or lower eta0, or use "
            "learning_rate='optimal' / 'adaptive')."
        )
    if status != MAX_ITER:
        check_status(est, status, done, max_iter=max_iter, solver="sgd", unit="epochs")
    return status, done, np.concatenate(curves), (state[_S["intercept"]], state[_S["avg_intercept"]])


def run_sgd(est, X, y, sample_weight, max_iter):
    """The regressor's run: up to ``max_iter`` epochs from its state; set its fitted attributes.

    Returns the kernel's status code (MAX_ITER is left to ``fit`` to report).
    """
    n = X.shape[0]
    mask = validation_mask(est, y, sample_weight)
    rng = check_random_state(est.random_state)
    seed = rng.randint(0, _MAX_SEED)
    rng.randint(1, _MAX_SEED)  # scikit-learn draws a second seed here; keep the stream in step
    w = est._w_state
    aw = est._aw_state
    kwargs = kernel_kwargs(est, LOSSES[est.loss], est.epsilon, n - int(mask.sum()), seed,
                           sp.issparse(X))
    status, done, curve, (b, ab) = run_epochs(
        est, X, y, sample_weight, mask, w, aw, (est._b_state[0], est._ab_state[0]), est.t_,
        max_iter, kwargs)
    est.loss_curve_ = curve
    est.n_iter_ = done
    est._b_state = np.array([b])
    est._ab_state = np.array([ab])
    averaging = kwargs["average"] > 0
    est.t_ += done * updates_per_epoch(est, n)
    use_average = averaging and kwargs["average"] <= est.t_ - 1.0
    coef = aw if use_average else w
    intercept = est._ab_state if use_average else est._b_state
    est.coef_ = coef.astype(X.dtype)
    est.intercept_ = intercept.astype(X.dtype)
    set_average_attributes(est, averaging, (w, est._b_state, aw, est._ab_state))
    return status


def _one_vs_all_seeds(est, y, y_coded, sample_weight):
    """Validation mask and shuffle seed per problem, drawn as scikit-learn's SGDClassifier draws them."""
    if len(est.classes_) == 2:
        rng = check_random_state(est.random_state)
        rng.randint(1, _MAX_SEED)  # scikit-learn's (unused) dataset seed comes first
        mask = validation_mask(est, y_coded, sample_weight, stratified=True)
        return mask, [rng.randint(_MAX_SEED)]
    # one-vs-all: one split on the class labels, one seed per class
    mask = validation_mask(est, y, sample_weight, stratified=True)
    seeds = []
    for class_seed in check_random_state(est.random_state).randint(_MAX_SEED, size=len(est.classes_)):
        rng = np.random.RandomState(class_seed)
        rng.randint(1, _MAX_SEED)
        seeds.append(rng.randint(_MAX_SEED))
    return mask, seeds


def run_one_vs_all(est, X, y, sample_weight, class_weight, max_iter, loss_code, epsilon):
    """The classifier's run: every binary problem from its state; set the fitted attributes.

    Two classes make one problem (``classes_[1]`` positive), more make one
    per class against the rest, run in joblib threads (``n_jobs``; the
    kernel releases the GIL). ``class_weight`` holds one weight per class.
    """
    n = X.shape[0]
    classes = est.classes_
    negative = 0.0 if est.loss == "log_loss" else -1.0  # log_loss codes labels as 0 / 1
    binary = len(classes) == 2
    positives = [1] if binary else range(len(classes))
    # (positive class weight, negative class weight) of each problem
    weights = [(class_weight[1], class_weight[0])] if binary else [(c, 1.0) for c in class_weight]
    y_first = np.where(y == classes[positives[0]], 1.0, negative).astype(X.dtype)
    mask, seeds = _one_vs_all_seeds(est, y, y_first, sample_weight)
    held_out = mask.astype(bool)
    n_train = n - int(held_out.sum())

    def run(row, pos, seed):
        y_row = np.where(y == classes[pos], 1.0, negative).astype(X.dtype)
        pos_w, neg_w = weights[row]
        per_sample = np.where(y_row > 0, pos_w, neg_w).astype(X.dtype)
        # class weights scale the training steps only: the validation
        # accuracy is weighted by the sample weights alone, as in scikit-learn
        sw = np.where(held_out, sample_weight, per_sample * sample_weight)
        kwargs = kernel_kwargs(est, loss_code, epsilon, n_train, seed, sp.issparse(X), classify=True)
        return run_epochs(est, X, y_row, sw, mask, est._w_state[row], est._aw_state[row],
                          (est._b_state[row], est._ab_state[row]), est.t_, max_iter, kwargs)

    results = Parallel(n_jobs=est.n_jobs, verbose=est.verbose, require="sharedmem")(
        delayed(run)(row, pos, seed) for row, (pos, seed) in enumerate(zip(positives, seeds)))
    for row, (_, _, _, (b, ab)) in enumerate(results):
        est._b_state[row], est._ab_state[row] = b, ab
    est.n_iter_ = max(done for _, done, _, _ in results)
    est.t_ += est.n_iter_ * updates_per_epoch(est, n)
    averaging = est.average > 0
    use_average = averaging and est.average <= est.t_ - 1.0
    est.coef_ = (est._aw_state if use_average else est._w_state).astype(X.dtype)
    est.intercept_ = (est._ab_state if use_average else est._b_state).astype(X.dtype)
    set_average_attributes(est, averaging, (est._w_state, est._b_state, est._aw_state, est._ab_state))


def updates_per_epoch(est, n):
    """Updates counted per epoch in ``t_``: every sample, or every mini-batch."""
    return -(-n // int(est.batch_size))


def set_average_attributes(est, averaging, values):
    """scikit-learn's names for the plain and averaged weights, only for averaged SGD.

    Its tests and some user code look for them; ``values`` is ``(coef,
    intercept, averaged coef, averaged intercept)``.
    """
    names = ("_standard_coef", "_standard_intercept", "_average_coef", "_average_intercept")
    for name, value in zip(names, values):
        if averaging:
            setattr(est, name, value)
        elif hasattr(est, name):
            delattr(est, name)


def _report(epoch, objective, w, state):
    norm = abs(state[_S["wscale"]]) * float(np.linalg.norm(w))
    print(
        f"-- Epoch {epoch}: objective {objective:.6g}, ||w|| {norm:.4g}, "
        f"bias {state[_S['intercept']]:.6g}, t {state[_S['t']]:.0f}"
    )


def _fold(w, aw, state, averaging):
    """Turn the lazy representation into plain weights, in place."""
    if averaging:
        aw += state[_S["avg_a"]] * w
        aw /= state[_S["avg_b"]]
    w *= state[_S["wscale"]]
