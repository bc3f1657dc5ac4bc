"""How gradient descent behaves: step sizes, schedules, batches, critical points.

Gradient descent repeats ``x <- x - lr * grad f(x)``.  On a quadratic
``f(x) = x . A x / 2`` each eigen-direction of ``A`` with curvature ``s`` is
multiplied by ``1 - lr * s`` per step, so with ``L`` the largest curvature:

* ``lr << 1/L`` -- too small: every factor is close to 1, progress is slow
  and the iteration budget runs out far from the minimum;
* ``lr = 1/L`` -- right: the stiffest direction is solved in one step and the
  others shrink steadily;
* ``1/L < lr < 2/L`` -- oscillating: the stiff direction's factor is
  negative, so that coordinate flips sign at every step while it shrinks;
* ``lr > 2/L`` -- divergent: that factor exceeds 1 in size and the iterate
  grows geometrically.  ``fastgrad.minimize`` stops the loop and says what
  to change; ``LogisticRegression`` raises a ``DivergenceError``
  (a ``FloatingPointError``) with the same kind of advice.

The script shows the four regimes on a quadratic (with ``minimize``) and on
a logistic regression (with ``LogisticRegression(solver="gd")``, where the
curvature bound ``L`` is computed from the data), then:

* learning-rate schedules (``Constant``, ``InverseScaling``,
  ``ExponentialDecay``, ``StepDecay``, ``Cosine``) started from a step that
  is too large to converge at a constant rate;
* full-batch gradient descent, mini-batch SGD, single-sample SGD, heavy-ball
  momentum and Nesterov on the same logistic regression at an equal number
  of epochs (passes over the data);
* the critical points of ``f(x, y) = x^3 - 3x + y^3 - 3y`` found by
  ``fastgrad.critical_points`` and classified by the second-derivative test
  (the signs of the Hessian's eigenvalues), drawn on the contours by
  ``fastgrad.plot.critical_points``.

The figure ``gd_behaviour.png`` in ``--out`` has six panels: (a) the
quadratic's objective per iteration for the four step sizes, (b) their paths
on its contours, (c) the logistic objective per iteration for four step
sizes, (d) the schedules' objective per iteration, (e) the batch-size and
momentum comparison per epoch, (f) the critical points.
"""

import argparse
import json
import os
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from fastgrad import (Constant, Cosine, ExponentialDecay, InverseScaling, LogisticRegression, StepDecay,
                      critical_points, minimize)

#: curvatures of the quadratic: L = 10, condition number 10
CURVATURE = np.array([1.0, 10.0])
#: step sizes as multiples of 1/L, one per regime
REGIMES = {"too small": 0.05, "right": 1.0, "oscillating": 1.98, "divergent": 2.1}
#: the same for the logistic regression, whose real curvature is below the bound L
LOGISTIC_REGIMES = {"too small": 0.01, "right": 1.0, "oscillating": 10.0, "divergent": 1000.0}
#: the 2-D function of the critical-point panel and its search box
BOX = [(-2.0, 2.0), (-2.0, 2.0)]


def quadratic(x):
    return 0.5 * float(x @ (CURVATURE * x))


def quadratic_grad(x):
    return CURVATURE * x


def cubic(p):
    return p[0] ** 3 - 3.0 * p[0] + p[1] ** 3 - 3.0 * p[1]


def quadratic_regimes(max_iter=200, x0=(1.0, 1.0)):
    """GD on the quadratic at each regime's step; returns one record per regime."""
    L = float(CURVATURE.max())
    out = {}
    for name, factor in REGIMES.items():
        path = [np.asarray(x0, dtype=float)]
        res = minimize(quadratic, x0, method="gd", jac=quadratic_grad, learning_rate=factor / L,
                       max_iter=max_iter, tol=1e-8, callback=lambda r: path.append(r.x) and False)
        path = np.array(path)
        stiff = path[:, 1]
        out[name] = {"lr": factor / L, "success": bool(res.success), "status": int(res.status), "nit": res.nit,
                     "fun": res.fun, "message": res.message, "curve": res.history.fun.tolist(),
                     "path": path.tolist(),
                     # how often the stiff coordinate changed sign from one step to the next
                     "sign_flips": float(np.mean(stiff[1:] * stiff[:-1] < 0))}
    return out


def logistic_data(n=600, d=10, seed=0):
    X, y = make_classification(n, d, n_informative=5, random_state=seed)
    return StandardScaler().fit_transform(X), y


def logistic_bound(X, C=1.0):
    """``L`` of the mean objective (log-loss + ``|w|^2 / (2 C n)``): ``|[X, 1]|_2^2 / (4 n) + 1 / (C n)``."""
    n = X.shape[0]
    return np.linalg.norm(np.c_[X, np.ones(n)], 2) ** 2 / (4.0 * n) + 1.0 / (C * n)


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # fixed budgets on purpose
        return LogisticRegression(**params).fit(X, y)


