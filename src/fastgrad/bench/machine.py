"""Facts about the machine a benchmark ran on: CPU, cores, memory, BLAS, versions.

Read from the operating system (``/proc/cpuinfo``, ``/proc/meminfo`` on
Linux; ``platform`` elsewhere) and from the loaded libraries
(``threadpoolctl``), never measured: measurements such as the memory
bandwidth are in :mod:`fastgrad.bench.scaling`.
"""
from __future__ import annotations

import importlib.metadata
import os
import platform

#: distributions whose versions explain the numbers (missing ones are skipped)
PACKAGES = ("fastgrad", "numpy", "scipy", "numba", "llvmlite", "scikit-learn", "threadpoolctl",
            "matplotlib", "numdifftools", "jax", "Cython")


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def parse_cpuinfo(text):
    """``(model name, physical cores or None, flags)`` from ``/proc/cpuinfo`` text.

    Physical cores are the distinct ``(physical id, core id)`` pairs; None
    when the file does not list them (e.g. some virtual machines, ARM).
    """
    model, cores, flags = None, set(), set()
    phys = core = None
    for line in text.splitlines() + [""]:
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not key:  # blank line: end of one logical CPU's block
            if phys is not None and core is not None:
                cores.add((phys, core))
            phys = core = None
        elif key in ("model name", "Model", "cpu model") and model is None:
            model = value
        elif key == "physical id":
            phys = value
        elif key == "core id":
            core = value
        elif key in ("flags", "Features") and not flags:
            flags = set(value.split())
    return model, (len(cores) or None), flags


def _memory_gib():
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)  # kB -> GiB
    return None


def blas_info():
    """The BLAS / OpenMP pools loaded in this process, from threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    pools = []
    for p in threadpool_info():
        pools.append({"api": p.get("internal_api"), "user_api": p.get("user_api"),
                      "version": p.get("version"), "threads": p.get("num_threads"),
                      "architecture": p.get("architecture"),
                      "library": os.path.basename(p.get("filepath") or "")})
    return pools


def versions():
    """Installed versions of :data:`PACKAGES` (only those installed) and Python's."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def machine_facts():
    """One JSON-ready dict: CPU model, cores, memory, OS, BLAS pools, versions.

    Examples
    --------
    >>> from fastgrad.bench.machine import machine_facts
    >>> facts = machine_facts()
    >>> facts["logical_cores"] >= 1 and "numpy" in facts["versions"]
    True
    """
    model, physical, flags = parse_cpuinfo(_read("/proc/cpuinfo"))
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        usable = os.cpu_count()
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "neon", "asimd") if f in flags]
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "architecture": platform.machine(),
        "logical_cores": os.cpu_count() or 1,
        "physical_cores": physical,
        "usable_cores": usable,
        "simd": simd,
        "memory_gib": _memory_gib(),
        # other work on the machine while the benchmark ran: load above the
        # core count means shared cores and noisier times
        "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "blas": blas_info(),
        "versions": versions(),
    }
