"""The optimisation loops, compiled by numba as one function per method.

* ``run`` -- builds and caches the compiled loop for a (method, function,
  line search) combination and runs it over the starting points.
* ``first_order`` (gd, momentum, Nesterov), ``quasi_newton`` (BFGS, L-BFGS,
  CG), ``newton`` -- the loops; ``line_search`` -- Wolfe and backtracking
  searches; ``vector`` -- small vector kernels the loops share;
  ``adapters`` -- value-and-gradient / Hessian adapters of the user function;
  ``codes`` -- status codes and the layout of the parameter arrays.
"""
