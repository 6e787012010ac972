"""briefing: turn a folder of sources into a cross-linked, static briefing site."""

import os

# One BLAS thread, unless the user chose otherwise, set before any module here imports numpy
# (OpenBLAS reads it once, when numpy is first imported): the build's matrix products are small,
# and OpenBLAS's second thread spins after each one on the core another process of the build
# works on (at 5,000 sources 0.8 s of CPU with two threads, 0.4 with one; at 1,000 sources,
# adding one, 0.2 s of CPU once the near-duplicate search imported numpy first: issue 8).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
