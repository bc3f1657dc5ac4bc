"""Compiled full-batch solver loops and the objectives they minimise.

Every loop is written once against the ``Objective`` interface
(``_objective.pxi``) and runs entirely without the GIL; each iteration costs
one fused pass over ``X`` (loss and gradient together, ``_squared_pass.pxi``).

Solvers (``run_solver``):

=========== ============================================== ==================
name        update                                          loop
=========== ============================================== ==================
gd          w <- w - lr g(w)                                ``prox_loop``
momentum    heavy ball: v <- mu v - lr g(w); w <- w + v      ``heavy_ball_loop``
nesterov    accelerated gradient, adaptive restart          ``prox_loop``
ista        proximal gradient for an L1 term / w >= 0        ``prox_loop``
fista       accelerated proximal gradient, adaptive restart ``prox_loop``
lbfgs       limited-memory BFGS, Armijo line search         ``lbfgs_loop``
newton      Newton (Cholesky), Armijo line search           ``newton_loop``
sgd         mini-batch SGD, momentum, L1 prox, decaying lr  ``sgd_loop``
=========== ============================================== ==================

The first-order methods take their step ``lr`` from the caller; the Python
side uses ``1 / L`` with ``L`` the largest Hessian eigenvalue from
``py_lipschitz`` (power iteration, a few passes), unless the user gives a
learning rate. Status codes match ``fastgrad.linear_model._status``.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY, NAN, fabs, isfinite, sqrt
from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset

import numpy as np


cdef enum:
    # Same numbers as fastgrad.linear_model._status (a test checks it).
    CONVERGED = 0
    MAX_ITER = 1
    NONFINITE = 2
    DIVERGED = 3
    STALLED = 4
    # Internal: never returned to Python as a fit status.
    RUNNING = -1
    NO_MEMORY = -2
    NO_HESSIAN = -3
    # Backtracking: at most this many halvings (2^-60 ~ 1e-18 of the first step).
    ARMIJO_MAX_HALVINGS = 60
    # L-BFGS / Newton stop (STALLED) after this many steps in a row that did
    # not lower f at all: the line search only accepts them because the
    # predicted decrease is below the rounding of f, i.e. tol is unreachable.
    FLAT_MAX = 5


# Sufficient-decrease constant of the Armijo rule (the customary 1e-4).
cdef double ARMIJO_C1 = 1e-4
# A line-search trial within this fraction of |f| above f counts as "flat to
# rounding" (sums of n terms are rounded to ~sqrt(n) eps relative; 1e-12 is
# clear of that for any realistic n).
cdef double FLAT_RTOL = 1e-12
# Keep an L-BFGS pair only if s.y > CURVATURE_EPS * y.y: guards the scaling
# gamma = s.y / y.y against pairs whose curvature is rounding noise.
cdef double CURVATURE_EPS = 1e-12
cdef double DIVERGE_FACTOR = 1e10
# Newton's Cholesky treats pivots below this fraction of their diagonal entry
# as zero (singular to rounding); the Hessian is then shifted.
cdef double PIVOT_RTOL = 1e-10
# First shift of a singular Hessian, relative to its largest diagonal entry.
# Not smaller: the gradient's rounding noise along the null space (~1e-16)
# is amplified by 1 / shift in the step; 1e-8 keeps that below 1e-8.
cdef double NEWTON_SHIFT0 = 1e-8
# SGD's adaptive schedule divides the step by this on a plateau, and stops
# once the step is below this fraction of the first.
cdef double SGD_LR_DIVISOR = 5.0
cdef double SGD_MIN_LR_FRACTION = 1e-3
# Backtracking of the first-order loops accepts a step when f at the new
# point is within this fraction of |f| above the quadratic model: near the
# optimum the two differ by rounding only.
cdef double BACKTRACK_RTOL = 1e-13

STATUS_CODES = {
    "CONVERGED": CONVERGED, "MAX_ITER": MAX_ITER, "NONFINITE": NONFINITE,
    "DIVERGED": DIVERGED, "STALLED": STALLED,
}

include "_squared_pass.pxi"
include "_objective.pxi"
include "_sparse_squared.pxi"
include "_glm_pass.pxi"
include "_glm_objectives.pxi"
include "_loops_first.pxi"
include "_loops_curv.pxi"
include "_loops_sgd.pxi"
include "_multinomial.pxi"
include "_sparse_glm.pxi"


SOLVERS = ("gd", "momentum", "nesterov", "ista", "fista", "lbfgs", "newton", "sgd")


def py_lipschitz(Objective obj, Py_ssize_t max_iter=100, double rtol=1e-3):
    """Largest eigenvalue of the objective's Hessian (power iteration)."""
    cdef double lam
    with nogil:
        lam = lipschitz(obj, max_iter, rtol)
    return lam


