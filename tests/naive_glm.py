"""Plain-numpy versions of the GLM objectives in ``csrc/_glm_objectives.pxi``.

Written straight from the formulas, in float64, on an explicitly centred
copy ``Xc = X - m`` with ``eta = Xc @ w + c``; no fused passes, no raw
intercept. Each ``*_naive`` returns ``(f, grad, hess)`` at ``coef``.
"""

import numpy as np
import pytest
from scipy.special import expit


def _prepare(X, y, sw, mean):
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    s = np.ones(len(y)) if sw is None else np.asarray(sw, np.float64)
    return X - np.asarray(mean, np.float64), y, s


def _design(Xc, fit_intercept):
    """Columns of d eta / d (w, c)."""
    return np.c_[Xc, np.ones(len(Xc))] if fit_intercept else Xc


def _penalty_parts(coef, p, l2):
    k = len(coef)
    w = coef[:p]
    f = 0.5 * l2 * w @ w
    g = np.zeros(k)
    g[:p] = l2 * w
    H = np.zeros((k, k))
    H[np.arange(p), np.arange(p)] = l2
    return f, g, H


def logistic_naive(X, y, sw, mean, l2, fit_intercept, coef):
    Xc, y, s = _prepare(X, y, sw, mean)
    p = Xc.shape[1]
    A = _design(Xc, fit_intercept)
    eta = A @ coef
    S = s.sum()
    loss = np.logaddexp(0.0, eta) - y * eta
    prob = expit(eta)
    f_pen, g_pen, H_pen = _penalty_parts(coef, p, l2)
    f = np.sum(s * loss) / S + f_pen
    g = A.T @ (s * (prob - y)) / S + g_pen
    H = A.T @ (A * (s * prob * (1 - prob))[:, None]) / S + H_pen
    return f, g, H


def logistic_bound(X, sw, mean, l2, fit_intercept):
    """The matrix ``hess_vec`` applies: 0.25 * A^T S A / sum_s + l2 on w."""
    Xc, _, s = _prepare(X, np.zeros(len(X)), sw, mean)
    p = Xc.shape[1]
    A = _design(Xc, fit_intercept)
    H = 0.25 * A.T @ (A * s[:, None]) / s.sum()
    H[np.arange(p), np.arange(p)] += l2
    return H


def poisson_naive(X, y, sw, mean, l2, fit_intercept, coef):
    Xc, y, s = _prepare(X, y, sw, mean)
    p = Xc.shape[1]
    A = _design(Xc, fit_intercept)
    eta = A @ coef
    S = s.sum()
    mu = np.exp(eta)
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    loss = mu - y * eta + ylogy - y
    f_pen, g_pen, H_pen = _penalty_parts(coef, p, l2)
    f = np.sum(s * loss) / S + f_pen
    g = A.T @ (s * (mu - y)) / S + g_pen
    H = A.T @ (A * (s * mu)[:, None]) / S + H_pen
    return f, g, H


def huber_naive(X, y, sw, mean, alpha, epsilon, fit_intercept, coef):
    """sklearn's Huber objective divided by sum_s; coef = [w, c?, sigma]."""
    Xc, y, s = _prepare(X, y, sw, mean)
    n, p = Xc.shape
    A = _design(Xc, fit_intercept)
    k = len(coef)
    theta, sigma = coef[:-1], coef[-1]
    S = s.sum()
    if not sigma > 0:
        return np.inf, np.zeros(k), np.full((k, k), np.nan)
    r = y - A @ theta
    inlier = np.abs(r) <= epsilon * sigma
    # per sample: loss, derivatives in eta (= -r) and sigma
    loss = np.where(inlier, sigma + r**2 / sigma,
                    sigma * (1 - epsilon**2) + 2 * epsilon * np.abs(r))
    d_eta = np.where(inlier, -2 * r / sigma, -2 * epsilon * np.sign(r))
    d_sigma = np.where(inlier, 1 - (r / sigma) ** 2, 1 - epsilon**2)
    h_ee = np.where(inlier, 2 / sigma, 0.0)
    h_es = np.where(inlier, 2 * r / sigma**2, 0.0)
    h_ss = np.where(inlier, 2 * r**2 / sigma**3, 0.0)
    w = coef[:p]
    f = (np.sum(s * loss) + alpha * w @ w) / S
    g = np.zeros(k)
    g[:-1] = A.T @ (s * d_eta) / S
    g[:p] += 2 * alpha * w / S
    g[-1] = np.sum(s * d_sigma) / S
    H = np.zeros((k, k))
    H[:-1, :-1] = A.T @ (A * (s * h_ee)[:, None]) / S
    H[np.arange(p), np.arange(p)] += 2 * alpha / S
    H[:-1, -1] = H[-1, :-1] = A.T @ (s * h_es) / S
    H[-1, -1] = np.sum(s * h_ss) / S
    return f, g, H


