"""Result containers returned with ``full_output=True``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class DiffInfo:
    """What a finite-difference call did.

    Attributes
    ----------
    method : str
        The method used.
    nfev : int
        Number of evaluations of the user function (or of ``grad``).
    step : ndarray
        The (largest) step used for each coordinate, shaped like ``x``.
    error : ndarray or None
        Estimated absolute error of every entry of the result (``"richardson"``
        only): a conservative bound made of the extrapolation's truncation
        estimate plus the rounding error.
    status : ndarray or None
        Per entry, 0 if the extrapolation converged to tolerance and 1 if it
        did not, in which case the best estimate is returned (``"richardson"`` only).
    levels : int or None
        Number of step sizes used by the extrapolation (``"richardson"`` only).
    groups : int or None
        Number of colour groups, i.e. perturbation directions per side of the
        stencil (sparse Jacobians, and sparse Hessians from ``grad``, only).
    """

    method: str
    nfev: int
    step: np.ndarray
    error: np.ndarray | None = None
    status: np.ndarray | None = None
    levels: int | None = None
    groups: int | None = None

    @property
    def converged(self) -> bool:
        """True unless some extrapolated entry missed its tolerance."""
        return self.status is None or not bool(np.any(self.status))
