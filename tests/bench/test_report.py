"""``fastgrad bench --report``: the HTML page, its figures, the machine facts, the scaling runs.

No timing assertions: the tests check that the page references every case,
study and image, that every image is a real PNG, that the page says what to
install without matplotlib, and, when a Chromium-family browser is on the
PATH, that a real headless browser loads the page and decodes every image.
"""
import json
from html import escape
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fastgrad.bench import cases as registry
from fastgrad.bench import report as report_mod
from fastgrad.bench import runner, scaling
from fastgrad.bench.machine import machine_facts, parse_cpuinfo
from fastgrad.cli import main

CHEAP = "single-point"  # one gradient case, about a second once compiled
PNG = b"\x89PNG\r\n\x1a\n"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

CPUINFO = """processor\t: 0
model name\t: Example CPU 9000
physical id\t: 0
core id\t: 0
flags\t\t: fpu sse4_2 avx avx2 fma

processor\t: 1
model name\t: Example CPU 9000
physical id\t: 0
core id\t: 0
flags\t\t: fpu sse4_2 avx avx2 fma

processor\t: 2
model name\t: Example CPU 9000
physical id\t: 1
core id\t: 0
flags\t\t: fpu sse4_2 avx avx2 fma
"""


def test_parse_cpuinfo_counts_physical_cores():
    model, physical, flags = parse_cpuinfo(CPUINFO)
    assert model == "Example CPU 9000"
    assert physical == 2  # two sockets; CPUs 0 and 1 are hyperthreads of one core
    assert {"avx2", "fma"} <= flags
    assert parse_cpuinfo("") == (None, None, set())


def test_machine_facts():
    facts = machine_facts()
    assert facts["versions"]["numpy"] == np.__version__
    assert facts["versions"]["python"].count(".") == 2
    assert 1 <= facts["usable_cores"] <= facts["logical_cores"]
    np.ones((50, 50)) @ np.ones((50, 50))  # numpy's BLAS is loaded
    apis = {p["api"] for p in machine_facts()["blas"]}
    assert apis & {"openblas", "mkl", "blis", "accelerate", "flexiblas"}, apis
    json.dumps(facts)  # JSON-ready


@pytest.fixture(scope="module")
def tiny_report():
    """A runner report of the cheap case plus every scaling study at its tiny sizes."""
    cases = registry.select(registry.build_cases(), CHEAP)
    assert len(cases) == 1
    rep = runner.run_all(cases, "quick", stream=sys.stdout)
    rep["scaling"] = scaling.run_studies(scaling.build_studies(), "tiny", stream=sys.stdout)
    rep["machine"] = machine_facts()
    return rep


def test_scaling_records(tiny_report):
    studies = tiny_report["scaling"]["studies"]
    assert [s["name"] for s in studies] == [s.name for s in scaling.build_studies()]
    assert tiny_report["scaling"]["memory_bandwidth_bytes_per_s"] > 0
    for study in studies:
        assert "error" not in study, study
        assert set(study["sweeps"]) == {"n", "d"}
        for axis, fixed in (("n", "d"), ("d", "n")):
            points = study["sweeps"][axis]
            assert len(points) >= 2
            assert len({p[fixed] for p in points}) == 1  # the other size stays fixed
            assert [p[axis] for p in points] == sorted({p[axis] for p in points})
            for p in points:
                assert set(p["median_s"]) == set(p["min_s"]) == set(study["implementations"])
                assert all(0 < p["min_s"][k] <= p["median_s"][k] for k in p["min_s"])
                assert p["limit_s"] > 0


def test_scaling_select():
    studies = scaling.build_studies()
    assert [s.name for s in scaling.select(studies, "HESSIAN")] == ["scaling/hessian/central/rosen"]
    assert scaling.select(studies, CHEAP) == []
    assert len(scaling.select(studies, None)) == len(studies)


def _referenced(html):
    return re.findall(r'<img src="([^"]+)"', html)


@pytest.fixture(scope="module")
def written(tiny_report, tmp_path_factory):
    """The report written once with its figures: ``(directory, page text)``."""
    out = tmp_path_factory.mktemp("report")
    path = Path(report_mod.write_report(tiny_report, out))
    assert path == out / "index.html"
    return out, path.read_text()


def test_report_references_every_case_study_and_image(tiny_report, written):
    out, html = written
    for case in tiny_report["cases"]:
        assert f'id="{report_mod.slug(case["name"])}"' in html
        assert f'href="#{report_mod.slug(case["name"])}"' in html  # summary row links to it
        for ref in case["references"]:
            assert f"<td>{ref['name']}</td>" in html
    for study in tiny_report["scaling"]["studies"]:
        assert f'id="{report_mod.slug(study["name"])}"' in html
    images = _referenced(html)
    on_disk = sorted(p.name for p in out.glob("*.png"))
    # the overview, one bar chart per case and one plot per study, each referenced once
    assert sorted(images) == on_disk and images[0] == report_mod.OVERVIEW
    assert len(images) == 1 + len(tiny_report["cases"]) + len(tiny_report["scaling"]["studies"])
    for name in images:
        assert (out / name).read_bytes()[:8] == PNG
    assert json.loads((out / "results.json").read_text())["cases"][0]["name"] == tiny_report["cases"][0]["name"]
    assert "pip install matplotlib" not in html
    assert escape(tiny_report["machine"]["cpu"]) in html


