"""More features than samples: what gradient descent finds, and double descent.

With ``d`` features and only ``n < d`` samples, least squares has infinitely
many exact fits (interpolants): any ``w`` with ``X w = y``.  Which one an
optimiser returns is decided by the optimiser, not by the objective.  This
script shows three facts about that choice with fastgrad's estimators and
``fastgrad.minimize``.

Part 1 -- the minimum-norm interpolant
    Every gradient ``X^T (X w - y)`` lies in the row space of ``X``.  Started
    from zero, gradient descent (and any method built from gradients:
    momentum, Nesterov, L-BFGS) never leaves the row space, and the only
    interpolant there is the one of smallest norm, ``pinv(X) @ y``.  Started
    at ``w0``, the component of ``w0`` in the null space of ``X`` is never
    touched, so the limit is ``pinv(X) @ y + (I - pinv(X) X) w0``.  Ridge
    regression with ``alpha -> 0`` tends to the same minimum-norm solution.

Part 2 -- double descent
    Random-feature regression: ``p`` random ReLU features ``max(0, x . v_j)``
    of a low-dimensional input, then the minimum-norm least-squares fit.  As
    ``p`` grows, the test error first falls, then rises to a peak at the
    interpolation threshold ``p = n`` (exactly one interpolant, fitted to the
    noise through a badly conditioned system), then falls again: past the
    threshold the minimum-norm interpolant gets smoother as ``p`` grows.  A
    small ridge penalty removes the peak.

Part 3 -- early stopping is implicit regularisation
    Along the gradient-descent path from zero, after ``t`` steps of size
    ``eta``, each eigen-direction of ``X^T X / n`` with eigenvalue ``s`` has
    been fitted by the factor ``1 - (1 - eta s)^t``; ridge with penalty
    ``lam`` fits it by ``s / (s + lam)``.  Both are about 1 for ``s >> 1/(eta
    t)`` (or ``lam``) and about 0 below, so stopping at step ``t`` acts like
    ridge with ``lam = 1 / (eta t)``: the two paths have nearly the same
    coefficient norms, training losses and test errors.

The figure (``overparameterised.png`` in ``--out``):
(a) distance of the gradient-descent iterate to its predicted limit, from
    zero (limit: the pinv solution) and from a random start (limit: pinv
    solution + the start's null-space component), log scale;
(b) double descent: test error against the number of random features,
    minimum-norm fit and small ridge, with the threshold ``p = n`` marked;
(c) training loss against coefficient norm along both paths (GD over the
    iterations, ridge over the penalty);
(d) test error along both paths against the matching regularisation
    strength (``1/(eta t)`` for GD, ``lam`` for ridge).

Run ``python examples/overparameterised.py --help`` for the options; the
results (JSON) go to ``--out`` with the figure.
"""

import argparse
import json
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastgrad import LinearRegression, Ridge, minimize

#: Ridge penalties of Part 1 (sum-of-squares scale, as scikit-learn's alpha).
ALPHAS_TO_ZERO = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)


# ------------------------------------------------------------------ Part 1


