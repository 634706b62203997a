"""Time a cold `stconfig encrypt` against the start-up of Python with click and AES-GCM.

The floor is `python -c "import click, cryptography.hazmat.primitives.ciphers.aead"`:
the least that any click command using AES-GCM pays. The goal is a ratio of at most 2.

Usage: python benchmarks/bench_encrypt.py [--runs N] [--no-hyperfine]

Both commands run as fresh processes with the same interpreter. The package is
byte-compiled first, as an installed package is, because a PYTHONDONTWRITEBYTECODE
environment would otherwise compile stconfig's sources on every run. hyperfine is used
when it is on PATH; otherwise the commands run alternately. The ratio of the medians is
the figure to report; the ratio of the minimums is steadier on a busy machine.
"""

from __future__ import annotations

import argparse
import base64
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A typical job: a JDBC copy with credentials on both ends, comments and a transform.
JOB = """\
# Copy yesterday's orders from the replica into the warehouse.
env {
  parallelism = 2
  job.mode = "BATCH"
  shade.identifier = "aes"
}

source {
  Jdbc {
    url = "jdbc:mysql://127.0.0.1:3306/shop?useSSL=false"
    driver = "com.mysql.cj.jdbc.Driver"
    username = "reader"
    password = "replica-password-1"   # rotated monthly
    query = "select id, customer, amount, created_at from orders where created_at >= curdate() - 1"
    plugin_output = "orders"
  }
}

transform {
  FieldMapper {
    plugin_input = "orders"
    plugin_output = "orders_out"
    field_mapper = { id = id, customer = customer_name, amount = amount, created_at = created }
  }
}

sink {
  Jdbc {
    plugin_input = "orders_out"
    url = "jdbc:postgresql://127.0.0.1:5432/warehouse"
    driver = "org.postgresql.Driver"
    username = "loader"
    password = "warehouse-password-2"
    database = "warehouse"
    table = "public.orders"
    generate_sink_sql = true
  }
}
"""

FLOOR = [sys.executable, "-c", "import click, cryptography.hazmat.primitives.ciphers.aead"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs per command")
    parser.add_argument("--no-hyperfine", action="store_true", help="use the fallback timer")
    arguments = parser.parse_args()

    compileall.compile_dir(ROOT / "stconfig", quiet=1)
    compileall.compile_dir(ROOT / "shades", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        job = Path(folder) / "job.conf"
        job.write_text(JOB, encoding="utf-8")
        os.environ["STCONFIG_AES_KEY"] = base64.b64encode(os.urandom(32)).decode("ascii")
        encrypt = [sys.executable, "-m", "stconfig", "encrypt", str(job)]
        check = subprocess.run(encrypt, capture_output=True, text=True, check=False)
        if check.returncode != 0 or check.stdout.count("aes:v1:") != 4:
            sys.exit(f"stconfig encrypt failed: {check.stderr}")

        hyperfine = shutil.which("hyperfine")
        if hyperfine and not arguments.no_hyperfine:
            floor, ours = time_with_hyperfine(hyperfine, FLOOR, encrypt, arguments.runs, folder)
            tool = "hyperfine"
        else:
            floor, ours = time_alternately(FLOOR, encrypt, arguments.runs)
            tool = "alternating subprocess runs"

    print(f"timer: {tool}, {arguments.runs} runs each, Python {sys.version.split()[0]}")
    print(f"floor  (python -c 'import click, ...aead')   {describe(floor)}")
    print(f"stconfig encrypt job.conf (aes, 4 secrets)  {describe(ours)}")
    print(
        f"ratio  {ours.median / floor.median:.2f} of the medians, "
        f"{ours.minimum / floor.minimum:.2f} of the minimums (goal: at most 2.00)"
    )


@dataclass
class Timing:
    """Wall-clock seconds of one command over several runs."""

    median: float
    minimum: float


def describe(timing: Timing) -> str:
    return f"median {timing.median * 1000:6.1f} ms, min {timing.minimum * 1000:6.1f} ms"


def time_with_hyperfine(
    hyperfine: str, floor: list[str], ours: list[str], runs: int, folder: str
) -> tuple[Timing, Timing]:
    export = Path(folder) / "hyperfine.json"
    subprocess.run(
        [
            hyperfine,
            "--shell=none",
            "--warmup",
            "5",
            "--runs",
            str(runs),
            "--export-json",
            str(export),
            "--style",
            "none",
            subprocess.list2cmdline(floor),
            subprocess.list2cmdline(ours),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results = json.loads(export.read_text(encoding="utf-8"))["results"]
    floor_result, our_result = (Timing(result["median"], result["min"]) for result in results)
    return floor_result, our_result


def time_alternately(floor: list[str], ours: list[str], runs: int) -> tuple[Timing, Timing]:
    """Run the two commands in turn, so that load changes hit both alike."""
    floor_times: list[float] = []
    our_times: list[float] = []
    for run in range(runs + 5):
        for command, times in ((floor, floor_times), (ours, our_times)):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            if run >= 5:  # the first runs warm the file cache
                times.append(time.perf_counter() - start)
    return (
        Timing(statistics.median(floor_times), min(floor_times)),
        Timing(statistics.median(our_times), min(our_times)),
    )


if __name__ == "__main__":
    main()
