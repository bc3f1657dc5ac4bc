"""Learning-rate schedules for :func:`fastgrad.minimize`.

A schedule maps the iteration number ``t = 0, 1, ...`` to a learning rate.
``minimize`` evaluates it once for every iteration before the loop starts,
so the compiled loops just read an array and any Python callable of ``t``
works as a schedule too.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


class Schedule:
    """Base class: subclasses define ``values(t)`` for an integer array ``t``."""

    def values(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, t):
        return float(self.values(np.asarray([t]))[0])


@dataclass(frozen=True)
class Constant(Schedule):
    """``lr`` at every iteration.

    Examples
    --------
    >>> from fastgrad import Constant
    >>> Constant(0.1)(5)
    0.1
    """

    lr: float

    def __post_init__(self):
        _positive(self.lr, "lr")

    def values(self, t):
        return np.full(len(t), float(self.lr))


@dataclass(frozen=True)
class InverseScaling(Schedule):
    """``lr / (1 + decay * t) ** power``.

    Examples
    --------
    >>> from fastgrad import InverseScaling
    >>> InverseScaling(1.0, decay=1.0, power=1.0)(3)
    0.25
    """

    lr: float
    decay: float = 1.0
    power: float = 0.5

    def __post_init__(self):
        _positive(self.lr, "lr")
        _positive(self.decay, "decay")
        _positive(self.power, "power")

    def values(self, t):
        return self.lr / (1.0 + self.decay * t) ** self.power


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """``lr * rate ** t`` with ``0 < rate <= 1``.

    Examples
    --------
    >>> from fastgrad import ExponentialDecay
    >>> ExponentialDecay(1.0, rate=0.5)(2)
    0.25
    """

    lr: float
    rate: float = 0.99

    def __post_init__(self):
        _positive(self.lr, "lr")
        if not (_positive(self.rate, "rate") <= 1.0):
            raise ValueError(f"rate must be in (0, 1], got {self.rate!r}.")

    def values(self, t):
        return self.lr * self.rate ** np.asarray(t, dtype=float)


@dataclass(frozen=True)
class StepDecay(Schedule):
    """``lr * factor ** (t // every)``: multiply by ``factor`` every ``every`` iterations.

    Examples
    --------
    >>> from fastgrad import StepDecay
    >>> [StepDecay(1.0, factor=0.1, every=10)(t) for t in (9, 10)]
    [1.0, 0.1]
    """

    lr: float
    factor: float = 0.5
    every: int = 100

    def __post_init__(self):
        _positive(self.lr, "lr")
        if not (_positive(self.factor, "factor") <= 1.0):
            raise ValueError(f"factor must be in (0, 1], got {self.factor!r}.")
        if isinstance(self.every, bool) or not isinstance(self.every, numbers.Integral) or self.every < 1:
            raise ValueError(f"every must be an integer >= 1, got {self.every!r}.")

    def values(self, t):
        return self.lr * self.factor ** (np.asarray(t) // self.every).astype(float)


@dataclass(frozen=True)
class Cosine(Schedule):
    """Cosine annealing from ``lr`` to ``lr_min`` over ``period`` iterations, then ``lr_min``.

    ``lr_min`` defaults to ``lr / 100``: ``minimize`` needs a positive rate at
    every iteration, and runs often last longer than one period.  Pass
    ``lr_min=0`` only with ``max_iter <= period``.

    Examples
    --------
    >>> from fastgrad import Cosine
    >>> s = Cosine(1.0, period=10, lr_min=0.0)
    >>> s(0), round(s(5), 12), s(10), s(20)
    (1.0, 0.5, 0.0, 0.0)
    >>> Cosine(0.5).lr_min
    0.005
    """

    lr: float
    period: int = 1000
    lr_min: float | None = None

    def __post_init__(self):
        _positive(self.lr, "lr")
        if self.lr_min is None:
            object.__setattr__(self, "lr_min", self.lr / 100.0)
        if isinstance(self.period, bool) or not isinstance(self.period, numbers.Integral) or self.period < 1:
            raise ValueError(f"period must be an integer >= 1, got {self.period!r}.")
        if not (isinstance(self.lr_min, numbers.Real) and 0 <= self.lr_min <= self.lr):
            raise ValueError(f"lr_min must be in [0, lr], got {self.lr_min!r}.")

    def values(self, t):
        frac = np.minimum(np.asarray(t, dtype=float), self.period) / self.period
        return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1.0 + np.cos(np.pi * frac))


def learning_rates(learning_rate, n: int, name: str = "learning_rate") -> np.ndarray:
    """The learning rate of each of ``n`` iterations, validated.

    ``learning_rate`` is a positive number, a :class:`Schedule`, or a callable
    ``t -> rate``.  Every rate must be finite and > 0.
    """
    if isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, bool):
        return np.full(max(n, 1), _positive(learning_rate, name))
    t = np.arange(max(n, 1))
    if isinstance(learning_rate, Schedule):
        lr = np.asarray(learning_rate.values(t), dtype=float)
    elif callable(learning_rate):
        try:
            lr = np.array([float(learning_rate(int(k))) for k in t])
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}, a callable, must map the iteration number t to a number: {exc}") from None
    else:
        raise TypeError(
            f"{name} must be a positive number, a schedule (fastgrad.Constant, InverseScaling, "
            f"ExponentialDecay, StepDecay, Cosine) or a callable of the iteration; got "
            f"{type(learning_rate).__name__}."
        )
    bad = np.flatnonzero(~(np.isfinite(lr) & (lr > 0)))
    if bad.size:
        k = int(bad[0])
        raise ValueError(
            f"{name} must be finite and > 0 at every iteration, but at t={k} it is {float(lr[k])!r}; "
            "give the schedule a positive floor (e.g. lr_min > 0) or lower max_iter."
        )
    return np.ascontiguousarray(lr)
