"""Plain-numpy SGD for linear regression and binary classification, written for clarity, not speed.

The reference the compiled ``fastgrad.linear_model._sgd_fast`` loop is tested against.
It keeps the true weights ``w`` (no lazy scale factor) and follows the same
definitions, step by step, for one update:

1. step size ``eta`` from the schedule at the update counter ``t``;
2. predictions with the current weights, loss and its derivative per sample
   (clipped to +-1e12), step ``-eta * dloss * s_i`` (mean over a batch);
3. L2 shrink ``w *= max(0, 1 - (1 - r) * eta * alpha)``;
4. ``w += momentum * previous_step + step * x`` and the same for ``b``;
5. running mean of the weights once ``t >= average``;
6. cumulative L1 penalty (weights pulled towards zero, never across it,
   until each has received the total ``u``; ``q`` records what it got);
7. ``t += 1``.
"""

import numpy as np

LOSSES = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")
# Classification: labels -1 / +1 (0 / 1 for log_loss); ``eps`` is the margin
# threshold of hinge and squared_hinge (hinge with 0 is the perceptron).
CLASSIFICATION_LOSSES = ("hinge", "squared_hinge", "modified_huber", "log_loss")
MAX_DLOSS = 1e12


def loss_value(loss, y, p, eps):
    if loss == "log_loss":
        return float(np.logaddexp(0.0, p) - y * p)
    z = y * p
    if loss == "hinge":
        return max(0.0, eps - z)
    if loss == "squared_hinge":
        return max(0.0, eps - z) ** 2
    if loss == "modified_huber":
        return -4.0 * z if z < -1.0 else max(0.0, 1.0 - z) ** 2
    r = y - p
    a = abs(r)
    if loss == "squared_error":
        return 0.5 * r * r
    if loss == "huber":
        return 0.5 * r * r if a <= eps else eps * (a - 0.5 * eps)
    z = max(0.0, a - eps)
    return z if loss == "epsilon_insensitive" else z * z


def loss_derivative(loss, y, p, eps):
    """d loss / d p."""
    if loss == "log_loss":
        return 1.0 / (1.0 + np.exp(-p)) - y
    z = y * p
    if loss == "hinge":
        return -y if z <= eps else 0.0
    if loss == "squared_hinge":
        return -2.0 * y * max(0.0, eps - z)
    if loss == "modified_huber":
        return -4.0 * y if z < -1.0 else -2.0 * y * max(0.0, 1.0 - z)
    r = p - y
    if loss == "squared_error":
        return r
    if loss == "huber":
        return r if abs(r) <= eps else eps * np.sign(r)
    z = max(0.0, abs(r) - eps)
    if loss == "epsilon_insensitive":
        return np.sign(r) if z > 0 else 0.0
    return 2.0 * z * np.sign(r)


def direction(loss, y, p):
    """Sign of a passive-aggressive step: along the label (hinge), or towards the target."""
    if loss == "hinge":
        return y
    return -1.0 if y - p < 0 else 1.0


def xorshift_shuffle(order, seed):
    """scikit-learn's Fisher-Yates pass with its xorshift32 generator."""
    order = list(order)
    mask = 0xFFFFFFFF
    seed = seed or 1
    n = len(order)
    for i in range(n - 1):
        seed ^= (seed << 13) & mask
        seed ^= seed >> 17
        seed ^= (seed << 5) & mask
        j = i + (seed % 2**31) % (n - i)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def optimal_init(loss, alpha, eps):
    typw = np.sqrt(1.0 / np.sqrt(alpha))
    eta_first = typw / max(1.0, loss_derivative(loss, 1.0, -typw, eps))
    return 1.0 / (eta_first * alpha)


