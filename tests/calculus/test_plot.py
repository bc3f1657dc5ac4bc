"""fastgrad.plot: figures are built from the results (Agg backend, no display)."""
import numpy as np
import pytest

import fastgrad

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import fastgrad.plot  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def _f(x):
    return (x[0] - 1.0) ** 2 + 10.0 * (x[1] + 0.5) ** 2


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_convergence_curves_one_line_per_result():
    runs = [fastgrad.minimize(_f, [0.0, 0.0], method=m) for m in ("bfgs", "lbfgs", "cg")]
    ax = fastgrad.plot.convergence(runs, labels=["a", "b", "c"])
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    for line, r in zip(ax.lines, runs):
        assert len(line.get_xdata()) == r.nit + 1
        assert np.all(line.get_ydata() > 0)
    ax2 = fastgrad.plot.convergence(runs[0], quantity="step_size", log=False)
    np.testing.assert_array_equal(ax2.lines[0].get_ydata(), runs[0].history.step_size)


def test_convergence_bad_input():
    r = fastgrad.minimize(_f, [0.0, 0.0], history=False)
    with pytest.raises(ValueError, match="no history"):
        fastgrad.plot.convergence([r])
    r = fastgrad.minimize(_f, [0.0, 0.0])
    with pytest.raises(ValueError, match="quantity"):
        fastgrad.plot.convergence([r], quantity="x")
    with pytest.raises(ValueError, match="labels"):
        fastgrad.plot.convergence([r], labels=["a", "b"])


def test_critical_point_plot_marks_each_kind():
    f = lambda p: p[0] ** 4 + p[1] ** 4 - 4 * p[0] * p[1]  # noqa: E731
    ax = fastgrad.plot.critical_points(f, [(-2, 2), (-2, 2)], resolution=40)
    labels = sorted(t.get_text() for t in ax.get_legend().get_texts())
    assert labels == ["minimum", "saddle"]
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label() in labels}
    assert len(offsets["minimum"]) == 2 and len(offsets["saddle"]) == 1
    with pytest.raises(ValueError, match="two variables"):
        fastgrad.plot.critical_points(f, [(-1, 1)])
