"""Process-wide runtime configuration for the numba kernels.

Imported by every module that runs a numba kernel (``differentiate._batch``,
``optimize._loops.run``) before the first kernel can start numba's thread
pool.  The OpenMP wait policy and the BLAS limits, which the Cython kernels
need too and which must not import numba, are in :mod:`fastgrad._threads`.

Threading layer
---------------
numba can run ``prange`` loops on three layers: ``omp`` (GNU OpenMP),
``tbb`` and ``workqueue``.  Measured on the project's 2-core machines:

* ``omp`` with the default *active* wait policy stalls for several
  milliseconds per call whenever OpenBLAS worker threads are still spinning
  after a numpy BLAS call (a 0.35 ms kernel took a 3.5 ms median);
* ``omp`` with ``OMP_WAIT_POLICY=PASSIVE`` keeps the median near the quiet
  value and shows no stalls;
* ``tbb`` behaves as well, but the pip wheel of TBB is not found by numba
  without ``LD_LIBRARY_PATH`` tricks;
* ``workqueue`` never stalls but aborts the process when two Python threads
  launch parallel kernels at once, so it is only a last resort.

We therefore ask numba for ``omp`` first (then ``tbb``, then ``workqueue``)
and default OpenMP to the passive wait policy.  Both are only *defaults*: an
explicit ``NUMBA_THREADING_LAYER`` or ``OMP_WAIT_POLICY`` set by the user wins.
"""
from __future__ import annotations

import os

from ._threads import blas_single_threaded  # noqa: F401  (sets the OpenMP policy first)

import numba  # noqa: E402

_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "default"
    numba.config.THREADING_LAYER_PRIORITY = list(_LAYER_PRIORITY)

#: Below this many function evaluations per call the serial kernel is used:
#: waking the thread pool costs more than it saves.  Measured crossover on the
#: reference machine for a cheap (~20 ns) function is around 5 000 evaluations.
PARALLEL_MIN_EVALS = 8192


def threading_layer() -> str:
    """Name of the numba threading layer in use (starts the pool if needed)."""
    from numba.np.ufunc import parallel

    parallel._launch_threads()
    return numba.threading_layer()