def naive_sgd(X, y, sample_weight=None, *, loss="squared_error", epsilon=0.1, penalty="l2",
              alpha=1e-4, l1_ratio=0.15, learning_rate="invscaling", eta0=0.01, power_t=0.25,
              fit_intercept=True, average=0, batch_size=1, momentum=0.0, nesterov=False, n_epochs=1,
              shuffle=True, seed=1, t=1.0, coef=None, intercept=0.0):
    """Run ``n_epochs`` epochs; return a dict with the plain and averaged weights.

    Also returns ``t`` (the update counter) and ``curve``, the mean over
    samples of loss + penalty per epoch (each term with the weights the
    sample met).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w = np.zeros(p) if coef is None else np.array(coef, dtype=np.float64)
    b = float(intercept)
    r = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, None: 0.0}[penalty]
    pa = learning_rate in ("pa1", "pa2")
    t0 = optimal_init(loss, alpha, epsilon) if learning_rate == "optimal" else 0.0
    avg_w, avg_b = np.zeros(p), 0.0
    # How much of an L1 truncation the average absorbs: scikit-learn's lazy
    # average shifts by the mean over the averaged steps of
    # (scale factor then / scale factor now); we keep that definition.
    scale_now, scale_sum, n_avg = 1.0, 0.0, 0
    u, q = 0.0, np.zeros(p)
    vel_w, vel_b = np.zeros(p), 0.0
    order = np.arange(n)
    curve = []
    for _ in range(n_epochs):
        if shuffle:
            order = xorshift_shuffle(order, seed)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            if learning_rate == "optimal":
                eta = 1.0 / (alpha * (t0 + t - 1.0))
            elif learning_rate == "invscaling":
                eta = eta0 / t**power_t
            else:
                eta = eta0
            pen = 0.0
            if penalty is not None and not pa:
                pen = alpha * ((1 - r) * 0.5 * w @ w + r * np.abs(w).sum())
            step_w, step_b, skip = np.zeros(p), 0.0, False
            for i in batch:
                pred = X[i] @ w + b
                cur = loss_value(loss, y[i], pred, epsilon)
                total += cur + pen
                xsq = X[i] @ X[i]
                if learning_rate == "pa1":
                    if xsq == 0 and batch_size == 1 and momentum == 0:
                        skip = True  # scikit-learn skips such a sample entirely
                        continue
                    step = 0.0 if xsq == 0 else min(eta0, cur / xsq)
                    step *= direction(loss, y[i], pred)
                elif learning_rate == "pa2":
                    step = cur / (xsq + 0.5 / eta0)
                    step *= direction(loss, y[i], pred)
                else:
                    step = -eta * np.clip(loss_derivative(loss, y[i], pred, epsilon), -MAX_DLOSS, MAX_DLOSS)
                step *= s[i] / len(batch)
                step_w += step * X[i]
                step_b += step
            if skip:
                continue
            if penalty in ("l2", "elasticnet"):
                shrink = max(0.0, 1.0 - (1.0 - r) * eta * alpha)
                w *= shrink
                scale_now *= shrink
            vel_w = momentum * vel_w + step_w
            vel_b = momentum * vel_b + step_b
            # Nesterov (look-ahead form): move by step + momentum * new velocity
            w += step_w + momentum * vel_w if nesterov else vel_w
            if fit_intercept:
                b += step_b + momentum * vel_b if nesterov else vel_b
            if 0 < average <= t:
                n_avg += 1
                avg_w += (w - avg_w) / n_avg
                avg_b += (b - avg_b) / n_avg
                scale_sum += scale_now
            if penalty in ("l1", "elasticnet"):
                u += r * eta * alpha
                before = w.copy()
                pos, neg = w > 0, w < 0
                w[pos] = np.maximum(0.0, w[pos] - (u + q[pos]))
                w[neg] = np.minimum(0.0, w[neg] + (u - q[neg]))
                q += w - before
                if n_avg:
                    avg_w += scale_sum / (n_avg * scale_now) * (w - before)
            t += 1.0
        curve.append(total / n)
    return {"coef": w, "intercept": b, "avg_coef": avg_w, "avg_intercept": avg_b,
            "t": t, "curve": np.array(curve)}
