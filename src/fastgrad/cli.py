"""The ``fastgrad`` command line.

``fastgrad bench`` times fastgrad against its references (see
:mod:`fastgrad.bench.cases`) and prints one row per (case, reference);
``fastgrad bench --stalls`` probes the threading layer for stalls in fresh
processes; ``fastgrad bench --startup`` times the import and first calls in
fresh processes, with an empty and with a filled compile cache;
``fastgrad bench --report DIR`` adds scaling runs and writes an HTML report
(:mod:`fastgrad.bench.report`).
"""
from __future__ import annotations

import argparse
import json
import sys

DEFAULT_PROCESSES = 20


def _parser():
    parser = argparse.ArgumentParser(prog="fastgrad", description="fastgrad command line tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench = sub.add_parser(
        "bench", help="benchmark fastgrad against reference implementations",
        description="Time fastgrad and its references in the same run and report speed-up ratios "
                    "(reference time / fastgrad time) and maximum errors.")
    bench.add_argument("--quick", action="store_true",
                       help="short time budget, smaller squared-loss data, slow Python-loop references "
                            "timed on a subset of the points (per-point scaled)")
    bench.add_argument("--json", metavar="FILE", help="also write the full results as JSON to FILE")
    bench.add_argument("--filter", metavar="SUBSTRING", help="only cases whose name contains SUBSTRING")
    bench.add_argument("--list", action="store_true", help="list the cases and their references, then exit")
    bench.add_argument("--report", metavar="DIR",
                       help="also run the scaling studies (time against n and d) and write an HTML report "
                            "with its figures (PNG, needs matplotlib) and the JSON into DIR")
    bench.add_argument("--stalls", action="store_true",
                       help="threading stall probe: time gradient calls right after BLAS calls in fresh processes")
    bench.add_argument("--startup", action="store_true",
                       help="start-up probe: import and first-call times in fresh processes, cold and warm "
                            "compile cache (with --quick: fewer jobs)")
    bench.add_argument("--processes", type=int, metavar="N",
                       help=f"number of processes for --stalls (default {DEFAULT_PROCESSES})")
    return parser


# ---------------------------------------------------------------- formatting


def fmt_time(seconds):
    """``1.23 ms`` style, or ``-``."""
    if seconds is None:
        return "-"
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def fmt_ratio(ratio):
    """``23.4x``, or ``-``."""
    return "-" if ratio is None else f"{ratio:.1f}x"


def fmt_err(err):
    return "-" if err is None else f"{err:.1e}"


