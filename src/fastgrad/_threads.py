"""Thread settings shared by the numba and the Cython/OpenMP kernels.

This module must stay cheap and free of numba: ``fastgrad/__init__.py``
imports it before anything else.

OpenMP wait policy
------------------
Both numba's ``omp`` threading layer and the Cython kernels (built with
OpenMP) run on GNU libgomp, which reads ``OMP_WAIT_POLICY`` once, when it is
loaded.  With the default *active* policy, idle OpenMP threads spin and a
parallel kernel stalls for milliseconds whenever OpenBLAS threads are still
spinning after a BLAS call (see :mod:`fastgrad._config`); the passive policy
avoids it.  It is set as a default only: a user's own value wins.

Oversubscription
----------------
A user function may itself call BLAS (``np.dot`` inside an ``@njit`` function
goes to the BLAS that numpy/scipy load), and the estimators call BLAS between
their parallel passes.  Inside a parallel kernel each of our threads would
then start its own BLAS threads, so parallel kernels run under
``threadpoolctl`` with BLAS limited to one thread (:func:`blas_single_threaded`).

Fork safety
-----------
GNU libgomp cannot be used again in a process created by ``fork()`` once the
parent has started OpenMP threads: a parallel region in the child waits for
worker threads that were not copied (a Cython kernel hangs) and numba's
``omp`` layer terminates the child.  A fork handler therefore marks every
forked child, and in a marked process all fastgrad kernels run on one thread
(:func:`in_forked_child`).  Workers of a ``multiprocessing`` pool get correct
results this way, one core each, which is what a pool of workers wants; a
child started with the ``spawn`` method is a fresh process and uses threads.
"""
from __future__ import annotations

import contextlib
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_FORKED = False


def _mark_forked_child():
    global _FORKED
    _FORKED = True


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_mark_forked_child)


def in_forked_child() -> bool:
    """True in a process created by ``fork()`` after fastgrad was imported.

    fastgrad's kernels run serially there (see the module notes).
    """
    return _FORKED


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
