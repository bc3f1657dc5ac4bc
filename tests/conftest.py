import os
import sys

# Make the helper modules next to the tests (functions.py, naive.py) importable.
sys.path.insert(0, os.path.dirname(__file__))
