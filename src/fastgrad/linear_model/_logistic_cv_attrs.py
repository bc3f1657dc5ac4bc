"""LogisticRegressionCV's fitted attributes: the best grid point and scikit-learn's layouts.

The tasks return, per (fold, l1_ratio), the path entries of every C, their
held-out scores and iteration counts. This module stacks them into one array
per quantity with axes ``(fold, l1_ratio, C, ...)``, picks the best grid
point (``refit=True``: the best mean score over the folds; ``refit=False``:
each fold's best, averaged) and lays the results out as scikit-learn 1.9
does -- the legacy dicts keyed by class (``use_legacy_attributes=True``,
scikit-learn's default until 1.10) or the plain arrays.
"""

import numpy as np

__all__ = []


def stack_results(results, n_folds, n_ratios, n_cs):
    """``(coefs, scores, n_iter)`` with axes ``(fold, l1_ratio, C, [class,] dof)``.

    ``results`` is in task order: folds outer, l1_ratios inner. Binary
    coefficients get a class axis of length 1.
    """
    coefs, scores, n_iter = zip(*results)
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim == 3:  # binary: (task, C, dof)
        coefs = coefs[:, :, None, :]
    coefs = coefs.reshape(n_folds, n_ratios, n_cs, *coefs.shape[2:])
    scores = np.asarray(scores, dtype=np.float64).reshape(n_folds, n_ratios, n_cs)
    n_iter = np.asarray(n_iter, dtype=np.int32).reshape(n_folds, n_ratios, n_cs)
    return coefs, scores, n_iter


def best_for_refit(scores):
    """``(l1_ratio index, C index)`` of the best total score over the folds.

    Ties go to the first in scikit-learn's order (C outer, l1_ratio inner).
    """
    total = scores.sum(axis=0).T  # (C, l1_ratio), scikit-learn's order for argmax
    i_c, i_r = np.unravel_index(np.argmax(total), total.shape)
    return int(i_r), int(i_c)


def best_per_fold(scores):
    """``(l1_ratio indices, C indices)``: each fold's best grid point (same tie rule)."""
    n_folds, n_ratios, n_cs = scores.shape
    flat = np.swapaxes(scores, 1, 2).reshape(n_folds, -1)
    i_c, i_r = np.unravel_index(np.argmax(flat, axis=1), (n_cs, n_ratios))
    return i_r, i_c


def store(est, *, coefs, scores, n_iter, w, C, l1_ratio, Cs, l1_grid, settings, classes,
          n_features):
    """Set ``coef_``, ``intercept_``, ``C_``, ``l1_ratio_``, ``Cs_``, ``l1_ratios_``,
    ``coefs_paths_``, ``scores_`` and ``n_iter_`` on ``est``.

    ``w`` is the final path entry (``(dof,)`` or ``(n_classes, dof)``).
    """
    n_classes = len(classes)
    k = 1 if n_classes == 2 else n_classes
    W = np.atleast_2d(np.asarray(w, dtype=np.float64))
    est.coef_ = W[:, :n_features].copy()
    est.intercept_ = W[:, n_features].copy() if est.fit_intercept else np.zeros(k)
    est.Cs_ = np.asarray(Cs)
    est.l1_ratios_ = np.asarray(l1_grid)
    keep_ratio_axis = settings.l1_ratios_given
    if settings.legacy:
        # C_ / l1_ratio_ repeated per class (one entry for two classes);
        # dicts keyed by the classes (the positive class only for two)
        keys = classes[1:] if n_classes == 2 else classes
        est.C_ = np.full(k, C, dtype=np.float64)
        est.l1_ratio_ = np.asarray([l1_ratio] * k)
        # (fold, ratio, C, class, dof) -> per class: (fold, C, ratio, dof)
        paths = np.moveaxis(coefs, (3, 0, 2, 1), (0, 1, 2, 3))
        grid = np.swapaxes(scores, 1, 2)  # (fold, C, ratio)
        iters = np.swapaxes(n_iter, 1, 2)[None]  # (1, fold, C, ratio)
        if not keep_ratio_axis:
            paths, grid, iters = paths[:, :, :, 0], grid[:, :, 0], iters[..., 0]
        est.coefs_paths_ = {cls: paths[i] for i, cls in enumerate(keys)}
        est.scores_ = {cls: grid.copy() for cls in keys}
        est.n_iter_ = iters
    else:
        est.C_ = float(C)
        if not keep_ratio_axis:
            l1_ratio = 1.0 if settings.penalty == "l1" else 0.0
        est.l1_ratio_ = float(l1_ratio)
        est.coefs_paths_ = coefs  # (fold, l1_ratio, C, class, dof)
        est.scores_ = scores      # (fold, l1_ratio, C)
        est.n_iter_ = n_iter
