"""Plain-numpy references for the GLM benchmarks (float64, written for clarity).

The losses are the mean forms scikit-learn minimises:

* logistic: ``mean_i [log(1 + exp(eta_i)) - y_i eta_i] + l2/2 ||w||^2`` with
  ``y`` in {0, 1} (``l2 = 1 / (C n)`` for ``LogisticRegression(C)``);
* Poisson: ``mean_i half_deviance(y_i, exp(eta_i)) + alpha/2 ||w||^2``;
* Tweedie (power p in [1, 2], log link; Gamma is p = 2): the same with the
  half Tweedie deviance of power p;
* Huber (scikit-learn's concomitant-scale form, a sum, not a mean):
  ``sum_i [sigma + h(r_i, sigma)] + alpha ||w||^2`` with ``r = y - X w - b``,
  ``h = r^2 / sigma`` inside ``|r| <= epsilon sigma`` and
  ``2 epsilon |r| - epsilon^2 sigma`` outside,

with ``eta = X w + b`` on the raw (uncentred) data.  The ``*_objective``
functions take ``np.r_[coef, intercept]`` (Huber: ``np.r_[coef, intercept,
scale]``), the vector every fit case returns, so any two fits can be
compared by the value they reach.  The ``*_newton`` fits run damped Newton
with a dense ``np.linalg.solve`` until the Newton decrement is at rounding
level: slow, but as close to the exact minimiser as float64 allows.
"""
import numpy as np

__all__ = [
    "huber_newton",
    "huber_objective",
    "logistic_loss_grad",
    "logistic_newton",
    "logistic_objective",
    "poisson_newton",
    "poisson_objective",
    "tweedie_newton",
    "tweedie_objective",
]

# Newton stops once half the Newton decrement (the predicted decrease) is
# below this fraction of |f|: far below any tolerance the benchmarks test.
_DECREMENT_RTOL = 1e-15
_ARMIJO = 1e-4


def _sigmoid(eta):
    # exp(-log(1 + exp(-eta))): no overflow at either end
    return np.exp(-np.logaddexp(0.0, -eta))


def _weighted_gram(X, h):
    """``X.T @ diag(h) @ X`` for ``h >= 0``, as ``Xs.T @ Xs`` with ``Xs = sqrt(h) X``.

    numpy hands ``A.T @ A`` to BLAS syrk: half the flops of the general product.
    """
    Xs = X * np.sqrt(h)[:, None]
    return Xs.T @ Xs


def logistic_loss_grad(X, y, coef, l2):
    """Logistic loss and gradient in two passes (``X @ w``, then ``X.T @ g``).

    ``coef = np.r_[w, b]``; returns ``(f, grad)`` with ``grad`` of the same
    length (the intercept last, not penalised).
    """
    n, p = X.shape
    w, b = coef[:p], coef[p]
    eta = X @ w + b
    f = np.mean(np.logaddexp(0.0, eta) - y * eta) + 0.5 * l2 * (w @ w)
    g = (_sigmoid(eta) - y) / n
    return f, np.r_[X.T @ g + l2 * w, g.sum()]


def logistic_objective(X, y, params, l2):
    """Mean logistic loss plus ``l2/2 ||w||^2`` at ``params = np.r_[coef, intercept]``."""
    return float(logistic_loss_grad(X, y, np.asarray(params, np.float64), l2)[0])


def poisson_objective(X, y, params, alpha):
    """Mean half Poisson deviance plus ``alpha/2 ||w||^2`` at ``np.r_[coef, intercept]``."""
    p = X.shape[1]
    w, b = params[:p], params[p]
    eta = X @ w + b
    y_log_y = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    return float(np.mean(y_log_y - y * eta - y + np.exp(eta)) + 0.5 * alpha * (w @ w))


def _newton(X, y, l2, pointwise, b0, max_iter=100):
    """Damped Newton on ``mean_i loss(eta_i) + l2/2 ||w||^2`` over ``(w, b)``.

    ``pointwise(eta, y) -> (loss, d loss/d eta, d2 loss/d eta2)`` per sample.
    """
    n, p = X.shape
    w, b = np.zeros(p), float(b0)

    def value(w, b):
        eta = X @ w + b
        return np.mean(pointwise(eta, y)[0]) + 0.5 * l2 * (w @ w), eta

    f, eta = value(w, b)
    for _ in range(max_iter):
        _, d1, d2 = pointwise(eta, y)
        grad = np.r_[X.T @ d1 / n + l2 * w, d1.mean()]
        hx = X.T @ d2 / n
        H = np.empty((p + 1, p + 1))
        H[:p, :p] = _weighted_gram(X, d2) / n + l2 * np.eye(p)
        H[:p, p] = H[p, :p] = hx
        H[p, p] = d2.mean()
        step = -np.linalg.solve(H, grad)
        decrease = -(grad @ step)  # the Newton decrement squared
        if 0.5 * decrease <= _DECREMENT_RTOL * max(abs(f), 1e-300):
            break
        t = 1.0
        while True:
            f_new, eta_new = value(w + t * step[:p], b + t * step[p])
            if f_new <= f - _ARMIJO * t * decrease or t < 1e-10:
                break
            t *= 0.5
        if f_new >= f:  # no progress left at rounding level
            break
        w, b, f, eta = w + t * step[:p], b + t * step[p], f_new, eta_new
    return np.r_[w, b]


def _logistic_pointwise(eta, y):
    prob = _sigmoid(eta)
    return np.logaddexp(0.0, eta) - y * eta, prob - y, prob * (1.0 - prob)


