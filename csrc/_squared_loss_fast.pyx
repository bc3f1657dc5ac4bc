"""Fused least-squares loss and gradient: one pass over the rows of ``X``.

For a C-contiguous ``X`` of shape ``(n, p)``, weights ``s`` (all ones when
``sample_weight`` is None), coefficients ``w`` and intercept ``b``::

    r_i    = x_i . w + b - y_i
    loss   = 0.5 * sum_i s_i r_i**2 / sum_i s_i + 0.5 * alpha * ||w||**2
    grad_w = sum_i s_i r_i x_i / sum_i s_i + alpha * w
    grad_b = sum_i s_i r_i / sum_i s_i

Layers, from the inside out (after scikit-learn's ``_loss``):

1. ``_sample_residual`` -- one sample: ``r_i`` from one row of ``X``;
   ``_dot8`` / ``_axpy8`` do the same work for eight rows at once.
2. ``_accumulate_rows`` -- a serial loop over a range of rows that adds the
   weighted sums into one accumulator row (eight rows per step, one row at a
   time for the remainder).
3. ``_fused_pass`` -- splits the rows into blocks, runs the blocks on OpenMP
   threads (each thread owns one accumulator row), then reduces the rows.
4. ``py_squared_loss_gradient`` / ``py_squared_loss`` -- Python hooks that
   allocate the buffers and call the kernel (used by the wrapper and tests).

The kernels trust their inputs (contiguous, finite, matching shapes); every
check lives in ``fastgrad._squared_loss``. All products and sums are carried
in float64, also for float32 data, so float32 only costs input precision.

Speed notes. The loops are written plainly so that the C compiler vectorises
them; setup.py allows it to reorder floating-point sums (-fassociative-math),
which is what lets it vectorise the dot products. The result is deterministic
for a given build and thread count, but not bit-identical to numpy. For large
X the pass is bound by memory bandwidth; the prefetch keeps the next rows
streaming in while the current ones are being multiplied.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free

import numpy as np

include "_squared_pass.pxi"


# ---------------------------------------------------------------------------
# 4. Python hooks
# ---------------------------------------------------------------------------

def openmp_max_threads():
    """Threads an OpenMP region would use by default (1 without OpenMP)."""
    return fastgrad_openmp_max_threads()


def openmp_enabled():
    """Whether this extension was compiled with OpenMP."""
    return bool(fastgrad_openmp_enabled())


cdef object _run(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight,
    double intercept,
    double alpha,
    int n_threads,
    bint with_grad,
):
    """Allocate the buffers, run the pass, turn the sums into the results."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t stride = _acc_stride(p), j
    cdef const floating* sw = NULL
    cdef double* raw
    cdef double* acc
    cdef double* w
    cdef double sum_s, w_sq = 0.0, loss
    cdef floating[::1] grad_view

    # Shape checks are cheap here and keep a misused hook from reading
    # out of bounds; value checks (finite, weights > 0) are the wrapper's.
    if n < 1 or p < 1:
        raise ValueError(f"X must have at least one row and one column, got shape ({n}, {p})")
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} entries, X has {n} rows")
    if coef.shape[0] != p:
        raise ValueError(f"coef has {coef.shape[0]} entries, X has {p} columns")
    if sample_weight is not None:
        if sample_weight.shape[0] != n:
            raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries, X has {n} rows")
        sw = &sample_weight[0]
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    if not _use_threads(n, p, n_threads):
        n_threads = 1

    # One allocation: thread accumulators + a float64 copy of coef; the extra
    # line of slack is used to align the accumulators to 64 bytes.
    raw = <double*>calloc(n_threads * stride + p + LINE_DOUBLES, sizeof(double))
    if raw == NULL:
        raise MemoryError()
    try:
        acc = <double*>((<uintptr_t>raw + 63) & ~(<uintptr_t>63))
        w = acc + n_threads * stride
        for j in range(p):
            w[j] = coef[j]
            w_sq += w[j] * w[j]
        with nogil:
            _fused_pass(&X[0, 0], &y[0], sw, w, intercept, n, p, n_threads, with_grad, acc)

        sum_s = acc[p + SUM_S]
        loss = 0.5 * acc[p + SUM_R2] / sum_s + 0.5 * alpha * w_sq
        if not with_grad:
            return loss
        grad = np.empty(p, dtype=np.float32 if floating is float else np.float64)
        grad_view = grad
        for j in range(p):
            grad_view[j] = <floating>(acc[j] / sum_s + alpha * w[j])
        return loss, grad, acc[p + SUM_R] / sum_s
    finally:
        free(raw)


def py_squared_loss_gradient(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight=None,
    double intercept=0.0,
    double alpha=0.0,
    int n_threads=1,
):
    """Fused loss and gradient; returns ``(loss, grad_coef, grad_intercept)``.

    Test hook: no validation beyond shapes. Use
    ``fastgrad._squared_loss.squared_loss_gradient`` instead.
    ``grad_coef`` has the dtype of ``X``; ``loss`` and ``grad_intercept`` are
    Python floats.
    """
    return _run(X, y, coef, sample_weight, intercept, alpha, n_threads, True)


def py_squared_loss(
    const floating[:, ::1] X,
    const floating[::1] y,
    const floating[::1] coef,
    const floating[::1] sample_weight=None,
    double intercept=0.0,
    double alpha=0.0,
    int n_threads=1,
):
    """Loss only (the same pass without the gradient accumulation)."""
    return _run(X, y, coef, sample_weight, intercept, alpha, n_threads, False)
