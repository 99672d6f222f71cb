"""Imported first by every bench script: pins numpy's and scikit-learn's thread pools to one
thread before numpy loads, so that figures are per core and comparable between machines."""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
