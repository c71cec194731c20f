"""Run the benchmarks: `make bench`, or ``python -m tests.bench.run [name ...]`` (default: all).

BENCH_SECONDS sets the length of each measured wrk run (default 10). Figures go to bench-results/.
Exit status 0 when every benchmark ran, whether or not it met its targets (a measurement, not a test);
1 when a benchmark itself broke (a server did not start, wrong responses, wrk missing); 2 for usage.

A benchmark is a module with ``NAME`` and ``run(args) -> int``; add it to BENCHMARKS.
"""

from __future__ import annotations

import argparse
import sys
import traceback

from tests.bench import coding, exports, questionnaire
from tests.bench.harness import BenchError, require_wrk

BENCHMARKS = {module.NAME: module for module in (questionnaire, coding, exports)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    try:
        # a benchmark that runs in-process (NEEDS_WRK = False) does without wrk
        if any(getattr(BENCHMARKS[name], "NEEDS_WRK", True) for name in names):
            require_wrk()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    status = 0
    for name in names:
        try:
            status = max(status, BENCHMARKS[name].run(args))
        except BenchError as error:
            print(f"bench {name}: BROKEN: {error}", file=sys.stderr)
            status = 1
        except Exception:  # noqa: BLE001 - report and go on to the next benchmark
            traceback.print_exc()
            print(f"bench {name}: BROKEN (see the traceback above)", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
