"""pytest configuration for the benchmark suite (``benchmarks/``)."""
import numba
import numpy as np

import fastgrad
from fastgrad._config import threading_layer


def pytest_report_header(config):
    # The numbers only make sense next to the versions and the threading setup.
    return (f"fastgrad {fastgrad.__version__}, numpy {np.__version__}, numba {numba.__version__} "
            f"({numba.get_num_threads()} threads, layer {threading_layer()})")
