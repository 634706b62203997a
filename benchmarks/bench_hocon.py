"""Compare stconfig's HOCON loading with pyhocon on the same job, in one run.

Usage: python benchmarks/bench_hocon.py [--runs N]

Prints the median time per parse for a ~2 KB SeaTunnel job with stconfig, pyhocon and
json.loads (of the same job as JSON), the ratio pyhocon / stconfig, the time to load a
5 MB HOCON config, and the wall time of `stconfig --help` in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stconfig.config import dump_json, load, loads

JOB = Path(__file__).parent / "fixtures" / "job.conf"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def big_config(rows: int) -> str:
    lines = ",\n".join(
        f'      {{ kind = INSERT, fields = [{i}, "customer {i}", {i}.25, true] }}'
        for i in range(rows)
    )
    return (
        "env { job.mode = BATCH }\n"
        f"source {{\n  FakeSource {{\n    rows = [\n{lines}\n    ]\n  }}\n}}\n"
        "sink { Console {} }\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=2000, help="parses per parser (pyhocon does a tenth)"
    )
    args = parser.parse_args()

    import pyhocon

    text = JOB.read_text(encoding="utf-8")
    as_json = dump_json(loads(text).job, indent=None)
    ours = median_seconds(lambda: loads(text), args.runs)
    theirs = median_seconds(
        lambda: pyhocon.ConfigFactory.parse_string(text), max(args.runs // 10, 20)
    )
    plain_json = median_seconds(lambda: json.loads(as_json), args.runs)
    print(f"job: {JOB.name}, {len(text.encode())} bytes")
    print(f"stconfig loads:  {ours * 1e6:8.0f} us")
    print(f"pyhocon parse:   {theirs * 1e6:8.0f} us")
    print(f"json.loads:      {plain_json * 1e6:8.1f} us (same job as JSON)")
    print(f"pyhocon / stconfig: {theirs / ours:.1f}x")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.conf"
        path.write_text(big_config(66_000), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        big = median_seconds(lambda: load(path), 3)
    print(f"load {size_mb:.1f} MB HOCON: {big * 1e3:.0f} ms")

    help_runs = [
        median_seconds(
            lambda: subprocess.run(
                [sys.executable, "-m", "stconfig", "--help"], capture_output=True, check=True
            ),
            1,
        )
        for _ in range(10)
    ]
    print(f"stconfig --help (fresh process): {statistics.median(help_runs) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