def run_solver(
    Objective obj,
    coef0,
    str solver,
    Py_ssize_t max_iter,
    double tol,
    double lr=0.0,
    double momentum=-1.0,
    double l1=0.0,
    bint positive=False,
    Py_ssize_t memory=10,
    int verbose=0,
    Py_ssize_t batch_size=256,
    unsigned long long seed=0,
    Py_ssize_t epoch0=0,
    Py_ssize_t n_no_change=5,
    bint adaptive=True,
):
    """Run one solver loop from ``coef0``; returns ``(coef, status, n_iter, curve)``.

    Test hook and the estimators' entry point; the arguments are trusted
    (the estimators validate them). ``lr`` is the step of the first-order
    methods, ``momentum`` their momentum (< 0: FISTA's sequence), ``l1`` and
    ``positive`` the non-smooth part for gd/ista/nesterov/fista, ``memory``
    the number of L-BFGS pairs. For ``sgd``: ``max_iter`` counts epochs,
    ``lr`` is the first step, ``seed`` seeds the shuffles, ``epoch0`` is
    the number of epochs already run, ``n_no_change`` the patience of the
    plateau rule and ``adaptive`` picks the step schedule (see ``sgd_loop``).
    """
    cdef double[::1] coef = np.array(coef0, dtype=np.float64, copy=True)
    if coef.shape[0] != obj.n_coef:
        raise ValueError(f"coef0 has {coef.shape[0]} entries, the objective {obj.n_coef}")
    if max_iter < 0:
        raise ValueError("max_iter must be >= 0")
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of {SOLVERS}")
    if solver in ("gd", "momentum", "nesterov", "ista", "fista", "sgd") and not lr > 0.0:
        raise ValueError("first-order solvers need a step lr > 0")
    if solver == "sgd" and (batch_size < 1 or n_no_change < 1 or epoch0 < 0):
        raise ValueError("sgd needs batch_size >= 1, n_no_change >= 1 and epoch0 >= 0")
    if solver == "sgd" and obj.n_samples < 1:
        raise ValueError("solver='sgd' needs an objective with a mini-batch form")
    if memory < 1:
        raise ValueError("memory must be >= 1")
    curve_arr = np.empty(max_iter + 1)
    cdef double[::1] curve = curve_arr
    cdef Py_ssize_t n_curve = 0, n_iter = 0
    cdef int status = MAX_ITER
    cdef int kind = SOLVERS.index(solver)
    with nogil:
        if kind == 0 or kind == 3:       # gd, ista
            status = prox_loop(obj, &coef[0], max_iter, tol, lr, 0.0, False, l1, positive,
                               &curve[0], &n_curve, &n_iter, verbose)
        elif kind == 1:                  # momentum
            status = heavy_ball_loop(obj, &coef[0], max_iter, tol, lr, momentum,
                                     &curve[0], &n_curve, &n_iter, verbose)
        elif kind == 2 or kind == 4:     # nesterov, fista
            status = prox_loop(obj, &coef[0], max_iter, tol, lr, momentum, True, l1, positive,
                               &curve[0], &n_curve, &n_iter, verbose)
        elif kind == 5:
            status = lbfgs_loop(obj, &coef[0], max_iter, tol, memory,
                                &curve[0], &n_curve, &n_iter, verbose)
        elif kind == 7:
            status = sgd_loop(obj, &coef[0], max_iter, tol, lr, max(momentum, 0.0), l1,
                              batch_size, seed, epoch0, n_no_change, adaptive,
                              &curve[0], &n_curve, &n_iter, verbose)
        else:
            status = newton_loop(obj, &coef[0], max_iter, tol,
                                 &curve[0], &n_curve, &n_iter, verbose)
    if status == NO_MEMORY:
        raise MemoryError()
    if status == NO_HESSIAN:
        raise ValueError(
            f"solver='newton' could not form the Hessian at iteration {n_iter} (none was set, "
            "or the curvature is not finite there, e.g. a Huber scale driven to 0 by data "
            "that are fitted exactly); use solver='lbfgs'."
        )
    return np.asarray(coef), int(status), int(n_iter), curve_arr[:n_curve].copy()
