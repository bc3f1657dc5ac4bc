"""Numerical derivatives of user functions, compiled with numba.

Where differentiation lives:

* ``_derivatives`` -- the public calls (``derivative``, ``gradient``,
  ``jacobian``, ``hessian``): argument checks, step choice, dispatch;
  ``_hvp`` -- the same for ``hvp``.
* ``_user_function`` -- adapters that turn a user's callable (numba-jitted or
  plain Python, scalar or vectorised, real or complex-safe) into one calling
  convention.
* ``_stencils_first`` / ``_stencils_second`` -- the finite-difference stencils
  of one point (forward, central, complex step; Hessian and Hessian-vector).
* ``_batch`` -- compiled loops of a stencil over many points (parallel when
  there are enough of them); ``_vectorized`` -- the same for functions that
  take all points at once.
* ``_sparse_derivatives`` -- ``sparsity=`` for jacobian/hessian: compressed
  evaluation and recovery; ``_colouring`` -- the column (distance-2) and star
  colourings; ``_plans`` -- their cached per-pattern index arrays;
  ``_sparse_kernels`` -- the compiled compressed stencils; ``_sparsity`` --
  checks of the pattern argument.
* ``_steps`` -- step sizes; ``_richardson`` -- Richardson extrapolation;
  ``_check`` -- ``check_gradient``; ``_info`` -- ``DiffInfo``.
"""
from ._check import GradientCheck, check_gradient
from ._derivatives import derivative, gradient, hessian, jacobian
from ._hvp import hvp
from ._info import DiffInfo

__all__ = ["DiffInfo", "GradientCheck", "check_gradient", "derivative", "gradient", "hessian",
           "hvp", "jacobian"]
