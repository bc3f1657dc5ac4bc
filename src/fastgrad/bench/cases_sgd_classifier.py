"""Benchmark cases: SGDClassifier epochs on dense data (part of the registry in ``cases``).

``sgd-classifier-fit/...``: ``SGDClassifier(max_iter=5, tol=None)`` with
scikit-learn's defaults otherwise (L2 alpha=1e-4, "optimal" schedule,
intercept), binary hinge and 3-class one-vs-all log_loss, on standardised
200 000 x 50 float64 data (quick: 20 000 x 50 and 10 000 x 50). SGD has no tolerance to
equalise, so the runs are compared at the same number of epochs with the
same sample orders: fastgrad draws scikit-learn's seeds and shuffles, so
all make the same updates up to rounding, and the final objective (the sum
over the binary problems of ``mean loss + alpha / 2 ||w||^2``) must agree.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from .cases_linear import _params
from .cases_sparse_sgd import _xorshift_shuffle

__all__ = ["sgd_classifier_cases"]

_SIZES = {"full": (200_000, 50), "quick": (20_000, 50), "tiny": (80, 4)}
# the 3-class case's numpy loop runs three problems: a smaller quick size
# keeps ``fastgrad bench --quick`` short
_QUICK_MULTICLASS = (20_000, 50)
EPOCHS = 5
ALPHA = 1e-4
SEED = 0
_MAX_INT = np.iinfo(np.int32).max


def _setup(n_classes, seed):
    def setup(size):
        n, p = _QUICK_MULTICLASS if (size == "quick" and n_classes > 2) else _SIZES[size]
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p))
        scores = X @ rng.standard_normal((p, n_classes)) * 0.5 + rng.gumbel(size=(n, n_classes))
        y = np.argmax(scores, axis=1) if n_classes > 2 else (scores[:, 0] > scores[:, 1]).astype(int)
        return {"X": X, "y": y}
    return setup


def _margin_loss(loss, z, y01, raw):
    if loss == "hinge":
        return np.maximum(0.0, 1.0 - z)
    return np.logaddexp(0.0, raw) - y01 * raw  # log_loss on 0 / 1 labels


def _coded(loss, y, cls):
    return np.where(y == cls, 1.0, 0.0 if loss == "log_loss" else -1.0)


def _objective(loss, d, out):
    """Sum over the one-vs-all problems of their mean loss plus the L2 penalty."""
    X, y = d["X"], d["y"]
    classes = np.unique(y)
    k = 1 if len(classes) == 2 else len(classes)
    out = np.asarray(out)
    W, b = out[: k * X.shape[1]].reshape(k, -1), out[k * X.shape[1]:]
    total = 0.0
    for row in range(k):
        cls = classes[1] if k == 1 else classes[row]
        yc = _coded(loss, y, cls)
        raw = X @ W[row] + b[row]
        z = raw * np.where(yc > 0, 1.0, -1.0)
        total += float(np.mean(_margin_loss(loss, z, yc, raw)) + 0.5 * ALPHA * W[row] @ W[row])
    return total


def _dloss(loss, yc, raw):
    if loss == "hinge":
        return -yc if yc * raw <= 1.0 else 0.0
    return expit(raw) - yc


def _numpy_sgd(loss, d):
    """The same one-vs-all SGD in a Python loop over samples (plain weights, no lazy scale)."""
    X, y = d["X"], d["y"]
    n, p = X.shape
    classes = np.unique(y)
    binary = len(classes) == 2
    if binary:
        rng = np.random.RandomState(SEED)
        rng.randint(1, _MAX_INT)
        seeds, positives = [rng.randint(_MAX_INT)], [classes[1]]
    else:
        seeds = []
        for s in np.random.RandomState(SEED).randint(_MAX_INT, size=len(classes)):
            rng = np.random.RandomState(s)
            rng.randint(1, _MAX_INT)
            seeds.append(rng.randint(_MAX_INT))
        positives = list(classes)
    typw = np.sqrt(1.0 / np.sqrt(ALPHA))
    # first step typw / max(1, dloss(y=1, p=-typw)); every loss here has dloss < 1 there
    t0 = 1.0 / (typw * ALPHA)
    coefs, intercepts = [], []
    for seed, cls in zip(seeds, positives):
        yc = _coded(loss, y, cls)
        w, b, t = np.zeros(p), 0.0, 1.0
        order = np.arange(n)
        for _ in range(EPOCHS):
            _xorshift_shuffle(order, seed)
            for i in order:
                raw = X[i] @ w + b
                eta = 1.0 / (ALPHA * (t0 + t - 1.0))
                step = -eta * _dloss(loss, yc[i], raw)
                w *= max(0.0, 1.0 - ALPHA * eta)
                if step != 0.0:
                    w += step * X[i]
                b += step
                t += 1.0
        coefs.append(w)
        intercepts.append(b)
    return np.r_[np.ravel(coefs), intercepts]


def sgd_classifier_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    params = dict(max_iter=EPOCHS, tol=None, alpha=ALPHA, random_state=SEED)
    for loss, n_classes, seed in (("hinge", 2, 61), ("log_loss", 3, 62)):
        tag = "binary" if n_classes == 2 else f"{n_classes}-classes"
        quick = "20000x50"
        kw = dict(params, loss=loss)
        yield Case(
            f"sgd-classifier-fit/{loss}-{tag}/{EPOCHS}-epochs/200000x50 (quick: {quick})",
            "linear-model", _setup(n_classes, seed),
            lambda d, kw=kw: _params(fastgrad.SGDClassifier(**kw).fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d, loss=loss: _numpy_sgd(loss, d),
                                   "numpy: the same one-vs-all SGD and shuffles in a Python loop"),
                "sklearn": Reference(
                    lambda d, kw=kw: _params(sk.SGDClassifier(**kw).fit(d["X"], d["y"])),
                    "sklearn.linear_model.SGDClassifier, same settings and random_state"),
            },
            rtol=1e-6, atol=1e-8, point_keys=(),
            objective=lambda d, out, loss=loss: _objective(loss, d, out), objective_rtol=1e-8,
            description=f"SGDClassifier(loss={loss!r}, max_iter={EPOCHS}, tol=None).fit, {tag}, "
                        f"200 000 x 50 (quick: {quick}) float64, at equal epochs and final objective",
        )
