"""Seven optimisers, one problem: training a logistic regression.

Logistic regression is fitted by minimising one smooth, convex function of the
weights: the average log-loss on the training set plus a penalty on the size
of the weights, whose strength is ``1 / C`` (small ``C``: strong penalty).
Because the function is convex, every correct optimiser ends at the same
minimum -- they only differ in how quickly, and how cheaply per step, they
get there. This script fits ``fastgrad.LogisticRegression`` with each of its
solvers and shows the differences.

The solvers
-----------
``gd``
    Gradient descent: step downhill along the negative gradient by a fixed
    step size (by default ``1/L``, where ``L`` bounds the curvature, so the
    loss cannot go up). Cheap steps, but on stretched, valley-shaped problems
    (correlated features) it zig-zags and needs many of them.
``momentum``
    Heavy ball: each step adds a fraction (``momentum``) of the previous one,
    so the iterate builds up speed along the valley floor and the zig-zag
    partly cancels. Faster than ``gd``; the loss may oscillate.
``nesterov``
    Accelerated gradient: like momentum, but the gradient is taken at the
    point the momentum is about to carry us to. On convex problems this
    provably needs about the square root of the iterations of ``gd``.
``fista``
    Nesterov's method plus a "proximal" step that shrinks small weights to
    exactly zero, so it can also handle an L1 part of the penalty
    (``l1_ratio > 0``, the elastic net) and give sparse models.
``lbfgs``
    Quasi-Newton: learns an approximation of the curvature from the last few
    gradients and uses it to pick both direction and step length. Usually the
    best all-rounder (and scikit-learn's default).
``newton``
    Newton's method: solves a linear system with the exact Hessian (matrix of
    second derivatives) at every step. Each step is expensive for many
    features, but very few are needed: close to the minimum the number of
    correct digits roughly doubles per step.
``sgd``
    Mini-batch stochastic gradient: each step uses the gradient of a small
    random batch of rows. Steps are very cheap and noisy; good for huge data,
    but the noise keeps it hovering near (not at) the minimum.

What the figure shows
---------------------
(a) Convergence: the objective minus the best value any solver reached, on a
    log scale, against the iteration. A straight line means a constant
    factor of progress per step (linear convergence; steeper is better); a
    curve that dives ever faster is Newton's quadratic convergence; a
    plateau is SGD's noise. Iterations have different costs: compare with
    the fit times and ms per iteration in the printed table.
(b) Held-out accuracy and F1 against ``C``: too small a ``C`` over-regularises
    (underfits); very large ``C`` barely regularises (may overfit).
(c), (d) Held-out F1 and the final objective gap against the learning rate
    of ``gd``, ``momentum`` and ``sgd``: too small and ``max_iter`` runs out
    far from the minimum, too large and the iteration diverges (crosses),
    and in between it works. The default step ``learning_rate=None`` (``1/L``)
    is safe because ``L`` bounds the curvature everywhere; where the actual
    curvature is smaller, a somewhat larger fixed step can converge faster.

Run ``python examples/compare_optimizers.py --help`` for the options; the
figure and the results (JSON with the loss curves, and CSV) go to ``--out``.
Fit times come from a single fit each and are noisy on a busy machine.
"""

import argparse
import csv
import json
import math
import os
import warnings
from time import perf_counter

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastgrad import LogisticRegression

