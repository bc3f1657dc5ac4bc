"""The figures of ``fastgrad bench --report``: speed-up bars and scaling plots.

matplotlib is optional: this module imports it only inside the functions
(the Agg canvas, never a display), and :func:`available` says whether it can.
"""
from __future__ import annotations

#: colours: fastgrad faster, slower, and a yardstick (timed, not compared)
FASTER, SLOWER, YARDSTICK = "#2a7ab9", "#d1603d", "#9a9a9a"


def available() -> bool:
    """Whether matplotlib imports (a broken installation counts as missing)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # off-screen
    return fig


def speedup_figure(case, path):
    """Bars of reference time / fastgrad time, one per reference, log scale; saved to ``path``.

    Bars right of 1 mean fastgrad is faster.  A yardstick (``compare`` False)
    is grey; a result not at equal objective is hatched and labelled ``!``.
    A first-call case has no ratios: its bars are the times themselves.
    """
    refs = case["references"]
    fig = _figure(7.0, 0.9 + 0.45 * max(1, len(refs) + (1 if case.get("first_call_over_steady") else 0)))
    ax = fig.subplots()
    if refs and all(r["ratio"] is not None for r in refs):
        values = [r["ratio"] for r in refs]
        colours = [YARDSTICK if not r.get("compare", True) else FASTER if v >= 1 else SLOWER
                   for r, v in zip(refs, values)]
        bars = ax.barh([r["name"] for r in refs], values, color=colours)
        for bar, r, v in zip(bars, refs, values):
            if r.get("equal_objective") is False:
                bar.set_hatch("//")
            mark = " !" if r.get("equal_objective") is False else ""
            text = f"{v:.0f}" if v >= 100 else f"{v:.3g}"
            ax.annotate(f" {text}x{mark}", (v, bar.get_y() + bar.get_height() / 2), va="center", fontsize=8)
        ax.axvline(1.0, color="k", linewidth=0.8)
        ax.set_xscale("log")
        lo, hi = min(values + [1.0]), max(values + [1.0])
        ax.set_xlim(lo / 2.0, hi * 4.0)  # room for the labels
        ax.set_xlabel("speed-up: reference time / fastgrad time (log; > 1: fastgrad faster)")
    else:
        names = ["fastgrad (first call)" if case.get("first_call_over_steady") else "fastgrad"]
        names += [r["name"] for r in refs]
        times = [case["fastgrad"]["median_s"]] + [r["median_s"] for r in refs]
        ax.barh(names, times, color=[SLOWER] + [FASTER] * len(refs))
        ax.set_xscale("log")
        ax.set_xlabel("seconds per call (log)")
    ax.invert_yaxis()  # first reference on top, as in the tables
    ax.set_title(case["name"], fontsize=9)
    ax.tick_params(labelsize=8)
    fig.savefig(path, format="png", dpi=90)


def overview_figure(cases, path):
    """One bar per (case, reference) with a ratio: every speed-up of the run on one log axis."""
    rows = [(c["name"], r) for c in cases if "error" not in c for r in c["references"]
            if r["ratio"] is not None and r.get("compare", True)]
    fig = _figure(9.0, 1.2 + 0.22 * max(1, len(rows)))
    ax = fig.subplots()
    if rows:
        values = [r["ratio"] for _, r in rows]
        colours = [FASTER if v >= 1 else SLOWER for v in values]
        bars = ax.barh([f"{name}  vs {r['name']}" for name, r in rows], values, color=colours)
        for bar, (_, r) in zip(bars, rows):
            if r.get("equal_objective") is False:
                bar.set_hatch("//")
        ax.axvline(1.0, color="k", linewidth=0.8)
        ax.set_xscale("log")
        ax.invert_yaxis()
    ax.set_xlabel("speed-up: reference time / fastgrad time (log; > 1: fastgrad faster)")
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(True, axis="x", which="both", alpha=0.3)
    fig.savefig(path, format="png", dpi=90)


def scaling_figure(study, path):
    """One log-log panel per sweep (time against n, against d), the limit dashed; saved to ``path``."""
    from matplotlib.ticker import NullLocator

    sweeps = study["sweeps"]
    fig = _figure(5.0 * len(sweeps), 3.8)
    axes = fig.subplots(1, len(sweeps), squeeze=False)[0]
    for ax, (axis, points) in zip(axes, sweeps.items()):
        x = [p[axis] for p in points]
        fixed = "d" if axis == "n" else "n"
        for name in study["implementations"]:
            ax.plot(x, [p["min_s"][name] for p in points], "o-", label=name,
                    linewidth=2.0 if name == "fastgrad" else 1.2)
        if points and "limit_s" in points[0]:
            ax.plot(x, [p["limit_s"] for p in points], "k--", label=study["limit_label"])
        ax.set(xscale="log", yscale="log", xlabel=f"{axis} ({study['units'][axis]})", ylabel="seconds per call (fastest timed call)",
               title=f"against {axis} ({fixed} = {points[0][fixed] if points else '-'})")
        # the measured sizes as the x ticks, in plain numbers
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(study["name"], fontsize=10)
    fig.savefig(path, format="png", dpi=90)
