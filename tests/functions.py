"""A suite of test functions with analytic gradients and Hessians.

Each ``f`` is written once in a style that works three ways: jitted by numba
for one point ``(d,)``, called by plain Python on one point, and called on an
``(m, d)`` batch (``vectorized=True``).  The trick is ``xt = x.T``: for a point
``xt[i]`` is a number, for a batch it is the column of all ``m`` values.  Only
complex-safe operations are used, so the complex-step method applies to all.

``grad`` and ``hess`` are the analytic derivatives of one point, written
independently in numpy.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np


@dataclass
class TestFunction:
    name: str
    f: object
    grad: object
    hess: object
    dims: tuple
    low: float = -1.5
    high: float = 1.5
    jit: object = field(init=False, repr=False, default=None)

    def __post_init__(self):
        self.jit = numba.njit(self.f)

    def points(self, d, n=3, seed=0):
        """``n`` random points in the box, away from stationary points.

        A relative error means nothing where the gradient vanishes, so points
        whose gradient is small for this function (below a quarter of the
        median size over many random points) are skipped.
        """
        rng = np.random.default_rng(seed + 97 * d)
        cand = rng.uniform(self.low, self.high, size=(20 * n + 20, d))
        size = np.array([np.max(np.abs(self.grad(x))) for x in cand])
        return cand[size >= 0.25 * np.median(size)][:n]


def _quadratic(x):
    xt = x.T
    d = xt.shape[0]
    s = 0.0 * xt[0]
    for i in range(d):
        s = s + (i + 1.0) * xt[i] * xt[i]
    for i in range(d - 1):
        s = s + xt[i] * xt[i + 1]
    return s


def _quadratic_hess(x):
    d = x.size
    H = np.diag(2.0 * np.arange(1.0, d + 1))
    i = np.arange(d - 1)
    H[i, i + 1] = H[i + 1, i] = 1.0
    return H


def _rosenbrock(x):
    xt = x.T
    s = 0.0 * xt[0]
    for i in range(xt.shape[0] - 1):
        u = xt[i + 1] - xt[i] * xt[i]
        v = 1.0 - xt[i]
        s = s + 100.0 * u * u + v * v
    return s


def _rosenbrock_grad(x):
    g = np.zeros_like(x)
    t = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * t
    return g


@numba.njit
def rosen_jit(x):
    """Rosenbrock of one point as a jitted loop: the objective the compiled
    minimize tests share (one dispatcher, so its kernels compile once)."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        s += 100.0 * a * a + b * b
    return s


