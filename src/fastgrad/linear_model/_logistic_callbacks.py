"""scikit-learn 1.9's callback hooks (``sklearn.callback``) for LogisticRegression.

The compiled loops run without the GIL and do not call back into Python
during a solve. To report every iteration with the model *as it is after
that iteration* (what scikit-learn's ``fitted_estimator`` promises) and to
let a callback stop the fit, the fit is run as a sequence of solves from the
same start point with ``max_iter = 1, 2, ...``: the compiled loops are
deterministic, so the solve with ``max_iter=i`` ends exactly at the fit's
``i``-th iterate. This costs ``O(n_iter**2)`` iterations instead of
``n_iter``, and is only used when callbacks are set (``set_callbacks``).
A callback's request to stop (``on_fit_task_end`` returning True) ends the
fit after that iteration, with that iteration's model.
"""

import copy
import warnings

from sklearn.callback import CallbackSupportMixin

from ._status import MAX_ITER

__all__ = []

_TASK = "iter"


def _attributes(est, coef, X, mean, n_classes, penalized):
    """``{"coef_", "intercept_"}`` of centred coefficients ``coef`` (as ``_store`` makes them)."""
    shell = copy.copy(est)
    shell._store(coef, X, mean, n_classes, penalized)
    return {"coef_": shell.coef_, "intercept_": shell.intercept_}


def solve_with_callbacks(est, run, coef0, X, y, sample_weight, mean, n_classes, penalized):
    """Run ``run(max_iter)`` (a compiled solve from ``coef0``) one iteration further at a time,
    calling the hooks around each iteration; returns the last solve's result.

    The ConvergenceWarning of the last solve is re-emitted; those of the
    shorter solves (which stop at ``max_iter`` by design) are not.
    """
    metadata = {"sample_weight": sample_weight} if sample_weight is not None else None
    ctx = est._init_callback_context(max_subtasks=max(est.max_iter, 1) + 1)
    ctx.call_on_fit_task_begin(estimator=est, X=X, y=y, metadata=metadata)
    attrs = _attributes(est, coef0, X, mean, n_classes, penalized)
    result, caught = None, []
    for i in range(1, max(est.max_iter, 1) + 1):
        sub = ctx.subcontext(task_name=_TASK)
        sub.call_on_fit_task_begin(
            estimator=est, X=X, y=y, metadata=metadata, reconstruction_attributes=attrs
        )
        if est.max_iter == 0:
            # the untrained model: one (empty) iteration, as scikit-learn reports it
            sub.call_on_fit_task_end(
                estimator=est, X=X, y=y, metadata=metadata, reconstruction_attributes=attrs
            )
            break
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run(i)
        attrs = _attributes(est, result.coef, X, mean, n_classes, penalized)
        stop = sub.call_on_fit_task_end(
            estimator=est, X=X, y=y, metadata=metadata, reconstruction_attributes=attrs
        )
        if stop:
            caught = []  # a requested stop is not a failure to converge
            break
        if result.status != MAX_ITER or result.n_iter < i:
            break
    # scikit-learn's lbfgs reports one more task that never runs (begun, then
    # ended without a model); kept so that hook counts agree
    tail = ctx.subcontext(task_name=_TASK)
    tail.call_on_fit_task_begin(
        estimator=est, X=X, y=y, metadata=metadata, reconstruction_attributes=attrs
    )
    tail.call_on_fit_task_end(estimator=est)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return ctx, metadata, result


class LogisticCallbackMixin(CallbackSupportMixin):
    """scikit-learn's callback support, with LogisticRegression's solver rule."""

    def set_callbacks(self, *callbacks):
        """Set ``sklearn.callback`` callbacks, called around the fit and each iteration.

        Every solver except ``"liblinear"`` reports its iterations (the
        compiled loops are re-run one iteration further at a time, so a fit
        with callbacks costs ``O(n_iter**2)`` iterations; see
        ``_logistic_callbacks.py``). A callback can stop the fit.

        Parameters
        ----------
        *callbacks : callback instances
            The callbacks to set.

        Returns
        -------
        self : LogisticRegression
        """
        if self.solver == "liblinear":
            warnings.warn(
                "Callbacks are only supported in LogisticRegression for solver='lbfgs' (and "
                "fastgrad's other solvers); this estimator has solver='liblinear', callbacks "
                "will be ignored during the solving of the regression.",
                UserWarning,
                stacklevel=2,
            )
        return super().set_callbacks(*callbacks)