def test_markdown_summary(tiny_report, written):
    out, _ = written
    text = (out / "summary.md").read_text()
    assert text == report_mod.markdown_summary(tiny_report)
    assert tiny_report["created"][:10] in text and tiny_report["machine"]["cpu"] in text
    for case in tiny_report["cases"]:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{case['name']}` |"))
        for ref in case["references"]:
            if ref["compare"]:
                assert f"{ref['name']} {report_mod.fmt_ratio(ref['ratio'])}" in row
            else:
                assert ref["name"] + " " not in row
    with_fig = report_mod.markdown_summary(tiny_report, [("docs/bench/a.png", "caption")])
    assert with_fig.endswith("![caption](docs/bench/a.png)\n")


def test_fmt_ratio():
    assert [report_mod.fmt_ratio(v) for v in (0.7123, 23.44, 6270.4)] == ["0.712x", "23.4x", "6270x"]


def test_machine_facts_doctest():
    import doctest

    from fastgrad.bench import machine

    result = doctest.testmod(machine)
    assert result.attempted > 0 and result.failed == 0


def test_report_without_matplotlib_says_what_to_install(tiny_report, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    html = Path(report_mod.write_report(tiny_report, tmp_path)).read_text()
    assert escape(report_mod.INSTALL_HINT) in html
    assert _referenced(html) == [] and not list(tmp_path.glob("*.png"))
    for case in tiny_report["cases"]:  # the tables are still there
        assert f'id="{report_mod.slug(case["name"])}"' in html


def test_report_shows_a_failed_case(tiny_report):
    rep = dict(tiny_report, cases=[*tiny_report["cases"], {"name": "broken/case", "group": "x",
                                                            "error": "ValueError: <bad>"}])
    html = report_mod.render_html(rep, {}, {})
    assert "FAILED: ValueError: &lt;bad&gt;" in html  # escaped
    assert 'id="broken-case"' in html and 'href="#broken-case"' in html


def test_cli_report_quick_filter(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["bench", "--quick", "--filter", CHEAP, "--report", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"report: {out / 'index.html'}" in captured.out
    assert re.search(r"\[1/1\] .*single-point done", captured.err)  # per-case progress line
    html = (out / "index.html").read_text()
    saved = json.loads((out / "results.json").read_text())
    assert saved["command"] == f"fastgrad bench --quick --filter {CHEAP}"
    assert saved["scaling"]["studies"] == []
    assert "No scaling study was run" in html
    assert len(_referenced(html)) == 1 + len(saved["cases"]) == 2


def test_cli_report_rejects_list_and_stalls(tmp_path):
    for extra in (["--list"], ["--stalls"], ["--startup"]):
        with pytest.raises(SystemExit) as info:
            main(["bench", *extra, "--report", str(tmp_path)])
        assert info.value.code == 2


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


# After load, write what the browser made of the page into the DOM: how many
# images, which did not decode, and the page size.
_PROBE = """<script>
window.addEventListener("load", function () {
  var imgs = Array.from(document.images);
  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                   .map(function (i) { return i.getAttribute("src"); });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({images: imgs.length, broken: broken, errors: window.__errors,
                                    height: document.body.scrollHeight});
  document.body.appendChild(out);
});
</script>"""
_ERRORS = "<script>window.__errors = []; window.onerror = function (m) { window.__errors.push(String(m)); };</script>"


def _run_browser(browser, args, timeout=90):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def test_report_renders_in_a_headless_browser(written):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium-family browser on PATH (looked for " + ", ".join(BROWSERS)
                    + "); install one, e.g. apt-get install chromium, to run this check")
    tmp_path, html = written
    # the probe runs on a copy, so the report itself stays script-free
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("<head>", "<head>" + _ERRORS, 1).replace("</body>", _PROBE + "</body>"))
    proc = _run_browser(browser, ["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()])
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert match, "the browser did not run the page's load handler:\n" + proc.stdout[:2000]
    seen = json.loads(match.group(1).replace("&quot;", '"'))
    assert seen["broken"] == [] and seen["errors"] == []
    assert seen["images"] == len(_referenced(html)) > 0
    assert seen["height"] > 1000  # tables and figures laid out, not an empty page
    shot = tmp_path / "shot.png"
    proc = _run_browser(browser, [f"--screenshot={shot}", "--window-size=1200,1600", (tmp_path / "index.html").as_uri()])
    assert proc.returncode == 0 and shot.read_bytes()[:8] == PNG and shot.stat().st_size > 20_000
