"""Every benchmark, one after the other, in one table: `make bench`.

    python -m bench [--small] [--out DIR] [--only MODULE ...]

Each module starts what it measures (its own PostgreSQL, and Kafka where it needs one), takes each figure
beside its reference in the same run, and stops them again. The table is printed, and written to
DIR/bench.md and DIR/bench.json (after each module, so that a failure later keeps what was measured).
`--small` runs tiny sizes: it checks that everything runs, and its figures mean nothing.
A module that fails is reported on stderr, the others still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from .report import Figure, markdown, write

# In the order an event travels: filed at intake, appended to its case, relayed, consumed; then a year of
# complaints handled, and its figures and queues read.
MODULES = ("bench.intake", "bench.case", "bench.relay", "bench.pipeline", "bench.complaints")
DEFAULT_OUT = Path(".docket/bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes: checks that it runs, measures nothing")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"where bench.md and bench.json go (default {DEFAULT_OUT}/)"
    )
    parser.add_argument("--only", nargs="+", choices=MODULES, metavar="MODULE", help=f"some of {', '.join(MODULES)}")
    args = parser.parse_args()
    figures: list[Figure] = []
    failed: list[str] = []
    for name in args.only or MODULES:
        module = importlib.import_module(name)
        measure = module.figures
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            found = measure(args.small)
        except Exception:
            traceback.print_exc()
            print(f"bench: {name} failed after {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
            failed.append(name)
            continue
        for figure in found:
            figure.extra.setdefault("module", name)
        figures += found
        print(f"bench: {name} done in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        write(figures, args.out)
    print(markdown(figures))
    md, js = write(figures, args.out)
    print(f"\nwritten: {md}, {js}", file=sys.stderr)
    if failed:
        sys.exit(f"bench: failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
