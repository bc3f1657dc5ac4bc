"""Plots of optimisation runs and of critical points (needs matplotlib).

matplotlib is an optional dependency (``pip install "fastgrad[plot]"``) and
is imported only when a function here is called.
"""
from __future__ import annotations

import numpy as np

#: marker and colour for each kind of critical point
KIND_STYLE = {
    "minimum": ("o", "tab:blue"),
    "maximum": ("^", "tab:red"),
    "saddle": ("X", "tab:green"),
    "degenerate": ("s", "tab:gray"),
}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("fastgrad.plot needs matplotlib: pip install 'fastgrad[plot]' "
                          "(or pip install matplotlib).") from None
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    return ax


def convergence(results, labels=None, *, quantity="fun", ax=None, log=True):
    """Convergence curves of several :func:`fastgrad.minimize` results on one axes.

    Parameters
    ----------
    results : OptimizeResult or sequence of them
        Results with a ``history`` (the default of ``minimize``).
    labels : sequence of str, optional
        Legend entries (default: each result's method).
    quantity : {"fun", "grad_norm", "step_size"}
        What to plot against the iteration number.  For ``"fun"`` on a log
        scale, ``f - min(f)`` over all curves is plotted (plus a tiny offset),
        so that curves approaching a negative minimum stay visible.
    ax : matplotlib Axes, optional
    log : bool
        Logarithmic y axis.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import fastgrad, fastgrad.plot
    >>> f = lambda x: (x[0] - 1) ** 2 + 10 * x[1] ** 2
    >>> runs = [fastgrad.minimize(f, [0.0, 1.0], method=m) for m in ("bfgs", "cg")]
    >>> ax = fastgrad.plot.convergence(runs, quantity="grad_norm")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['bfgs', 'cg']
    """
    if isinstance(results, dict):
        results = [results]
    results = list(results)
    if quantity not in ("fun", "grad_norm", "step_size"):
        raise ValueError(f"quantity must be 'fun', 'grad_norm' or 'step_size', got {quantity!r}.")
    if labels is not None and len(labels) != len(results):
        raise ValueError(f"labels has {len(labels)} entries for {len(results)} results.")
    for i, r in enumerate(results):
        if r.get("history") is None:
            raise ValueError(f"results[{i}] has no history; run minimize with history=True.")
    ax = _axes(ax)
    curves = [np.asarray(getattr(r.history, quantity), dtype=float) for r in results]
    ylabel = {"fun": "objective", "grad_norm": "gradient norm (max |g_i|)", "step_size": "step size"}[quantity]
    if quantity == "fun" and log:
        low = min(float(np.nanmin(c)) for c in curves)
        curves = [c - low + 1e-300 for c in curves]
        ylabel = "objective - best value"
    for i, (r, c) in enumerate(zip(results, curves)):
        ax.plot(np.arange(len(c)), c, label=labels[i] if labels is not None else r.get("method", f"run {i}"))
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def critical_points(f, bounds, points=None, *, ax=None, resolution=200, levels=30, args=()):
    """Contours of a function of two variables with its critical points marked by kind.

    Parameters
    ----------
    f : callable
        ``f(x, *args)`` with ``x`` of shape ``(2,)``.
    bounds : array_like, shape (2, 2)
        ``[(xmin, xmax), (ymin, ymax)]``.
    points : list of CriticalPoint, optional
        Default: ``fastgrad.critical_points(f, bounds, args=args)``.
    ax : matplotlib Axes, optional
    resolution : int
        Grid points per axis for the contours.
    levels : int
        Number of contour levels.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import fastgrad.plot
    >>> ax = fastgrad.plot.critical_points(lambda p: p[0] ** 3 - 3 * p[0] + p[1] ** 2, [(-2, 2), (-2, 2)])
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())
    ['minimum', 'saddle']
    """
    from fastgrad.calculus._critical_points import _check_bounds
    from fastgrad.calculus._critical_points import critical_points as find

    B = _check_bounds(bounds)
    if B.shape[0] != 2:
        raise ValueError(f"critical_points plots need a function of two variables, got bounds for {B.shape[0]}.")
    if points is None:
        points = find(f, B, args=args)
    ax = _axes(ax)
    xs = np.linspace(B[0, 0], B[0, 1], resolution)
    ys = np.linspace(B[1, 0], B[1, 1], resolution)
    Xg, Yg = np.meshgrid(xs, ys)
    Z = np.array([f(np.array([x, y]), *args) for x, y in zip(Xg.ravel(), Yg.ravel())]).reshape(Xg.shape)
    cs = ax.contour(Xg, Yg, Z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.figure.colorbar(cs, ax=ax)
    for kind, (marker, color) in KIND_STYLE.items():
        pts = np.array([p.x for p in points if p.kind == kind]).reshape(-1, 2)
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], marker=marker, color=color, s=80, edgecolor="black",
                       zorder=3, label=kind)
    if points:
        ax.legend()
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax
