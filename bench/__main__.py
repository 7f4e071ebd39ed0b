"""Every benchmark, one after the other: `make bench`."""

import runpy
import sys

for module in ("bench.pipeline", "bench.case_load"):
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__")
