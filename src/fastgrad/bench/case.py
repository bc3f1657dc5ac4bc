"""What a benchmark case is: :class:`Case` (one job) and :class:`Reference`
(one other way of doing it), plus :func:`available` for optional references.

Data sizes come in three flavours, chosen by the ``size`` argument of
``Case.setup``: ``"full"`` (the sizes the targets are stated for),
``"quick"`` (``fastgrad bench --quick``; same sizes except the squared-loss
data, but slow Python-loop references are timed on a subset of the points)
and ``"tiny"`` (a handful of points, for the tests).  All data is seeded.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Reference:
    """Another implementation of a case's job.

    Parameters
    ----------
    func : callable
        ``func(data) -> ndarray``, the same quantity as the case's ``fastgrad``.
    label : str
        What it is, shown in ``--list`` and stored in the JSON report.
    subset : int, optional
        For a Python loop over the points: in quick mode and in the
        pytest-benchmark suite it is timed on only this many points and its
        time is scaled to the whole batch (time per point x points).
    rtol, atol : float, optional
        How closely fastgrad must agree with this reference in the tests
        (default: the case's tolerances).
    compare : bool
        False for a yardstick that does a different job at a comparable
        cost (e.g. one read of X for memory bandwidth): timed, not compared.
    """

    func: Callable
    label: str = ""
    subset: int | None = None
    rtol: float | None = None
    atol: float | None = None
    compare: bool = True


@dataclass
class Case:
    """One benchmarked job: fastgrad versus its references.

    Parameters
    ----------
    name : str
        Unique, readable, stable across sizes (``--filter`` matches it).
    group : str
        The kind of job ("gradient", "hessian", ...).
    setup : callable
        ``setup(size) -> dict`` with ``size`` in ``{"full", "quick", "tiny"}``.
    fastgrad : callable
        ``fastgrad(data) -> ndarray``.
    references : dict
        Name -> :class:`Reference` (a bare callable is wrapped in one).
    truth : callable, optional
        ``truth(data) -> ndarray``, the analytic answer errors are measured
        against.  Without it, errors are measured against the ``"numpy"``
        reference.
    rtol, atol : float
        Tolerance of fastgrad's result against ``truth`` (tests).
    point_keys : tuple of str
        Entries of ``data`` whose first axis runs over the points (they are
        sliced when a reference runs on a subset); empty for cases that are
        not batches.
    first_call : bool
        Time the first (compiling) call: every timed call of ``fastgrad``
        builds a fresh jitted function, and the references give the
        steady-state time for comparison.
    description : str
        One line for ``--list`` and the JSON report.
    objective : callable, optional
        ``objective(data, out) -> float``, the value a fit case minimises, at
        any implementation's result ``out``.  With it, the runner records
        every result's objective and its relative gap to fastgrad's, and
        the speed-ups only count when every compared reference is within
        ``objective_rtol`` of fastgrad (equal final objective).
    objective_rtol : float
        Largest accepted ``|f_ref - f_fastgrad| / |f_fastgrad|``.
    certificate : callable, optional
        ``certificate(data, out) -> float``, an accuracy every result is
        checked with by one independent function (e.g. the relative duality
        gap of a Lasso fit); recorded for fastgrad and every reference, next
        to ``certificate_max``, the value the case promises.
    certificate_max : float
        The largest certificate the case's tolerances are chosen to reach.
    """

    name: str
    group: str
    setup: Callable[[str], dict]
    fastgrad: Callable[[dict], np.ndarray]
    references: dict = field(default_factory=dict)
    truth: Callable | None = None
    rtol: float = 1e-7
    atol: float = 1e-6
    point_keys: tuple = ("X",)
    first_call: bool = False
    description: str = ""
    objective: Callable | None = None
    objective_rtol: float = 1e-10
    certificate: Callable | None = None
    certificate_max: float | None = None

    def __post_init__(self):
        self.references = {
            k: r if isinstance(r, Reference) else Reference(r) for k, r in self.references.items()
        }

    def n_points(self, data: dict) -> int:
        """Number of points in the batch (1 for non-batch cases)."""
        return len(data[self.point_keys[0]]) if self.point_keys else 1

    def take(self, data: dict, k: int) -> dict:
        """The data restricted to the first ``k`` points."""
        return {key: (v[:k] if key in self.point_keys else v) for key, v in data.items()}

    def tolerance(self, ref_name: str) -> tuple[float, float]:
        """``(rtol, atol)`` for fastgrad against reference ``ref_name``."""
        ref = self.references[ref_name]
        return (self.rtol if ref.rtol is None else ref.rtol, self.atol if ref.atol is None else ref.atol)

    @staticmethod
    def objective_gap(f_ref: float, f_fastgrad: float) -> float:
        """``(f_ref - f_fastgrad) / |f_fastgrad|``: positive when the reference ended higher."""
        return (f_ref - f_fastgrad) / max(abs(f_fastgrad), np.finfo(np.float64).tiny)


# --------------------------------------------------------------------- helpers


def available(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
