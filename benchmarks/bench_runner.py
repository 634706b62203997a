"""Compare stconfig's runner with a plain Python script on the same rows, in one run.

Both generate rows of 10 fields (a bigint, three ints, a double, a boolean and four
5-letter strings), random as FakeSource makes them, and write them as JSON lines with
orjson. The plain script is the floor: one dict per row, one `orjson.dumps` per row,
one buffered write per row. stconfig runs FakeSource -> LocalFile json in a worker
process, timed from `Engine.start` to FINISHED, so start-up and commit are included.

    python benchmarks/bench_runner.py                  # 1,000,000 rows, speed ratio
    python benchmarks/bench_runner.py --memory-rows 10000000   # also peak RSS of a 10M-row run
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import sys
import tempfile
import time
from pathlib import Path

import orjson

from stconfig.config import loads
from stconfig.server.engine import Engine

FIELDS = {
    "id": "bigint",
    "i1": "int",
    "i2": "int",
    "i3": "int",
    "d1": "double",
    "b1": "boolean",
    "s1": "string",
    "s2": "string",
    "s3": "string",
    "s4": "string",
}
TARGET_RATIO = 0.5
MEMORY_LIMIT_MB = 200


def plain_script(rows: int, path: Path) -> float:
    """Write `rows` random rows as JSON lines the plain way; return the seconds taken."""
    letters = string.ascii_letters
    randrange, uniform, choices = random.randrange, random.uniform, random.choices
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    started = time.perf_counter()
    with open(path, "wb", buffering=65536) as out:
        for _ in range(rows):
            row = {
                "id": randrange(0, 2**63 - 1),
                "i1": randrange(0, 2**31 - 1),
                "i2": randrange(0, 2**31 - 1),
                "i3": randrange(0, 2**31 - 1),
                "d1": uniform(0, sys.float_info.max),
                "b1": random.random() < 0.5,
                "s1": "".join(choices(letters, k=5)),
                "s2": "".join(choices(letters, k=5)),
                "s3": "".join(choices(letters, k=5)),
                "s4": "".join(choices(letters, k=5)),
            }
            out.write(dumps(row, option=option))
    return time.perf_counter() - started


def runner_job(rows: int, out: Path) -> dict:
    fields = ", ".join(f"{name} = {kind}" for name, kind in FIELDS.items())
    text = f"""
    env {{ job.mode = "BATCH" }}
    source {{ FakeSource {{ plugin_output = "fake", row.num = {rows},
                            schema {{ fields {{ {fields} }} }} }} }}
    sink {{ LocalFile {{ plugin_input = "fake", path = "{out}", file_format_type = "json" }} }}
    """
    return loads(text).job


def run_stconfig(rows: int, folder: Path, job_id: int) -> float:
    """Run FakeSource -> LocalFile json for `rows` rows; return the seconds taken."""
    engine = Engine(folder / "engine")
    started = time.perf_counter()
    handle = engine.start(job_id, runner_job(rows, folder / f"out{job_id}"))
    status = handle.wait()
    elapsed = time.perf_counter() - started
    if status != "FINISHED":
        raise SystemExit(f"stconfig job {status}: {handle.error}")
    written = int(handle.metrics()["SinkWriteCount"])
    if written != rows:
        raise SystemExit(f"stconfig wrote {written} rows, expected {rows}")
    return elapsed


def count_lines(folder: Path) -> int:
    """Count the lines of every file in a folder, reading 1 MB at a time.

    Reading whole files would grow this process, and a worker started afterwards
    inherits that peak in its `ru_maxrss` (the figure covers the forked image too).
    """
    lines = 0
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the speed comparison")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side; the best counts")
    parser.add_argument(
        "--memory-rows", type=int, default=0, help="also run this many rows and report peak RSS"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-runner-") as scratch:
        folder = Path(scratch)
        plain = min(plain_script(args.rows, folder / "plain.json") for _ in range(args.runs))
        ours = min(run_stconfig(args.rows, folder, job_id) for job_id in range(1, args.runs + 1))
        assert count_lines(folder / "out1") == args.rows
        plain_rate, our_rate = args.rows / plain, args.rows / ours
        ratio = our_rate / plain_rate
        print(f"rows: {args.rows:,} (best of {args.runs})")
        print(f"plain script: {plain:6.2f} s  {plain_rate:12,.0f} rows/s")
        print(f"stconfig:     {ours:6.2f} s  {our_rate:12,.0f} rows/s")
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print(f"ratio:        {ratio:.2f}x (target {TARGET_RATIO}x) {verdict}")

        if args.memory_rows:
            seconds = run_stconfig(args.memory_rows, folder, 100)
            # The largest peak of any worker so far: an upper bound for the last one.
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            verdict = "PASS" if peak_mb <= MEMORY_LIMIT_MB else "FAIL"
            print(
                f"memory: {args.memory_rows:,} rows in {seconds:.1f} s, worker peak RSS "
                f"{peak_mb:.0f} MB (limit {MEMORY_LIMIT_MB} MB) {verdict}"
            )


if __name__ == "__main__":
    main()