def linear_problem(n, d, seed, noise=0.1):
    """Gaussian ``X`` of shape ``(n, d)`` and a noisy linear target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ (rng.standard_normal(d) / np.sqrt(d)) + noise * rng.standard_normal(n)
    return X, y


def _half_mse(w, X, y):
    r = X @ w - y
    return 0.5 * float(r @ r) / X.shape[0]


def _half_mse_grad(w, X, y):
    return X.T @ (X @ w - y) / X.shape[0]


def _step(X):
    """``1/L`` for the mean objective: ``L`` the largest eigenvalue of ``X^T X / n``."""
    return 1.0 / np.linalg.norm(X, 2) ** 2 * X.shape[0]


def min_norm(n=40, d=100, seed=0, tol=1e-13):
    """Part 1: GD from zero and from ``w0`` against the pinv predictions.

    Returns a dict with the relative distances of each fastgrad solution to
    its predicted limit, the size of the start's null-space component, the
    ridge distances for ``alpha -> 0`` and the GD distance curves.
    """
    X, y = linear_problem(n, d, seed)
    pinv = np.linalg.pinv(X)
    w_pinv = pinv @ y
    null = np.eye(d) - pinv @ X  # projector onto the null space of X
    w0 = np.random.default_rng(seed + 1).standard_normal(d)
    target0 = w_pinv + null @ w0

    def rel(w, ref):
        return float(np.linalg.norm(w - ref) / np.linalg.norm(ref))

    out = {"n": n, "d": d, "pinv_norm": float(np.linalg.norm(w_pinv)),
           "start_null_norm": float(np.linalg.norm(null @ w0)), "estimators": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a test must not pass unconverged
        for solver in ("gd", "nesterov", "lbfgs"):
            est = LinearRegression(solver=solver, fit_intercept=False, tol=tol, max_iter=50_000).fit(X, y)
            out["estimators"][solver] = {"rel_to_pinv": rel(est.coef_, w_pinv), "n_iter": int(est.n_iter_[0])}
    # minimize, same objective and step, from zero and from w0; the callback
    # records the iterates (it makes the loop run in Python)
    eta = _step(X)
    curves = {}
    for name, x0, target in (("zero", np.zeros(d), w_pinv), ("w0", w0, target0)):
        dist = [rel(x0, target)]
        res = minimize(_half_mse, x0, method="gd", jac=_half_mse_grad, args=(X, y), learning_rate=eta,
                       tol=tol, max_iter=50_000,
                       callback=lambda r, t=target: dist.append(rel(r.x, t)) and False)
        if not res.success:
            raise RuntimeError(f"minimize from {name} did not converge: {res.message}")
        curves[name] = dist
        out[f"minimize_from_{name}"] = {"rel_to_prediction": rel(res.x, target), "nit": res.nit,
                                        "rel_to_pinv": rel(res.x, w_pinv),
                                        # what is left of the start's null-space part
                                        "null_component": float(np.linalg.norm(null @ res.x)),
                                        "residual": float(np.linalg.norm(X @ res.x - y))}
    out["gd_curves"] = curves
    out["ridge"] = {str(a): rel(Ridge(alpha=a, fit_intercept=False).fit(X, y).coef_, w_pinv)
                    for a in ALPHAS_TO_ZERO}
    return out


# ------------------------------------------------------------------ Part 2


def feature_problem(n, rng, input_dim=5, noise=0.3):
    """A smooth non-linear target of a Gaussian input, plus noise."""
    X = rng.standard_normal((n, input_dim))
    beta = np.arange(1, input_dim + 1) / input_dim
    y = np.tanh(X @ beta) + 0.3 * np.sin(2.0 * X[:, 0]) + noise * rng.standard_normal(n)
    return X, y


def relu_features(X, V):
    """``max(0, X V) / sqrt(p)``: ``p = V.shape[1]`` random ReLU features."""
    return np.maximum(X @ V, 0.0) / np.sqrt(V.shape[1])


def default_feature_counts(n):
    """Few features, dense around the threshold ``n``, then up to ``20 n``."""
    near = np.arange(max(1, n - 10), n + 11, 2)
    return sorted({*np.geomspace(1, 20 * n, 16).astype(int).tolist(), *near.tolist()})


def double_descent(n_train=40, n_test=2000, feature_counts=None, ridge_alpha=1e-2, seeds=(0,), input_dim=5):
    """Part 2: test error of the min-norm and the ridge fit against the feature count.

    The min-norm fit is ``fastgrad.LinearRegression`` (its closed form falls
    back to the minimum-norm least-squares solution on a singular system)
    and the ridge fit ``fastgrad.Ridge(alpha=ridge_alpha)``; both without
    intercept.  Errors are averaged over ``seeds`` (data and features).
    """
    counts = default_feature_counts(n_train) if feature_counts is None else sorted(int(p) for p in feature_counts)
    mse = {"min_norm": np.zeros(len(counts)), "ridge": np.zeros(len(counts)), "train_min_norm": np.zeros(len(counts))}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        X, y = feature_problem(n_train, rng, input_dim)
        Xt, yt = feature_problem(n_test, rng, input_dim)
        V = rng.standard_normal((input_dim, max(counts)))  # nested: p features are the first p columns
        for i, p in enumerate(counts):
            F, Ft = relu_features(X, V[:, :p]), relu_features(Xt, V[:, :p])
            ls = LinearRegression(fit_intercept=False).fit(F, y)
            ridge = Ridge(alpha=ridge_alpha, fit_intercept=False).fit(F, y)
            mse["min_norm"][i] += np.mean((ls.predict(Ft) - yt) ** 2) / len(seeds)
            mse["ridge"][i] += np.mean((ridge.predict(Ft) - yt) ** 2) / len(seeds)
            mse["train_min_norm"][i] += np.mean((ls.predict(F) - y) ** 2) / len(seeds)
    peak = counts[int(np.argmax(mse["min_norm"]))]
    return {"n_train": n_train, "feature_counts": counts, "ridge_alpha": ridge_alpha, "seeds": list(seeds),
            "peak_at": peak, **{k: v.tolist() for k, v in mse.items()}}


# ------------------------------------------------------------------ Part 3


def early_stopping(n=40, d=100, seed=0, n_steps=1000, noise=0.5, n_test=2000):
    """Part 3: GD path from zero against the ridge path, on a noisy over-parameterised problem.

    The GD iterates come from ``minimize`` (callback), its training losses
    also from ``LinearRegression(solver="gd").loss_curve_`` with the same
    step (a cross-check of the two implementations).  Ridge is fitted at
    ``lam = 1/(eta t)`` for the same ``t``: ``Ridge(alpha = n * lam)`` in
    scikit-learn's sum-of-squares scale.
    """
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ w_true + noise * rng.standard_normal(n)
    Xt = rng.standard_normal((n_test, d))
    yt = Xt @ w_true + noise * rng.standard_normal(n_test)
    eta = _step(X)
    path = [np.zeros(d)]
    minimize(_half_mse, np.zeros(d), method="gd", jac=_half_mse_grad, args=(X, y), learning_rate=eta,
             tol=0.0, max_iter=n_steps, callback=lambda r: path.append(r.x) and False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # stopped early on purpose
        est = LinearRegression(solver="gd", fit_intercept=False, learning_rate=eta, tol=0.0,
                               max_iter=n_steps).fit(X, y)
    steps = np.unique(np.geomspace(1, n_steps, 30).astype(int))
    gd = {"t": steps.tolist(), "lam": (1.0 / (eta * steps)).tolist(),
          "norm": [float(np.linalg.norm(path[t])) for t in steps],
          "train": [2 * _half_mse(path[t], X, y) for t in steps],
          "test": [float(np.mean((Xt @ path[t] - yt) ** 2)) for t in steps],
          # the estimator's objective is sum r^2 = n * (training MSE)
          "loss_curve_train": [float(est.loss_curve_[t]) / n for t in steps]}
    ridge = {"lam": gd["lam"], "norm": [], "train": [], "test": []}
    for lam in gd["lam"]:
        w = Ridge(alpha=n * lam, fit_intercept=False).fit(X, y).coef_
        ridge["norm"].append(float(np.linalg.norm(w)))
        ridge["train"].append(2 * _half_mse(w, X, y))
        ridge["test"].append(float(np.mean((Xt @ w - yt) ** 2)))
    return {"eta": eta, "gd": gd, "ridge": ridge}


# ----------------------------------------------------------------- output


def make_figure(part1, part2, part3, path):
    """The four panels of the module docstring, saved as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 9), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2, ax3, ax4 = fig.subplots(2, 2).ravel()
    fig.suptitle(f"Over-parameterised least squares (n={part1['n']} samples, d={part1['d']} features)")
    for name, label in (("zero", "from 0 (limit: pinv(X) y)"), ("w0", "from w0 (limit: pinv(X) y + null part of w0)")):
        ax1.plot(np.maximum(part1["gd_curves"][name], 1e-16), label=label)
    ax1.set(yscale="log", xlabel="iteration", ylabel="|w_t - limit| / |limit|", title="(a) gradient descent")
    ax1.legend()

    p, n = part2["feature_counts"], part2["n_train"]
    ax2.plot(p, part2["min_norm"], "o-", label="minimum-norm fit (LinearRegression)")
    ax2.plot(p, part2["ridge"], "s-", label=f"Ridge(alpha={part2['ridge_alpha']:g})")
    ax2.axvline(n, color="k", linestyle=":", label=f"threshold p = n = {n}")
    ax2.set(xscale="log", yscale="log", xlabel="random ReLU features p", ylabel="test MSE",
            title="(b) double descent")
    ax2.legend(loc="upper left")

    gd, ridge = part3["gd"], part3["ridge"]
    ax3.plot(gd["norm"], gd["train"], "o-", label="GD from 0, over t")
    ax3.plot(gd["norm"], gd["loss_curve_train"], "+", label="GD (LinearRegression.loss_curve_)")
    ax3.plot(ridge["norm"], ridge["train"], "s--", label="ridge, over lam")
    ax3.set(xlabel="|w|", ylabel="training MSE", title="(c) the two paths")
    ax3.legend()

    ax4.plot(gd["lam"], gd["test"], "o-", label="GD stopped at t (lam = 1/(eta t))")
    ax4.plot(ridge["lam"], ridge["test"], "s--", label="ridge at lam")
    ax4.set(xscale="log", xlabel="regularisation lam (larger = stronger)", ylabel="test MSE",
            title="(d) early stopping vs ridge")
    ax4.legend()
    fig.savefig(path, format="png", dpi=100)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Over-parameterised least squares with fastgrad.")
    parser.add_argument("--n-samples", type=int, default=40, help="training samples (default: %(default)s)")
    parser.add_argument("--n-features", type=int, default=100,
                        help="features of Parts 1 and 3, more than --n-samples (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=5,
                        help="seeds averaged in the double-descent curve (default: %(default)s)")
    parser.add_argument("--ridge-alpha", type=float, default=1e-2,
                        help="ridge penalty of the double-descent comparison (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=1000, help="GD steps of Part 3 (default: %(default)s)")
    parser.add_argument("--out", default="overparameterised_out",
                        help="directory for the figure and results.json (default: %(default)s)")
    parser.add_argument("--no-plot", action="store_true", help="skip the figure (no matplotlib needed)")
    args = parser.parse_args(argv)
    for name in ("n_samples", "seeds", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.n_features <= args.n_samples:
        parser.error("--n-features must be larger than --n-samples (the over-parameterised case)")
    if not args.ridge_alpha > 0:
        parser.error("--ridge-alpha must be > 0")
    return args


def main(argv=None):
    """Run the three parts, print their summaries, save the figure and JSON; return the results."""
    args = parse_args(argv)
    n, d = args.n_samples, args.n_features
    part1 = min_norm(n, d)
    print(f"Part 1: n={n}, d={d}; |pinv(X) y| = {part1['pinv_norm']:.4g}, "
          f"|null part of w0| = {part1['start_null_norm']:.4g}")
    for solver, r in part1["estimators"].items():
        print(f"  LinearRegression(solver={solver!r}) from 0: |w - pinv| / |pinv| = {r['rel_to_pinv']:.1e} "
              f"({r['n_iter']} iterations)")
    for name in ("zero", "w0"):
        r = part1[f"minimize_from_{name}"]
        print(f"  minimize(method='gd') from {name}: |w - prediction| / |prediction| = "
              f"{r['rel_to_prediction']:.1e}, |w - pinv| / |pinv| = {r['rel_to_pinv']:.2g}, "
              f"|null part of w| = {r['null_component']:.4g}, |Xw - y| = {r['residual']:.1e}")
    print("  Ridge(alpha) -> pinv: " + ", ".join(f"{a}: {v:.1e}" for a, v in part1["ridge"].items()))

    part2 = double_descent(n, feature_counts=None, ridge_alpha=args.ridge_alpha, seeds=range(args.seeds))
    print(f"\nPart 2: test MSE against random features p (n = {n}); peak at p = {part2['peak_at']}")
    print("      p  min-norm     ridge")
    for p, a, b in zip(part2["feature_counts"], part2["min_norm"], part2["ridge"]):
        print(f"  {p:5d}  {a:8.3g}  {b:8.3g}")

    part3 = early_stopping(n, d, n_steps=args.steps)
    gd, ridge = part3["gd"], part3["ridge"]
    best_gd, best_ridge = int(np.argmin(gd["test"])), int(np.argmin(ridge["test"]))
    print(f"\nPart 3: best test MSE along the GD path {gd['test'][best_gd]:.4g} (t = {gd['t'][best_gd]}), "
          f"along the ridge path {ridge['test'][best_ridge]:.4g} (lam = {ridge['lam'][best_ridge]:.3g}); "
          f"at the end of GD {gd['test'][-1]:.4g}")

    results = {"min_norm": part1, "double_descent": part2, "early_stopping": part3}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    if not args.no_plot:
        figure = os.path.join(args.out, "overparameterised.png")
        make_figure(part1, part2, part3, figure)
        print(f"\nfigure: {figure}")
    return results


if __name__ == "__main__":
    main()