SOLVERS = ("lbfgs", "newton", "gd", "momentum", "nesterov", "fista", "sgd")
#: Solvers swept over C: plain L2 with lbfgs, and the elastic net with fista.
C_SWEEP_SOLVERS = ("lbfgs", "fista")
#: Solvers swept over the learning rate (the others choose their own steps).
LR_SWEEP_SOLVERS = ("gd", "momentum", "sgd")
METRICS = ("accuracy", "precision", "recall", "f1")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare fastgrad.LogisticRegression's solvers on one problem.",
    )
    parser.add_argument("--dataset", choices=("synthetic", "breast_cancer"), default="synthetic")
    parser.add_argument("--n-samples", type=int, default=1000,
                        help="rows of the synthetic data set (default: %(default)s)")
    parser.add_argument("--n-features", type=int, default=20,
                        help="columns of the synthetic data set (default: %(default)s)")
    parser.add_argument("--class-sep", type=float, default=1.0,
                        help="distance between the synthetic classes; larger is easier "
                        "(default: %(default)s)")
    parser.add_argument("--out", default="compare_optimizers_out",
                        help="directory for the figure and the results (default: %(default)s)")
    parser.add_argument("--max-iter", type=int, default=1000,
                        help="iteration limit of every fit (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data, the split and SGD (default: %(default)s)")
    parser.add_argument("--C", type=float, default=1.0,
                        help="inverse penalty strength for the solver comparison (default: %(default)s)")
    parser.add_argument("--tol", type=float, default=1e-8,
                        help="stopping tolerance of every fit (default: %(default)s)")
    parser.add_argument("--l1-ratio", type=float, default=0.5,
                        help="elastic-net mix of the fista runs in the C sweep (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="mini-batch size of sgd (default: %(default)s)")
    parser.add_argument("--grid-size", type=int, default=7,
                        help="points in the C and learning-rate grids (default: %(default)s)")
    args = parser.parse_args(argv)
    for name in ("n_samples", "n_features", "max_iter", "batch_size", "grid_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not (args.C > 0 and args.tol >= 0 and 0 <= args.l1_ratio <= 1):
        parser.error("need C > 0, tol >= 0 and 0 <= l1-ratio <= 1")
    return args


def load_data(args):
    """``(X, y, positive_label, description)`` of the chosen data set."""
    if args.dataset == "breast_cancer":
        data = load_breast_cancer()
        # Class 0 is "malignant": the one a screening test must find, so it is
        # the positive class for precision and recall.
        return data.data, data.target, 0, "breast cancer (positive class: malignant)"
    n_informative = max(2, args.n_features // 2)
    X, y = make_classification(
        n_samples=args.n_samples,
        n_features=args.n_features,
        n_informative=n_informative,
        # correlated copies of informative features: a stretched objective
        n_redundant=min(args.n_features - n_informative, args.n_features // 4),
        class_sep=args.class_sep,
        n_clusters_per_class=1,  # one blob per class: a linear boundary suits it
        random_state=args.seed,
    )
    return X, y, 1, f"make_classification({args.n_samples} x {args.n_features})"


def fit_and_score(data, max_iter, **params):
    """Fit scaler + model on the training split, score on the test split.

    Returns one row of the results table. A diverging fit (fastgrad raises
    a ``FloatingPointError`` subclass for it) gives a row with NaN metrics.
    """
    X_train, X_test, y_train, y_test, pos_label = data
    # The scaler is fitted on the training rows only, inside the pipeline.
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter, **params))
    row = {key: params.get(key) for key in ("solver", "C", "l1_ratio", "learning_rate")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = perf_counter()
        try:
            model.fit(X_train, y_train)
        except FloatingPointError as exc:
            diverged = str(exc)
        else:
            diverged = None
        row["fit_time_s"] = perf_counter() - start
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if diverged is not None:
        row.update(status="diverged", n_iter=None, final_objective=math.nan,
                   n_nonzero=None, loss_curve=None, message=diverged)
        row.update({m: math.nan for m in METRICS})
        return row

    clf = model[-1]
    n_iter = int(np.max(clf.n_iter_))
    curve = np.asarray(clf.loss_curve_, dtype=float)
    y_pred = model.predict(X_test)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_test, y_pred, pos_label=pos_label, average="binary", zero_division=0
    )
    row.update(
        status="converged" if n_iter < max_iter else "max_iter",
        n_iter=n_iter,
        final_objective=float(curve[-1]),
        n_nonzero=int(np.count_nonzero(clf.coef_)),
        loss_curve=curve,
        message="; ".join(str(w.message) for w in caught
                          if issubclass(w.category, ConvergenceWarning)),
        accuracy=accuracy_score(y_test, y_pred),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
    )
    return row


def _fmt(value, spec):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def print_table(title, rows, columns):
    """Print rows as an aligned text table; columns are ``(header, key, format)``."""
    cells = [[_fmt(row.get(key), spec) for _, key, spec in columns] for row in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, (h, _, _) in enumerate(columns)]
    print(f"\n{title}")
    print("  ".join(h.rjust(w) for (h, _, _), w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print("  ".join(s.rjust(w) for s, w in zip(c, widths)))


def _gap(value, best):
    """Objective minus the best one, kept positive for a log axis.

    Values within rounding error of the best are shown at that level
    instead of zero (which a log scale cannot show).
    """
    floor = 1e-15 * max(1.0, abs(best))
    return np.maximum(np.asarray(value, dtype=float) - best, floor)


def make_figure(rows, best, path, title):
    """Draw the four panels described in the module docstring; save as PNG."""
    fig = Figure(figsize=(13, 9), layout="constrained")
    FigureCanvasAgg(fig)  # render off-screen, never to a display
    ax_conv, ax_c, ax_lr, ax_gap = fig.subplots(2, 2).ravel()
    fig.suptitle(title)

    styles = ("-", "--", "-.", ":")
    for i, row in enumerate(r for r in rows if r["part"] == "solvers"):
        if row["loss_curve"] is not None:
            # varied line styles: nesterov and fista coincide without an L1 part
            ax_conv.plot(_gap(row["loss_curve"], best), styles[i % len(styles)],
                         label=row["solver"])
    ax_conv.set(yscale="log", xlabel="iteration", ylabel="objective - best objective",
                title="(a) convergence at fixed C")
    ax_conv.legend()

    for solver, style in zip(C_SWEEP_SOLVERS, ("-", "--")):
        sweep = [r for r in rows if r["part"] == "C" and r["solver"] == solver]
        if not sweep:
            continue
        label = f"{solver}, l1_ratio={sweep[0]['l1_ratio']:g}"
        Cs = [r["C"] for r in sweep]
        ax_c.plot(Cs, [r["accuracy"] for r in sweep], "o" + style, label=f"accuracy ({label})")
        ax_c.plot(Cs, [r["f1"] for r in sweep], "s" + style, label=f"F1 ({label})")
    ax_c.set(xscale="log", xlabel="C (larger = weaker penalty)", ylabel="held-out score",
             title="(b) regularisation strength")
    ax_c.legend(fontsize="small")

    for k, solver in enumerate(LR_SWEEP_SOLVERS):
        sweep = [r for r in rows if r["part"] == "learning_rate" and r["solver"] == solver]
        if not sweep:
            continue
        ok = [r for r in sweep if r["status"] != "diverged"]
        bad = [r["learning_rate"] for r in sweep if r["status"] == "diverged"]
        (line,) = ax_lr.plot([r["learning_rate"] for r in ok], [r["f1"] for r in ok], "o-",
                             label=solver)
        ax_gap.plot([r["learning_rate"] for r in ok],
                    [_gap(r["final_objective"], best) for r in ok], "o-",
                    color=line.get_color(), label=solver)
        for ax in (ax_lr, ax_gap):
            # diverged runs have no model: mark them along the bottom edge,
            # one row per solver so that the crosses do not hide each other
            ax.plot(bad, [0.03 + 0.04 * k] * len(bad), "x", color=line.get_color(), markersize=10,
                    transform=ax.get_xaxis_transform())
    for ax in (ax_lr, ax_gap):
        ax.plot([], [], "kx", label="diverged")
        ax.legend(fontsize="small")
    ax_lr.set(xscale="log", xlabel="learning rate", ylabel="held-out F1",
              title="(c) learning rate: test score")
    ax_gap.set(xscale="log", yscale="log", xlabel="learning rate",
               ylabel="final objective - best objective",
               title="(d) learning rate: how close to the minimum (max_iter limit)")
    fig.savefig(path, format="png", dpi=100)


def _json_value(value):
    if isinstance(value, np.ndarray):
        return [_json_value(v) for v in value.tolist()]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN
    return value


def save_results(rows, out):
    """results.json (everything, loss curves included) and results.csv (no curves)."""
    with open(os.path.join(out, "results.json"), "w") as fh:
        json.dump([{k: _json_value(v) for k, v in row.items()} for row in rows], fh, indent=1)
    keys = [k for k in rows[0] if k != "loss_curve"]
    with open(os.path.join(out, "results.csv"), "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None):
    """Run the comparison; return the results table (a list of dicts, one per fit)."""
    args = parse_args(argv)
    X, y, pos_label, description = load_data(args)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    data = (X_train, X_test, y_train, y_test, pos_label)
    common = dict(tol=args.tol, random_state=args.seed, max_iter=args.max_iter)
    print(f"{description}: {len(y_train)} training rows, {len(y_test)} test rows, "
          f"{X.shape[1]} features")

    rows = []
    # Part 1: every solver on the same objective (fixed C, pure L2 penalty).
    for solver in SOLVERS:
        extra = {"batch_size": args.batch_size} if solver == "sgd" else {}
        row = fit_and_score(data, solver=solver, C=args.C, l1_ratio=0.0, **extra, **common)
        rows.append({"part": "solvers", **row})
    finite = [r["loss_curve"] for r in rows if r["loss_curve"] is not None]
    best = min(float(np.min(c)) for c in finite) if finite else math.nan

    # Part 2a: regularisation path. lbfgs with the L2 penalty; fista with the
    # elastic net, whose L1 part zeroes weights as C shrinks (see n_nonzero).
    for solver in C_SWEEP_SOLVERS:
        l1_ratio = args.l1_ratio if solver == "fista" else 0.0
        for C in np.logspace(-3, 3, args.grid_size):
            row = fit_and_score(data, solver=solver, C=float(C), l1_ratio=l1_ratio, **common)
            rows.append({"part": "C", **row})

    # Part 2b: learning rates, from far too small to far too large. None (the
    # default) would pick 1/L; here the step is forced, at the Part 1 C.
    for solver in LR_SWEEP_SOLVERS:
        extra = {"batch_size": args.batch_size} if solver == "sgd" else {}
        for lr in np.logspace(-4, 2, args.grid_size):
            row = fit_and_score(data, solver=solver, C=args.C, l1_ratio=0.0,
                                learning_rate=float(lr), **extra, **common)
            rows.append({"part": "learning_rate", **row})

    for row in rows:
        # the C sweep minimises other objectives: no gap to this best value
        same_objective = row["part"] != "C"
        row["objective_gap"] = row["final_objective"] - best if same_objective else math.nan
        row["ms_per_iter"] = (1e3 * row["fit_time_s"] / row["n_iter"]
                              if row["n_iter"] else math.nan)

    metrics = [("acc", "accuracy", ".3f"), ("prec", "precision", ".3f"),
               ("recall", "recall", ".3f"), ("F1", "f1", ".3f")]
    print_table(
        f"Part 1: every solver at C={args.C:g} (best objective {best:.10g})",
        [r for r in rows if r["part"] == "solvers"],
        [("solver", "solver", "s"), ("status", "status", "s"), ("iters", "n_iter", "d"),
         ("fit s", "fit_time_s", ".2e"), ("ms/iter", "ms_per_iter", ".2e"),
         ("objective", "final_objective", ".10g"), ("- best", "objective_gap", ".1e")] + metrics,
    )
    print_table(
        "Part 2a: regularisation strength C",
        [r for r in rows if r["part"] == "C"],
        [("solver", "solver", "s"), ("l1_ratio", "l1_ratio", "g"), ("C", "C", ".3g"),
         ("status", "status", "s"), ("iters", "n_iter", "d"), ("nonzero", "n_nonzero", "d")]
        + metrics,
    )
    print_table(
        f"Part 2b: learning rate at C={args.C:g}",
        [r for r in rows if r["part"] == "learning_rate"],
        [("solver", "solver", "s"), ("lr", "learning_rate", ".3g"), ("status", "status", "s"),
         ("iters", "n_iter", "d"), ("- best", "objective_gap", ".1e")] + metrics,
    )

    os.makedirs(args.out, exist_ok=True)
    figure = os.path.join(args.out, "compare_optimizers.png")
    make_figure(rows, best, figure, f"fastgrad.LogisticRegression solvers on {description}")
    save_results(rows, args.out)
    print(f"\nfigure: {figure}\nresults: {os.path.join(args.out, 'results.json')} (and .csv)")
    return rows


if __name__ == "__main__":
    main()
