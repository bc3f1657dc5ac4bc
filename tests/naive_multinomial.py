"""Plain-numpy multinomial logistic objective (value, gradient, Hessian).

The independent answer ``MultinomialObjective`` is checked against: float64
throughout, whole-matrix numpy, written for clarity. Same definitions::

    eta_ik = (x_i - m) . W_k + c_k
    f      = sum_i s_i (logsumexp_k eta_ik - eta_{i, y_i}) / sum_s + 0.5 l2 ||W||^2

with ``coef`` = the K * p weights class by class, then (if ``fit_intercept``)
the K intercepts.
"""

import numpy as np


def _design(X, mean, fit_intercept):
    """Centred rows, with a column of ones when there are intercepts: Z (n, p [+1])."""
    Z = np.asarray(X, np.float64) - np.asarray(mean, np.float64)
    if fit_intercept:
        Z = np.hstack([Z, np.ones((Z.shape[0], 1))])
    return Z


def _split(coef, K, p, fit_intercept):
    """coef -> B of shape (K, p [+1]): row k = (W_k, c_k)."""
    W = coef[:K * p].reshape(K, p)
    if fit_intercept:
        return np.hstack([W, coef[K * p:][:, None]])
    return W


def _join(B, K, p, fit_intercept):
    """Inverse of ``_split``."""
    out = B[:, :p].ravel()
    return np.r_[out, B[:, p]] if fit_intercept else out


def _order(K, p, fit_intercept):
    """Position in coef of entry (k, j) of B, as a flat (K * (p [+1])) index map."""
    d = p + 1 if fit_intercept else p
    pos = np.empty((K, d), dtype=np.intp)
    pos[:, :p] = np.arange(K * p).reshape(K, p)
    if fit_intercept:
        pos[:, p] = K * p + np.arange(K)
    return pos.ravel()


def softmax(eta):
    z = eta - eta.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def logsumexp(eta):
    mx = eta.max(axis=1)
    return mx + np.log(np.exp(eta - mx[:, None]).sum(axis=1))


def multinomial(X, y, n_classes, sample_weight, mean, l2, fit_intercept):
    """Closures ``f_grad(coef) -> (f, g)`` and ``hessian(coef) -> H``."""
    X = np.asarray(X, np.float64)
    n, p = X.shape
    K = n_classes
    y = np.asarray(y)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    sum_s = s.sum()
    mean = np.zeros(p) if mean is None else np.asarray(mean, np.float64)
    Z = _design(X, mean, fit_intercept)
    Y = np.zeros((n, K))
    Y[np.arange(n), y] = 1.0
    pen = np.zeros(Z.shape[1])
    pen[:p] = l2

    def f_grad(coef):
        B = _split(np.asarray(coef, np.float64), K, p, fit_intercept)
        eta = Z @ B.T
        f = np.sum(s * (logsumexp(eta) - eta[np.arange(n), y])) / sum_s
        f += 0.5 * l2 * np.sum(B[:, :p] ** 2)
        G = (s[:, None] * (softmax(eta) - Y)).T @ Z / sum_s + pen * B
        return f, _join(G, K, p, fit_intercept)

    def hessian(coef):
        B = _split(np.asarray(coef, np.float64), K, p, fit_intercept)
        P = softmax(Z @ B.T)
        d = Z.shape[1]
        # A_i = diag(p_i) - p_i p_i^T; H4[k, j, l, j'] = sum s_i A_i[k, l] z_ij z_ij'
        A = np.einsum("ik,kl->ikl", P, np.eye(K)) - np.einsum("ik,il->ikl", P, P)
        H4 = np.einsum("i,ikl,ij,im->kjlm", s, A, Z, Z) / sum_s
        H = H4.reshape(K * d, K * d) + np.diag(np.tile(pen, K))
        pos = _order(K, p, fit_intercept)
        out = np.empty_like(H)
        out[np.ix_(pos, pos)] = H
        return out

    return f_grad, hessian


def to_sklearn(coef, K, p, mean, fit_intercept):
    """Our coef -> scikit-learn's (K, p [+1]) layout with raw intercepts b = c - W m."""
    W = coef[:K * p].reshape(K, p)
    if not fit_intercept:
        return W.copy()
    b = coef[K * p:] - W @ np.asarray(mean, np.float64)
    return np.hstack([W, b[:, None]])


def from_sklearn(B, K, p, mean, fit_intercept):
    """Inverse of ``to_sklearn`` (gradients map the other way, see the tests)."""
    W = B[:, :p]
    if not fit_intercept:
        return W.ravel().copy()
    c = B[:, p] + W @ np.asarray(mean, np.float64)
    return np.r_[W.ravel(), c]
