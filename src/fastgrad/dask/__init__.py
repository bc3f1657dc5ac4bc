"""fastgrad's estimators on Dask arrays, for data that outgrows one machine.

``from fastgrad.dask import LogisticRegression`` (and ``LinearRegression``,
``Ridge``, ``Lasso``, ``ElasticNet``, ``PoissonRegressor``,
``HuberRegressor``) gives the same classes as ``fastgrad`` -- same
parameters, objective and fitted attributes; they subclass them -- whose
``fit`` also accepts ``dask.array`` input and whose prediction methods
return lazy Dask arrays for Dask input. numpy / scipy.sparse input runs the
in-memory fit unchanged.

A separate module, as dask-ml's ``dask_ml.linear_model``, rather than Dask
detection inside ``fastgrad.linear_model``: the in-memory estimators stay
free of any Dask code path, ``import fastgrad`` never imports Dask, and
code that means to scale out says so at the import.

How a fit runs (see ``_runner``, ``_partials``, ``_solve``): the validated
row chunks are persisted on the workers once; every solver iteration is one
round of per-chunk tasks -- fastgrad's compiled loss/gradient (and
Hessian) pass on the chunk, or a Gram pass for least squares -- and one tree
reduction of d-sized partial sums; the solver runs on the client. Needs the
``[dask]`` extra: ``pip install "fastgrad[dask]"``.
"""
try:
    import dask.array  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "fastgrad.dask needs dask[array] (and distributed for a cluster); install them with "
        "pip install 'fastgrad[dask]'."
    ) from exc

from ._least_squares import ElasticNet, Lasso, LinearRegression, Ridge
from ._logistic import LogisticRegression
from ._regressors import HuberRegressor, PoissonRegressor

__all__ = [
    "ElasticNet",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
]