def _poisson_pointwise(eta, y):
    mu = np.exp(eta)
    return mu - y * eta, mu - y, mu  # the deviance up to a constant in y


def logistic_newton(X, y, C=1.0):
    """``LogisticRegression(C)`` (binary, ``y`` in {0, 1}) by Newton; ``np.r_[coef, intercept]``."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    m = y.mean()
    return _newton(X, y, 1.0 / (C * len(y)), _logistic_pointwise, np.log(m / (1.0 - m)))


def poisson_newton(X, y, alpha=1.0):
    """``PoissonRegressor(alpha)`` by Newton; ``np.r_[coef, intercept]``."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    return _newton(X, y, alpha, _poisson_pointwise, np.log(y.mean()))


def _tweedie_pointwise(power):
    """The log-link Tweedie terms (without y-only constants) for 1 <= p <= 2."""
    if power == 1:
        return _poisson_pointwise
    if power == 2:
        def gamma(eta, y):
            e = y * np.exp(-eta)
            return eta + e, 1.0 - e, e
        return gamma
    a, b = 2.0 - power, 1.0 - power

    def tweedie(eta, y):
        A, B = np.exp(a * eta), np.exp(b * eta)
        return A / a - y * B / b, A - y * B, a * A - b * y * B
    return tweedie


def tweedie_objective(X, y, params, alpha, power):
    """Mean half Tweedie deviance (log link) plus ``alpha/2 ||w||^2`` at ``np.r_[coef, intercept]``."""
    p = X.shape[1]
    w, b = params[:p], params[p]
    mu = np.exp(X @ w + b)
    if power == 1:
        dev = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0) - y + mu
    elif power == 2:
        dev = np.log(mu / y) + y / mu - 1.0
    else:
        dev = (np.maximum(y, 0.0) ** (2 - power) / ((1 - power) * (2 - power))
               - y * mu ** (1 - power) / (1 - power) + mu ** (2 - power) / (2 - power))
    return float(np.mean(dev) + 0.5 * alpha * (w @ w))


def tweedie_newton(X, y, alpha=1.0, power=1.5):
    """``TweedieRegressor(power, link="log", alpha)`` for 1 <= p <= 2 (convex) by Newton."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    return _newton(X, y, alpha, _tweedie_pointwise(power), np.log(y.mean()))


def huber_objective(X, y, params, epsilon, alpha):
    """scikit-learn's Huber objective at ``params = np.r_[coef, intercept, scale]``."""
    p = X.shape[1]
    w, b, sigma = params[:p], params[p], params[p + 1]
    r = y - X @ w - b
    a = np.abs(r)
    out = a > epsilon * sigma
    h = np.where(out, 2.0 * epsilon * a - epsilon**2 * sigma, r * r / sigma)
    return float(len(y) * sigma + h.sum() + alpha * (w @ w))


def huber_newton(X, y, epsilon=1.35, alpha=1e-4, max_iter=200):
    """scikit-learn's ``HuberRegressor`` by damped Newton over ``(w, b, sigma)``.

    The objective is convex in ``(w, b, sigma > 0)`` and twice differentiable
    except where a residual crosses ``epsilon sigma``; Newton with Armijo
    backtracking (keeping ``sigma > 0``) converges in a few steps once the
    outlier set settles.  Returns ``np.r_[coef, intercept, scale]``.
    """
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    n, p = X.shape
    b = float(np.median(y))
    theta = np.r_[np.zeros(p), b, max(np.median(np.abs(y - b)), 1e-3)]

    def value(theta):
        return huber_objective(X, y, theta, epsilon, alpha)

    f = value(theta)
    for _ in range(max_iter):
        w, b, sigma = theta[:p], theta[p], theta[p + 1]
        r = y - X @ w - b
        out = np.abs(r) > epsilon * sigma
        inl = ~out
        ri = np.where(inl, r, 0.0)
        s = np.where(out, np.sign(r), 0.0)
        # gradient over (w, b) of the data term: d/dw = -x d/db per sample
        d_eta = -2.0 * ri / sigma - 2.0 * epsilon * s
        g_w = X.T @ d_eta + 2.0 * alpha * w
        g_b = d_eta.sum()
        g_s = n - epsilon**2 * out.sum() - (ri @ ri) / sigma**2
        grad = np.r_[g_w, g_b, g_s]
        # Hessian: only the inliers' r^2 / sigma terms are curved
        k = inl.astype(np.float64) * (2.0 / sigma)
        c = 2.0 * ri / sigma**2  # d2/(d eta d sigma) per sample
        H = np.empty((p + 2, p + 2))
        H[:p, :p] = _weighted_gram(X, k) + 2.0 * alpha * np.eye(p)
        H[:p, p] = H[p, :p] = X.T @ k
        H[p, p] = k.sum()
        H[:p, p + 1] = H[p + 1, :p] = X.T @ c
        H[p, p + 1] = H[p + 1, p] = c.sum()
        H[p + 1, p + 1] = 2.0 * (ri @ ri) / sigma**3
        step = -np.linalg.solve(H, grad)
        decrease = -(grad @ step)
        if 0.5 * decrease <= _DECREMENT_RTOL * abs(f):
            break
        t = 1.0
        while theta[p + 1] + t * step[p + 1] <= 0.0:
            t *= 0.5
        while True:
            f_new = value(theta + t * step)
            if f_new <= f - _ARMIJO * t * decrease or t < 1e-10:
                break
            t *= 0.5
        if f_new >= f:  # no progress left at rounding level
            break
        theta, f = theta + t * step, f_new
    return theta
