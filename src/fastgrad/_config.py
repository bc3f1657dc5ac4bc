"""Process-wide runtime configuration for the numba kernels.

Imported first by ``fastgrad/__init__.py`` so that the choices below are made
before numba starts its thread pool.

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

Oversubscription
----------------
A user function may itself call BLAS (``np.dot`` inside an ``@njit`` function
goes to the BLAS that numpy/scipy load).  Inside a parallel kernel each of our
threads would then start its own BLAS threads, so parallel kernels run under
``threadpoolctl`` with BLAS limited to one thread (see :func:`blas_single_threaded`).
"""
from __future__ import annotations

import contextlib
import os
import sys

# Must happen before libgomp is loaded by numba's omp pool: libgomp reads the
# variable once, at load time.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402

_LAYER_PRIORITY = ["omp", "tbb", "workqueue"]

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "default"
    numba.config.THREADING_LAYER_PRIORITY = list(_LAYER_PRIORITY)

#: Below this many function evaluations per call the serial kernel is used:
#: waking the thread pool costs more than it saves.  Measured crossover on the
#: reference machine for a cheap (~20 ns) function is around 5 000 evaluations.
PARALLEL_MIN_EVALS = 8192

_blas = None  # (number of imported modules when scanned, BLAS controllers)


def _blas_controllers():
    # Scanning the loaded libraries costs ~15 us, so the result is kept and
    # only refreshed when new modules were imported since (a new module may
    # have loaded another BLAS, e.g. scipy's, which numba's np.dot uses).
    global _blas
    count = len(sys.modules)
    if _blas is None or _blas[0] != count:
        from threadpoolctl import ThreadpoolController

        ctrl = ThreadpoolController()
        _blas = (count, [lc for lc in ctrl.lib_controllers if lc.user_api == "blas"])
    return _blas[1]


@contextlib.contextmanager
def blas_single_threaded():
    """Limit BLAS to one thread while a parallel numba kernel runs."""
    changed = []
    for lc in _blas_controllers():
        n = lc.num_threads
        if n != 1:
            lc.set_num_threads(1)
            changed.append((lc, n))
    try:
        yield
    finally:
        for lc, n in changed:
            lc.set_num_threads(n)


def threading_layer() -> str:
    """Name of the numba threading layer in use (starts the pool if needed)."""
    from numba.np.ufunc import parallel

    parallel._launch_threads()
    return numba.threading_layer()