def logistic_regimes(X, y, max_iter=200):
    """``LogisticRegression(solver="gd")`` at each regime's step; a divergence keeps its error message."""
    best = _best_objective(X, y)
    L = logistic_bound(X)
    out = {}
    for name, factor in LOGISTIC_REGIMES.items():
        est = LogisticRegression(solver="gd", learning_rate=factor / L, max_iter=max_iter, tol=1e-8)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, y)
        except FloatingPointError as exc:  # DivergenceError
            out[name] = {"lr": factor / L, "diverged": True, "error": type(exc).__name__, "message": str(exc)}
            continue
        curve = np.asarray(est.loss_curve_)
        out[name] = {"lr": factor / L, "diverged": False, "n_iter": int(est.n_iter_[0]),
                     "gap": float(curve[-1] - best), "curve": (curve - best).tolist(),
                     "increases": int(np.sum(np.diff(curve) > 0))}
    return out


def _best_objective(X, y):
    return float(LogisticRegression(solver="newton", tol=1e-12, max_iter=100).fit(X, y).loss_curve_[-1])


def schedules(max_iter=200, x0=(1.0, 1.0)):
    """GD on the quadratic from ``lr = 2.5/L`` (divergent if constant) under each schedule."""
    lr = 2.5 / float(CURVATURE.max())
    chosen = {"Constant": Constant(lr), "InverseScaling": InverseScaling(lr, decay=0.5, power=1.0),
              "ExponentialDecay": ExponentialDecay(lr, rate=0.97), "StepDecay": StepDecay(lr, factor=0.5, every=10),
              "Cosine": Cosine(lr, period=max(1, max_iter // 4))}
    out = {}
    for name, schedule in chosen.items():
        res = minimize(quadratic, x0, method="gd", jac=quadratic_grad, learning_rate=schedule,
                       max_iter=max_iter, tol=1e-8)
        out[name] = {"schedule": repr(schedule), "success": bool(res.success), "status": int(res.status),
                     "nit": res.nit, "fun": res.fun, "message": res.message, "curve": res.history.fun.tolist()}
    return out


def batch_sizes(X, y, epochs=20, seed=0):
    """Batch GD, mini-batch SGD, SGD, momentum and Nesterov at ``epochs`` passes over ``(X, y)``."""
    best = _best_objective(X, y)
    runs = {"batch GD": dict(solver="gd"), "mini-batch SGD (32)": dict(solver="sgd", batch_size=32),
            "SGD (1)": dict(solver="sgd", batch_size=1), "momentum": dict(solver="momentum"),
            "nesterov": dict(solver="nesterov")}
    out = {}
    for name, params in runs.items():
        est = _fit(X, y, max_iter=epochs, tol=0.0, random_state=seed, **params)
        curve = np.asarray(est.loss_curve_) - best  # start, then one entry per epoch
        out[name] = {**params, "epochs": epochs, "gap": float(curve[-1]), "curve": curve.tolist()}
    return out


def classified_points():
    """Critical points of :func:`cubic` in :data:`BOX`, with their kinds and Hessian eigenvalues."""
    return [{"x": np.asarray(p.x).tolist(), "kind": p.kind, "value": float(p.value),
             "eigenvalues": np.asarray(p.eigenvalues).tolist()} for p in critical_points(cubic, BOX)]


def make_figure(results, path):
    """The six panels of the module docstring, saved as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import fastgrad.plot

    fig = Figure(figsize=(16, 9.5), layout="constrained")
    FigureCanvasAgg(fig)
    (a, b, c), (d, e, f) = fig.subplots(2, 3)
    for name, r in results["quadratic"].items():
        a.plot(np.maximum(np.abs(r["curve"]), 1e-300), label=f"{name} (lr = {r['lr']:.3g})")
    a.set(yscale="log", xlabel="iteration", ylabel="f(x)", title="(a) quadratic: step size regimes")
    a.legend(fontsize=8)
    g = np.linspace(-1.3, 1.3, 200)
    G1, G2 = np.meshgrid(g, g)
    b.contour(G1, G2, 0.5 * (CURVATURE[0] * G1**2 + CURVATURE[1] * G2**2), levels=15, linewidths=0.6)
    for name, r in results["quadratic"].items():
        p = np.array(r["path"])[:30]
        inside = np.all(np.abs(p) <= 1.3, axis=1)
        b.plot(p[inside, 0], p[inside, 1], ".-", label=name, markersize=3)
    b.set(xlabel="x0 (curvature 1)", ylabel="x1 (curvature 10)", title="(b) first 30 steps",
          xlim=(-1.3, 1.3), ylim=(-1.3, 1.3))
    b.legend(fontsize=8)
    for name, r in results["logistic"].items():
        if not r["diverged"]:
            c.plot(np.maximum(r["curve"], 1e-16), label=f"{name} (lr = {r['lr']:.3g})")
        else:
            c.plot([], [], "x", label=f"{name} (lr = {r['lr']:.3g}): {r['error']}")
    c.set(yscale="log", xlabel="iteration", ylabel="objective - optimum",
          title="(c) logistic regression, solver='gd'")
    c.legend(fontsize=8)
    for name, r in results["schedules"].items():
        d.plot(np.maximum(r["curve"], 1e-300), label=name)
    d.set(yscale="log", xlabel="iteration", ylabel="f(x)", ylim=(1e-12, 1e6),
          title="(d) schedules from lr = 2.5/L on the quadratic")
    d.legend(fontsize=8)
    for name, r in results["batches"].items():
        e.plot(np.maximum(r["curve"], 1e-16), "o-", markersize=3, label=name)
    e.set(yscale="log", xlabel="epoch", ylabel="objective - optimum",
          title="(e) equal epochs: batch size and momentum")
    e.legend(fontsize=8)
    fastgrad.plot.critical_points(cubic, BOX, ax=f)
    f.set_title("(f) critical points of x^3 - 3x + y^3 - 3y")
    fig.savefig(path, format="png", dpi=90)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Gradient-descent behaviour with fastgrad.")
    parser.add_argument("--max-iter", type=int, default=200,
                        help="iterations of the step-size and schedule runs (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of the batch comparison (default: %(default)s)")
    parser.add_argument("--n-samples", type=int, default=600,
                        help="rows of the logistic-regression data (default: %(default)s)")
    parser.add_argument("--out", default="gd_behaviour_out",
                        help="directory for the figure and results.json (default: %(default)s)")
    parser.add_argument("--no-plot", action="store_true", help="skip the figure (no matplotlib needed)")
    args = parser.parse_args(argv)
    for name in ("max_iter", "epochs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.n_samples < 20:
        parser.error("--n-samples must be at least 20")
    return args


def main(argv=None):
    """Run every part, print the summaries, save the figure and the JSON; return the results."""
    args = parse_args(argv)
    X, y = logistic_data(args.n_samples)
    results = {"quadratic": quadratic_regimes(args.max_iter), "logistic": logistic_regimes(X, y, args.max_iter),
               "schedules": schedules(args.max_iter), "batches": batch_sizes(X, y, args.epochs),
               "critical_points": classified_points()}
    print(f"Quadratic f = (x0^2 + 10 x1^2) / 2, L = 10, GD for at most {args.max_iter} iterations:")
    for name, r in results["quadratic"].items():
        print(f"  {name:12s} lr={r['lr']:<6.3g} f={r['fun']:<10.3g} sign flips of x1: {r['sign_flips']:.0%}\n"
              f"               minimize says: {r['message']}")
    print(f"\nLogisticRegression(solver='gd'), {len(y)} x {X.shape[1]}, L = {logistic_bound(X):.3g}:")
    for name, r in results["logistic"].items():
        if r["diverged"]:
            print(f"  {name:12s} lr={r['lr']:<8.3g} {r['error']}: {r['message']}")
        else:
            print(f"  {name:12s} lr={r['lr']:<8.3g} objective - optimum {r['gap']:.2e} after {r['n_iter']} "
                  f"iterations; the objective rose {r['increases']} times")
    print(f"\nSchedules from lr = 2.5/L (a constant step diverges), {args.max_iter} iterations:")
    for name, r in results["schedules"].items():
        print(f"  {name:16s} f={r['fun']:<10.3g} {r['message']}")
    print(f"\nLogistic regression, {args.epochs} epochs each (objective - optimum):")
    for name, r in results["batches"].items():
        print(f"  {name:20s} {r['gap']:.2e}")
    print("\nCritical points of x^3 - 3x + y^3 - 3y in [-2, 2]^2 (second-derivative test):")
    for p in results["critical_points"]:
        print(f"  ({p['x'][0]:+.4f}, {p['x'][1]:+.4f})  {p['kind']:8s} f={p['value']:+.4f}  "
              f"Hessian eigenvalues {np.round(p['eigenvalues'], 4).tolist()}")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump(results, fh, indent=1, default=float)
    if not args.no_plot:
        figure = os.path.join(args.out, "gd_behaviour.png")
        make_figure(results, figure)
        print(f"\nfigure: {figure}")
    return results


if __name__ == "__main__":
    main()