def _rosenbrock_hess(x):
    d = x.size
    H = np.zeros((d, d))
    i = np.arange(d - 1)
    H[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    H[i + 1, i + 1] += 200.0
    H[i, i + 1] = H[i + 1, i] = -400.0 * x[:-1]
    return H


def _coef(d):
    return 0.5 + 0.25 * np.arange(d) / max(d, 1)


def _exp_linear(x):
    xt = x.T
    d = xt.shape[0]
    s = 0.0 * xt[0]
    for i in range(d):
        s = s + (0.5 + 0.25 * i / d) * xt[i]
    return np.exp(s)


def _logsumexp(x):
    xt = x.T
    s = 0.0 * xt[0]
    for i in range(xt.shape[0]):
        s = s + np.exp(xt[i])
    return np.log(s)


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def _trig(x):
    xt = x.T
    d = xt.shape[0]
    s = 0.0 * xt[0]
    for i in range(d - 1):
        s = s + np.sin(xt[i]) * np.cos(xt[i + 1])
    for i in range(d):
        s = s + 0.5 * np.cos(xt[i])
    return s


def _trig_grad(x):
    g = -0.5 * np.sin(x)
    g[:-1] += np.cos(x[:-1]) * np.cos(x[1:])
    g[1:] -= np.sin(x[:-1]) * np.sin(x[1:])
    return g


def _trig_hess(x):
    d = x.size
    H = np.diag(-0.5 * np.cos(x))
    i = np.arange(d - 1)
    H[i, i] -= np.sin(x[:-1]) * np.cos(x[1:])
    H[i + 1, i + 1] -= np.sin(x[:-1]) * np.cos(x[1:])
    H[i, i + 1] = H[i + 1, i] = -np.cos(x[:-1]) * np.sin(x[1:])
    return H


def _rational(x):
    xt = x.T
    s = 0.0 * xt[0]
    for i in range(xt.shape[0]):
        s = s + xt[i] / (1.0 + xt[i] * xt[i])
    return s


def _log1p_norm(x):
    xt = x.T
    s = 1.0 + 0.0 * xt[0]
    for i in range(xt.shape[0]):
        s = s + xt[i] * xt[i]
    return np.log(s)


def _cubic(x):
    xt = x.T
    d = xt.shape[0]
    s = 0.0 * xt[0]
    for i in range(d):
        s = s + xt[i] * xt[i] * xt[i]
    for i in range(d - 1):
        s = s + xt[i] * xt[i + 1] * xt[i + 1]
    return s


def _cubic_grad(x):
    g = 3.0 * x**2
    g[:-1] += x[1:] ** 2
    g[1:] += 2.0 * x[:-1] * x[1:]
    return g


def _cubic_hess(x):
    d = x.size
    H = np.diag(6.0 * x)
    i = np.arange(d - 1)
    H[i + 1, i + 1] += 2.0 * x[:-1]
    H[i, i + 1] = H[i + 1, i] = 2.0 * x[1:]
    return H


def _styblinski(x):
    xt = x.T
    s = 0.0 * xt[0]
    for i in range(xt.shape[0]):
        x2 = xt[i] * xt[i]
        s = s + 0.5 * (x2 * x2 - 16.0 * x2 + 5.0 * xt[i])
    return s


def _sqrt_norm(x):
    xt = x.T
    s = 1.0 + 0.0 * xt[0]
    for i in range(xt.shape[0]):
        s = s + xt[i] * xt[i]
    return np.sqrt(s)


def _gaussian(x):
    xt = x.T
    d = xt.shape[0]
    s = 0.0 * xt[0]
    for i in range(d):
        s = s + (0.5 + 0.25 * i / d) * xt[i] * xt[i]
    return np.exp(-0.5 * s)


def _inv_quadratic(x):
    xt = x.T
    s = 1.0 + 0.0 * xt[0]
    for i in range(xt.shape[0]):
        s = s + xt[i] * xt[i]
    return 1.0 / s


def _beale(x):
    xt = x.T
    a, b = xt[0], xt[1]
    t1 = 1.5 - a + a * b
    t2 = 2.25 - a + a * b * b
    t3 = 2.625 - a + a * b * b * b
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_grad(x):
    a, b = x
    t = (1.5 - a + a * b, 2.25 - a + a * b * b, 2.625 - a + a * b**3)
    da = (b - 1.0, b * b - 1.0, b**3 - 1.0)
    db = (a, 2.0 * a * b, 3.0 * a * b * b)
    return np.array([sum(2 * ti * di for ti, di in zip(t, da)), sum(2 * ti * di for ti, di in zip(t, db))])


def _beale_hess(x):
    a, b = x
    t = (1.5 - a + a * b, 2.25 - a + a * b * b, 2.625 - a + a * b**3)
    da = (b - 1.0, b * b - 1.0, b**3 - 1.0)
    db = (a, 2.0 * a * b, 3.0 * a * b * b)
    dab = (1.0, 2.0 * b, 3.0 * b * b)
    dbb = (0.0, 2.0 * a, 6.0 * a * b)
    haa = sum(2 * di * di for di in da)
    hbb = sum(2 * (di * di + ti * ei) for ti, di, ei in zip(t, db, dbb))
    hab = sum(2 * (ai * bi + ti * ci) for ti, ai, bi, ci in zip(t, da, db, dab))
    return np.array([[haa, hab], [hab, hbb]])


def _outer_hess(g, scale_diag, outer):
    return np.diag(scale_diag) + outer * np.outer(g, g)


SUITE = [
    TestFunction("quadratic", _quadratic,
                 lambda x: 2.0 * np.arange(1.0, x.size + 1) * x + np.r_[x[1:], 0.0] + np.r_[0.0, x[:-1]],
                 _quadratic_hess, (1, 3, 50)),
    TestFunction("rosenbrock", _rosenbrock, _rosenbrock_grad, _rosenbrock_hess, (2, 10, 50)),
    TestFunction("exp_linear", _exp_linear,
                 lambda x: _coef(x.size) * _exp_linear(x),
                 lambda x: np.outer(_coef(x.size), _coef(x.size)) * _exp_linear(x), (1, 5, 20)),
    TestFunction("logsumexp", _logsumexp, _softmax,
                 lambda x: np.diag(_softmax(x)) - np.outer(_softmax(x), _softmax(x)), (2, 10, 50)),
    TestFunction("trig", _trig, _trig_grad, _trig_hess, (2, 10, 50)),
    TestFunction("rational", _rational,
                 lambda x: (1 - x**2) / (1 + x**2) ** 2,
                 lambda x: np.diag((2 * x**3 - 6 * x) / (1 + x**2) ** 3), (1, 4, 30)),
    TestFunction("log1p_norm", _log1p_norm,
                 lambda x: 2 * x / (1 + x @ x),
                 lambda x: 2 * np.eye(x.size) / (1 + x @ x) - 4 * np.outer(x, x) / (1 + x @ x) ** 2, (1, 6, 40)),
    TestFunction("cubic", _cubic, _cubic_grad, _cubic_hess, (2, 7, 50)),
    TestFunction("styblinski_tang", _styblinski,
                 lambda x: 0.5 * (4 * x**3 - 32 * x + 5),
                 lambda x: np.diag(0.5 * (12 * x**2 - 32)), (1, 8, 25), -4.0, 4.0),
    TestFunction("sqrt_norm", _sqrt_norm,
                 lambda x: x / np.sqrt(1 + x @ x),
                 lambda x: np.eye(x.size) / np.sqrt(1 + x @ x) - np.outer(x, x) / (1 + x @ x) ** 1.5, (1, 5, 50)),
    TestFunction("gaussian", _gaussian,
                 lambda x: -_coef(x.size) * x * _gaussian(x),
                 lambda x: (np.outer(_coef(x.size) * x, _coef(x.size) * x) - np.diag(_coef(x.size))) * _gaussian(x),
                 (1, 6, 30)),
    TestFunction("inv_quadratic", _inv_quadratic,
                 lambda x: -2 * x / (1 + x @ x) ** 2,
                 lambda x: -2 * np.eye(x.size) / (1 + x @ x) ** 2 + 8 * np.outer(x, x) / (1 + x @ x) ** 3, (1, 3, 20)),
    TestFunction("beale", _beale, _beale_grad, _beale_hess, (2,), -2.0, 2.0),
]

SUITE_IDS = [t.name for t in SUITE]


def cases():
    """(test function, dimension) pairs, with readable ids."""
    out = [(t, d) for t in SUITE for d in t.dims]
    return out, [f"{t.name}-d{d}" for t, d in out]


def rel_err(est, true):
    """Norm-wise relative error max|est - true| / max|true| (entries of a result)."""
    est, true = np.asarray(est), np.asarray(true)
    return float(np.max(np.abs(est - true)) / max(np.max(np.abs(true)), 1e-300))