def tweedie_unit(mu, y, power):
    """Half Tweedie deviance of power p at mean mu, straight from its definition.

    ``(loss, dloss/dmu, d2loss/dmu2)``; the loss is the half deviance itself
    (0 at mu = y), with the Poisson (p = 1) and Gamma (p = 2) limits and the
    ``max(y, 0)`` convention of scikit-learn for p < 0.
    """
    p = power
    if p == 0:
        return 0.5 * (mu - y) ** 2, mu - y, np.ones_like(mu)
    if p == 1:
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y / mu, 1.0)), 0.0)
        return ylogy - y + mu, 1 - y / mu, y / mu**2
    if p == 2:
        return np.log(mu / y) + y / mu - 1, 1 / mu - y / mu**2, -1 / mu**2 + 2 * y / mu**3
    yp = np.maximum(y, 0.0) ** (2 - p) / ((1 - p) * (2 - p))
    loss = yp - y * mu ** (1 - p) / (1 - p) + mu ** (2 - p) / (2 - p)
    d = mu ** (1 - p) - y * mu ** (-p)
    h = (1 - p) * mu ** (-p) + p * y * mu ** (-p - 1)
    return loss, d, h


def tweedie_pointwise(eta, y, power, link):
    """``(loss, dl/deta, d2l/deta2)`` per sample for the log or identity link."""
    if link == "identity":
        return tweedie_unit(eta, y, power)
    mu = np.exp(eta)
    loss, d, h = tweedie_unit(mu, y, power)
    # chain rule through mu = e^eta: dl/deta = mu l', d2l/deta2 = mu l' + mu^2 l''
    return loss, mu * d, mu * d + mu**2 * h


def tweedie_naive(X, y, sw, mean, l2, fit_intercept, coef, power, link="log", absolute=True):
    """Mean half Tweedie deviance + l2/2 ||w||^2: ``(f, grad, hess)``.

    ``absolute``: the Hessian from the pointwise curvatures' absolute values,
    the matrix fastgrad's Newton uses (the true Hessian, ``absolute=False``,
    wherever every sample's curvature is >= 0).
    """
    Xc, y, s = _prepare(X, y, sw, mean)
    p = Xc.shape[1]
    A = _design(Xc, fit_intercept)
    eta = A @ coef
    S = s.sum()
    loss, d, h = tweedie_pointwise(eta, y, power, link)
    h = np.abs(h) if absolute else h
    f_pen, g_pen, H_pen = _penalty_parts(coef, p, l2)
    f = np.sum(s * loss) / S + f_pen
    g = A.T @ (s * d) / S + g_pen
    H = A.T @ (A * (s * h)[:, None]) / S + H_pen
    return f, g, H


def tweedie_data(n=200, p=4, seed=0, shift=0.5, offset=0.0, dtype=np.float64):
    """X with non-zero column means, Gamma-distributed y > 0 around a log-linear mean."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    w = rng.standard_normal(p) / (2 * np.sqrt(p))
    mu = np.exp((X - X.mean(axis=0)) @ w + 0.5)
    y = rng.gamma(2.0, mu / 2.0) + offset
    sw = rng.uniform(0.3, 2.0, n)
    return X.astype(dtype), y.astype(dtype), sw.astype(dtype)


def positive_design(X):
    """Entries >= 0.5: identity-link predictions stay positive for positive coefficients."""
    return np.abs(X) + 0.5


@pytest.fixture(autouse=True)
def one_openmp_thread():
    """scikit-learn's loss threads crawl on a busy machine (0.5 s for a 240-sample fit);
    one OpenMP thread keeps its reference fits at milliseconds. A test module
    that imports this fixture runs every test under it; fastgrad's objectives
    there take their thread count explicitly."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield
