"""Codes shared by the optimisation loops and their Python wrapper.

``ip`` / ``fp`` are the integer and float parameters shared by all loops,
indexed by the ``IP_*`` / ``FP_*`` constants (numba folds module-level
integers into constants); ``counts`` is the per-start output of a loop,
indexed by ``C_*``; the status codes are translated to messages by
:mod:`fastgrad.optimize._result`.
"""
# integer parameters
IP_MAXITER, IP_MAXLS, IP_MEMORY, IP_FDMODE, IP_LSKIND, IP_VARIANT = 0, 1, 2, 3, 4, 5
# IP_AUTOSTEP = 1: the fixed-step loops scale lr by FP_STEPFACTOR / L, with L
# the curvature estimate of their ``hf`` piece at the start
IP_AUTOSTEP = 6
N_IP = 7
LS_KIND_NONE, LS_KIND_BACKTRACKING, LS_KIND_WOLFE = 0, 1, 2
# float parameters
FP_TOL, FP_MOMENTUM, FP_C1, FP_C2, FP_FDSTEP, FP_HSTEP, FP_EXPLODE, FP_STEPFACTOR = 0, 1, 2, 3, 4, 5, 6, 7
N_FP = 8
# Bounded runs append the box to fp: fp[N_FP:N_FP + d] is the lower bound and
# fp[N_FP + d:N_FP + 2 d] the upper one (+-inf where a side is open); the
# projected loops and search read them there (fastgrad.optimize._loops.box).
# per-start counters written by the loops
C_STATUS, C_NIT, C_NFEV, C_NJEV, C_NHEV, C_NMOD = 0, 1, 2, 3, 4, 5
N_COUNTS = 6

# loop status codes (translated to messages by fastgrad.optimize._result)
CONVERGED, MAX_ITER, DIVERGED, LS_FAILED, BAD_GRAD, CALLBACK_STOP, BAD_HESS = 0, 1, 2, 3, 4, 5, 6

VG_BAD_F, VG_BAD_G = 1, 2
# line search statuses (see fastgrad.optimize._loops.line_search)
LS_OK, LS_NO_STEP, LS_BAD_F, LS_BAD_G = 0, 1, 2, 3