def _table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    right = {1, 3, 4, 5}  # time and ratio columns
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [str(x).rjust(w) if i in right else str(x).ljust(w) for i, (x, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def bench_table(report):
    """The results table plus footnotes, as text."""
    header = ["case", "fastgrad", "reference", "ref time", "speed-up", "(of min)", "err vs", "fastgrad err",
              "ref err"]
    rows, notes = [], []
    for case in report["cases"]:
        if "error" in case:
            rows.append([case["name"], "FAILED", "", "", "", "", "", "", ""])
            notes.append(f"{case['name']}: {case['error']}")
            continue
        fg = case["fastgrad"]
        for ref in case["references"] or [None]:
            if ref is None:
                rows.append([case["name"], fmt_time(fg["median_s"]), "-", "-", "-", "-", case["error_vs"],
                             fmt_err(fg["max_error"]), "-"])
                continue
            mark = "*" if ref["points_timed"] < ref["points"] else ""
            unequal = "!" if ref.get("equal_objective") is False else ""
            rows.append([case["name"], fmt_time(fg["median_s"]), ref["name"] + mark, fmt_time(ref["median_s"]),
                         fmt_ratio(ref["ratio"]) + unequal, fmt_ratio(ref["ratio_of_min"]) + unequal,
                         case["error_vs"], fmt_err(fg["max_error"]), fmt_err(ref["max_error"])])
            if mark:
                notes.append(f"* {case['name']} / {ref['name']}: timed on {ref['points_timed']} of "
                             f"{ref['points']} points; time shown = time per point x {ref['points']}")
        if "equal_objective" in case:
            notes.append(objective_note(case))
        if "first_call_over_steady" in case:
            notes.append(f"{case['name']}: the first call (compiling) took {fmt_time(fg['median_s'])}, "
                         f"{case['first_call_over_steady']:.0f} times a steady-state call")
    env = report["environment"]
    lines = [
        f"fastgrad {env['fastgrad']} | numpy {env['numpy']} | numba {env['numba']} "
        f"({env['numba_threads']} threads, layer {env['threading_layer']}) | mode {report['mode']}",
        "times: median per call; speed-up = reference time / fastgrad time, calls interleaved in one run "
        "((of min): the same with the fastest calls);",
        "errors: max |value - truth| (err vs: analytic derivatives, or the numpy reference)",
        "",
        _table(header, rows),
    ]
    if notes:
        lines += [""] + notes
    return "\n".join(lines)


def objective_note(case):
    """One footnote: fastgrad's final objective and each reference's relative gap to it."""
    gaps = ", ".join(f"{r['name']} {'-' if r['objective_gap'] is None else format(r['objective_gap'], '+.1e')}"
                     + (" (yardstick, not held to it)" if r.get("equal_objective") is None
                        and r["objective_gap"] is not None else "")
                     for r in case["references"])
    verdict = ("all compared results within" if case["equal_objective"] else
               "! NOT at equal objective (speed-ups marked ! do not count): limit")
    return (f"{case['name']}: final objective {case['fastgrad']['objective']:.12g} (fastgrad); "
            f"relative gap of {gaps}; {verdict} {case['objective_rtol']:.0e}")


def stalls_text(result, parent_layer):
    s = result["summary"]
    lines = [f"threading layer (this process): {parent_layer}",
             "process   layer       first call   quiet median   after-BLAS median   after-BLAS max   max/median"]
    for i, rec in enumerate(result["processes"], 1):
        if "error" in rec:
            lines.append(f"{i:7d}   FAILED: {rec['error']}")
            continue
        q, b = rec["quiet"], rec["after_blas"]
        lines.append(f"{i:7d}   {rec['threading_layer']:<10}  {fmt_time(rec['first_call_s']):>10}   "
                     f"{fmt_time(q['median_s']):>12}   {fmt_time(b['median_s']):>17}   "
                     f"{fmt_time(b['max_s']):>14}   {b['max_over_median']:9.1f}")
    if "median_s" in s:
        lines += ["", f"all {s['calls']} calls after a BLAS call: median {fmt_time(s['median_s'])}, "
                      f"max {fmt_time(s['max_s'])}, max/median {s['max_over_median']:.1f}, "
                      f"{s['calls_over_2x_median']} calls over 2x the median "
                      f"(quiet median {fmt_time(s['quiet_median_s'])}); layers {', '.join(s['threading_layers'])}"]
    if s["failed"]:
        lines.append(f"{s['failed']} of {s['processes']} processes failed")
    return "\n".join(lines)


# ------------------------------------------------------------------ commands


def _write_json(path, payload):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2)
        fh.write("\n")


def _bench(args):
    from fastgrad.bench import cases as registry
    from fastgrad.bench import runner

    if args.stalls:
        from fastgrad._config import threading_layer

        result = runner.run_stalls(args.processes or DEFAULT_PROCESSES)
        layer = threading_layer()
        result["summary"]["parent_threading_layer"] = layer
        print(stalls_text(result, layer))
        if args.json:
            _write_json(args.json, result)
        return 1 if result["summary"]["failed"] else 0

    if args.startup:
        from fastgrad.bench import startup

        result = startup.run_startup(quick=args.quick)
        print(startup.startup_text(result, fmt_time))
        if args.json:
            _write_json(args.json, result)
        return 1 if result["summary"]["failed"] else 0

    selected = registry.select(registry.build_cases(), args.filter)
    if not selected:
        print(f"fastgrad bench: no case name contains {args.filter!r} (see --list)", file=sys.stderr)
        return 1
    if args.list:
        for case in selected:
            print(f"{case.name}\n    {case.description}")
            for name, ref in case.references.items():
                sub = f" [quick: timed on {ref.subset} points]" if ref.subset else ""
                print(f"    - {name}: {ref.label}{sub}")
        return 0
    mode = "quick" if args.quick else "full"
    report = runner.run_all(selected, mode)
    failed = any("error" in c or c.get("equal_objective") is False for c in report["cases"])
    if args.report:
        failed = _add_report_parts(report, args, mode) or failed
    print(bench_table(report))
    if args.json:
        _write_json(args.json, report)
    if args.report:
        from fastgrad.bench.report import write_report

        print(f"report: {write_report(report, args.report)}")
    # a case or scaling study that failed, or a fit case whose results reached different objectives
    return 1 if failed else 0


def _add_report_parts(report, args, mode):
    """Run the scaling studies matching ``--filter`` and add them and the machine facts to ``report``.

    Returns whether a study failed.
    """
    from fastgrad.bench import scaling
    from fastgrad.bench.machine import machine_facts

    studies = scaling.select(scaling.build_studies(), args.filter)
    report["scaling"] = scaling.run_studies(studies, mode)
    report["machine"] = machine_facts()
    report["command"] = " ".join(["fastgrad bench"] + (["--quick"] if args.quick else [])
                                 + ([f"--filter {args.filter}"] if args.filter else []))
    return any("error" in s for s in report["scaling"]["studies"])


def main(argv=None):
    """Entry point of the ``fastgrad`` command; returns the exit code.

    Examples
    --------
    >>> from fastgrad.cli import main
    >>> main(["bench", "--list", "--filter", "single-point"])  # doctest: +ELLIPSIS
    gradient/central/rosen10/single-point
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.startup and args.stalls:
        parser.error("--startup and --stalls are separate probes; run one at a time")
    if args.processes is not None and not args.stalls:
        parser.error("--processes only applies to --stalls")
    if args.processes is not None and args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.report is not None and (args.stalls or args.startup or args.list):
        parser.error("--report applies to a timing run, not to --stalls, --startup or --list")
    if args.command == "bench":
        return _bench(args)
    return 2  # unreachable: argparse requires a known command


if __name__ == "__main__":
    sys.exit(main())
