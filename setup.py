"""Cython extensions of fastgrad (all other metadata is in pyproject.toml).

Every ``csrc/NAME.pyx`` becomes the extension module
``fastgrad.linear_model.NAME``: the compiled kernels are the model kernels,
known at build time, behind the estimators (the derivative and ``minimize``
kernels of user functions are numba, compiled at run time).

Environment switches:

* ``FASTGRAD_DEBUG_BUILD=1`` -- turn bounds, wraparound and initialisation
  checks back on (slow; for hunting memory errors).
* ``FASTGRAD_DISABLE_OPENMP=1`` -- build without OpenMP (``prange`` then
  runs serially).
"""
import os
import sys
import tempfile
import textwrap
from glob import glob
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def _env_flag(name):
    return os.environ.get(name, "0").strip().lower() not in ("", "0", "false", "no")


DEBUG = _env_flag("FASTGRAD_DEBUG_BUILD")
NO_OPENMP = _env_flag("FASTGRAD_DISABLE_OPENMP")
# One directory of generated C per configuration: timestamps alone would
# keep a debug .c (or .so) around after switching back to a release build.
CONFIG = ("debug" if DEBUG else "release") + ("-noopenmp" if NO_OPENMP else "")

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": True,
}

_OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        return omp_get_max_threads() > 0 && n > 0 ? 0 : 1;
    }
    """
)


def _openmp_flags(compiler):
    """(compile_args, link_args) that enable OpenMP, or None if unavailable.

    gcc / clang with libomp: ``-fopenmp``; MSVC: ``/openmp``. Apple's clang
    has no OpenMP unless libomp is installed, so the flags are probed by
    compiling a small program; if that fails we build without OpenMP.
    """
    if NO_OPENMP:
        return None
    if compiler.compiler_type == "msvc":
        return ["/openmp"], []
    if sys.platform == "darwin":
        candidates = [(["-Xpreprocessor", "-fopenmp"], ["-lomp"]), (["-fopenmp"], ["-fopenmp"])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    for cflags, ldflags in candidates:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as fh:
                fh.write(_OPENMP_PROBE)
            try:
                objects = compiler.compile([src], output_dir=tmp, extra_postargs=cflags)
                compiler.link_executable(
                    objects, "probe", output_dir=tmp, extra_postargs=ldflags
                )
            except Exception:  # any compile/link failure means "no OpenMP"
                continue
        return cflags, ldflags
    return None


class BuildExt(build_ext):
    """Adds optimisation and (when it works) OpenMP flags per compiler."""

    def build_extensions(self):
        # The flags depend on environment switches that setuptools' timestamp
        # check cannot see, so always compile (a few seconds per module).
        self.force = True
        if self.compiler.compiler_type == "msvc":
            cflags = ["/O2"]
        elif DEBUG:
            cflags = ["-O0", "-g"]
        else:
            # -O3 turns on the loop vectoriser; no -march=native, the wheels
            # must run on any CPU of the target architecture.
            # -fassociative-math (which needs the other two) lets it reorder
            # sums, without which no dot product is vectorised (~2x slower
            # kernels). Unlike -ffast-math it keeps NaN/inf semantics. Don't
            # write compensated (Kahan) sums in csrc/: they would be folded.
            cflags = ["-O3", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"]
        ldflags = []
        openmp = _openmp_flags(self.compiler)
        if openmp is None:
            print("fastgrad: building WITHOUT OpenMP; prange loops run serially")
        else:
            cflags += openmp[0]
            ldflags += openmp[1]
        for ext in self.extensions:
            ext.extra_compile_args = cflags + list(ext.extra_compile_args)
            ext.extra_link_args = ldflags + list(ext.extra_link_args)
        super().build_extensions()


def _extensions():
    sources = sorted(glob("csrc/*.pyx", root_dir=HERE))
    extensions = [
        Extension("fastgrad.linear_model." + Path(src).stem, [src]) for src in sources
    ]
    return cythonize(
        extensions,
        compiler_directives=COMPILER_DIRECTIVES,
        build_dir=os.path.join("build", "cython-" + CONFIG),
    )


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
