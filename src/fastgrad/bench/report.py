"""``fastgrad bench --report DIR``: one HTML page, its PNG figures and the JSON.

The page is self-contained apart from the PNGs beside it (inline CSS, no
scripts, no network): the machine facts, a summary table with a row per
(case, reference), then per case its speed-up bars and details, then the
scaling plots.  Without matplotlib the tables are still written and the page
says what to install for the figures.
"""
from __future__ import annotations

import html
import json
import os
import re

from . import report_plots

#: the figure with every speed-up of the run
OVERVIEW = "overview.png"
INSTALL_HINT = "pip install matplotlib  (or: pip install 'fastgrad[plot]')"

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: #fff4d6; border: 1px solid #e0b84c; padding: 0.6em 1em; }
.error { color: #a00; }
.slower { color: #b04020; }
img { max-width: 100%; }
section.case { border-top: 1px solid #ddd; margin-top: 1em; }
"""


def slug(text):
    """A file-name and anchor-safe version of ``text``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def _e(value):
    return html.escape("" if value is None else str(value))


def _fmt_time(seconds):
    from fastgrad.cli import fmt_time

    return fmt_time(seconds)


def fmt_ratio(ratio):
    """``0.712x``, ``23.4x``, ``6270x``: three significant digits below 100, whole numbers above."""
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.3g}x"


def _ratio_cell(ref):
    if ref["ratio"] is None:
        return '<td class="num">-</td>'
    mark = " !" if ref.get("equal_objective") is False else ""
    cls = "num slower" if ref["ratio"] < 1 and ref.get("compare", True) else "num"
    return f'<td class="{cls}">{fmt_ratio(ref["ratio"])}{mark}</td>'


def _err(value):
    return "-" if value is None else f"{value:.1e}"


def _table(header, rows):
    head = "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>\n" if header else ""
    return f"<table>{head}" + "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows) + "</table>"


def _machine_section(report):
    m, env = report.get("machine", {}), report.get("environment", {})
    rows = [
        ("CPU", m.get("cpu")), ("architecture", m.get("architecture")),
        ("cores", f"{m.get('physical_cores') or '?'} physical, {m.get('logical_cores')} logical, "
                  f"{m.get('usable_cores')} usable by this process"),
        ("SIMD", ", ".join(m.get("simd", [])) or "-"),
        ("memory", f"{m.get('memory_gib')} GiB" if m.get("memory_gib") else "-"),
        ("load average", "{} (1, 5, 15 min, when the facts were read)".format(
            ", ".join(map(str, m["load_average"]))) if m.get("load_average") else "-"),
        ("OS", m.get("os")),
        ("numba", f"{env.get('numba_threads')} threads, threading layer {env.get('threading_layer')}, "
                  f"OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY')}"),
    ]
    bw = report.get("scaling", {}).get("memory_bandwidth_bytes_per_s")
    if bw:
        rows.append(("memory bandwidth", f"{bw / 1e9:.1f} GB/s (measured in this run: BLAS X @ v, 64 MiB)"))
    for p in m.get("blas", []):
        rows.append((f"thread pool ({p['user_api']})",
                     f"{p['api']} {p['version'] or ''} x{p['threads']} threads, {p['architecture'] or '-'} "
                     f"({p['library']})"))
    rows.append(("versions", ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())))
    return "<h2 id=\"machine\">Machine</h2>\n" + _table(
        None, [[f"<th>{_e(k)}</th>", f"<td>{_e(v)}</td>"] for k, v in rows])


def _summary_section(report):
    rows = []
    for case in report["cases"]:
        link = f'<td><a href="#{slug(case["name"])}">{_e(case["name"])}</a></td>'
        if "error" in case:
            rows.append([link, '<td class="error" colspan="5">FAILED</td>'])
            continue
        fg = case["fastgrad"]
        for ref in case["references"] or [None]:
            if ref is None:
                rows.append([link, f'<td class="num">{_fmt_time(fg["median_s"])}</td>', "<td>-</td>" * 4])
                continue
            rows.append([link, f'<td class="num">{_fmt_time(fg["median_s"])}</td>',
                         f"<td>{_e(ref['name'])}</td>", f'<td class="num">{_fmt_time(ref["median_s"])}</td>',
                         _ratio_cell(ref), f'<td class="num">{_err(ref["max_error"])}</td>'])
    return ("<h2 id=\"summary\">Summary</h2>\n<p>Median time per call; speed-up = reference time / fastgrad "
            "time, the calls interleaved in one run. <code>!</code>: not at equal final objective (does not "
            "count).</p>\n" + _table(["case", "fastgrad", "reference", "ref time", "speed-up", "ref err"], rows))


def _case_section(case, image):
    parts = [f'<section class="case" id="{slug(case["name"])}"><h3>{_e(case["name"])}</h3>']
    if "error" in case:
        parts.append(f'<p class="error">FAILED: {_e(case["error"])}</p></section>')
        return "\n".join(parts)
    parts.append(f"<p>{_e(case.get('description'))}</p>")
    if image:
        parts.append(f'<img src="{_e(image)}" alt="speed-up bars of {_e(case["name"])}">')
    fg = case["fastgrad"]
    rows = [["<td>fastgrad</td>", "<td></td>", f'<td class="num">{_fmt_time(fg["median_s"])}</td>',
             f'<td class="num">{_fmt_time(fg["first_call_s"])}</td>', '<td class="num">1</td>',
             f'<td class="num">{_err(fg["max_error"])}</td>']]
    for ref in case["references"]:
        timed = "" if ref["points_timed"] == ref["points"] else f" (timed on {ref['points_timed']} of {ref['points']})"
        rows.append([f"<td>{_e(ref['name'])}</td>", f"<td>{_e(ref['label'] + timed)}</td>",
                     f'<td class="num">{_fmt_time(ref["median_s"])}</td>',
                     f'<td class="num">{_fmt_time(ref["first_call_s"])}</td>', _ratio_cell(ref),
                     f'<td class="num">{_err(ref["max_error"])}</td>'])
    parts.append(_table(["implementation", "what", "median", "first call", "speed-up",
                         f"max error (vs {case['error_vs']})"], rows))
    if "first_call_over_steady" in case:
        parts.append(f"<p>The first (compiling) call takes {case['first_call_over_steady']:.0f} times a "
                     "steady-state call.</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _scaling_section(scaling, images):
    parts = ['<h2 id="scaling">Scaling</h2>']
    studies = scaling.get("studies", []) if scaling else []
    if not studies:
        parts.append("<p>No scaling study was run (none matches the filter).</p>")
        return "\n".join(parts)
    parts.append("<p>Time per call against the problem size, log-log (the fastest timed call, which load on a "
                 "shared machine disturbs least; the tables give fastest / median); dashed: the machine limit "
                 "measured in the same run (see each legend). Timed only: the agreement of results is checked "
                 "by the cases above.</p>")
    for study in studies:
        parts.append(f'<section class="case" id="{slug(study["name"])}"><h3>{_e(study["name"])}</h3>')
        if "error" in study:
            parts.append(f'<p class="error">FAILED: {_e(study["error"])}</p></section>')
            continue
        parts.append(f"<p>{_e(study['description'])}</p>")
        if images.get(study["name"]):
            parts.append(f'<img src="{_e(images[study["name"]])}" alt="scaling of {_e(study["name"])}">')
        rows = []
        for axis, points in study["sweeps"].items():
            for p in points:
                rows.append([f"<td>{axis}</td>", f'<td class="num">{p["n"]}</td>', f'<td class="num">{p["d"]}</td>']
                            + [f'<td class="num">{_fmt_time(p["min_s"][k])} / {_fmt_time(p["median_s"][k])}</td>'
                               for k in study["implementations"]]
                            + [f'<td class="num">{_fmt_time(p.get("limit_s"))}</td>'])
        parts.append(_table(["sweep", "n", "d", *study["implementations"], "limit"], rows))
        parts.append("</section>")
    return "\n".join(parts)


def _figures(report, outdir):
    """Draw every PNG; return ``({case name: file}, {study name: file})`` (empty without matplotlib)."""
    cases, studies = {}, {}
    if not report_plots.available():
        return cases, studies
    report_plots.overview_figure(report["cases"], os.path.join(outdir, OVERVIEW))
    cases[OVERVIEW] = OVERVIEW
    for i, case in enumerate(report["cases"]):
        if "error" in case:
            continue
        name = f"case-{i:02d}-{slug(case['name'])}.png"
        report_plots.speedup_figure(case, os.path.join(outdir, name))
        cases[case["name"]] = name
    for i, study in enumerate(report.get("scaling", {}).get("studies", [])):
        if "error" in study:
            continue
        name = f"scaling-{i:02d}-{slug(study['name'])}.png"
        report_plots.scaling_figure(study, os.path.join(outdir, name))
        studies[study["name"]] = name
    return cases, studies


def render_html(report, case_images, study_images, *, plots=True):
    """The page as a string."""
    title = f"fastgrad bench report ({report['mode']}, {report['created']})"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{_e(title)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>{_e(title)}</h1>",
             f"<p>{len(report['cases'])} cases; data: <a href=\"results.json\">results.json</a>. "
             f"Command: <code>{_e(report.get('command', 'fastgrad bench'))}</code></p>"]
    if not plots:
        parts.append(f'<p class="notice">The figures need matplotlib, which is not installed: '
                     f"<code>{_e(INSTALL_HINT)}</code>, then run the command again.</p>")
    parts += [_machine_section(report), _summary_section(report)]
    if OVERVIEW in case_images:
        parts.append(f'<img src="{OVERVIEW}" alt="every speed-up of the run">')
    parts.append('<h2 id="cases">Cases</h2>')
    parts += [_case_section(c, case_images.get(c["name"])) for c in report["cases"]]
    parts.append(_scaling_section(report.get("scaling"), study_images))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def markdown_summary(report, figures=()):
    """A Markdown results section (machine, date, one row per case and reference, ``figures``).

    For a README: ``figures`` are ``(path, caption)`` pairs to embed below the table.
    """
    m, env = report.get("machine", {}), report.get("environment", {})
    blas = ", ".join(f"{p['api']} {p['version'] or ''}".strip() for p in m.get("blas", []) if p["user_api"] == "blas")
    lines = [
        f"Measured on {report['created'][:10]} with `{report.get('command', 'fastgrad bench')}` "
        f"({report['mode']} mode): {m.get('cpu', env.get('machine'))}, {m.get('usable_cores', '?')} usable cores, "
        f"{m.get('memory_gib', '?')} GiB, {m.get('os', env.get('platform'))}"
        + (f", load average {m['load_average'][1]} (5 min)" if m.get("load_average") else "")
        + f"; BLAS {blas or '?'}; "
        f"numba {env.get('numba_threads')} threads ({env.get('threading_layer')}); "
        f"fastgrad {env.get('fastgrad')}, numpy {env.get('numpy')}, numba {env.get('numba')}, "
        f"scikit-learn {m.get('versions', {}).get('scikit-learn', '?')}.",
        "",
        "Speed-up = reference time / fastgrad time (median per call, calls interleaved in one run); "
        "`!` = not at equal final objective (does not count); `*` = reference timed on a subset of the "
        "points and scaled per point.",
        "",
        "| case | fastgrad | speed-up against each reference |",
        "|---|---:|---|",
    ]
    for case in report["cases"]:
        if "error" in case:
            lines.append(f"| `{case['name']}` | FAILED | |")
            continue
        ratios = []
        for ref in case["references"]:
            if not ref.get("compare", True) or ref["ratio"] is None:
                continue  # yardsticks and first-call cases belong to the full report
            sub = "*" if ref["points_timed"] < ref["points"] else ""
            bad = " !" if ref.get("equal_objective") is False else ""
            ratios.append(f"{ref['name']}{sub} {fmt_ratio(ref['ratio'])}{bad}")
        if ratios:
            lines.append(f"| `{case['name']}` | {_fmt_time(case['fastgrad']['median_s'])} | {', '.join(ratios)} |")
    for path, caption in figures:
        lines += ["", f"![{caption}]({path})"]
    return "\n".join(lines) + "\n"


def write_report(report, outdir):
    """Write ``index.html``, ``results.json``, ``summary.md`` and the PNGs into ``outdir``; return the page's path."""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
    plots = report_plots.available()
    case_images, study_images = _figures(report, outdir)
    with open(os.path.join(outdir, "summary.md"), "w", encoding="utf-8") as fh:
        fh.write(markdown_summary(report))
    path = os.path.join(outdir, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_html(report, case_images, study_images, plots=plots))
    return path
