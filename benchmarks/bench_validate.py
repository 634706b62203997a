"""Compare `stconfig validate` with check-jsonschema on the same generated jobs.

Writes 500 SeaTunnel jobs (FakeSource, one to three chained transforms, a Console or
Jdbc sink) as JSON and as HOCON into a temporary folder, then times, in fresh processes:

- check-jsonschema with schemas/job.schema.json on 1 file and on 500 JSON files;
- stconfig validate on the same 1 file and 500 JSON files;
- stconfig validate on the same 500 jobs written as HOCON.

Each figure is the median wall time of several runs after one warm-up run. The targets
are ratios measured in this one run: 500 JSON files at most 0.25x check-jsonschema, one
file at most 0.5x, and 500 HOCON files at most 1.5x stconfig's own JSON time.

Needs check-jsonschema on PATH (pip install check-jsonschema); it is not a dependency
of stconfig. Run: python benchmarks/bench_validate.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stconfig.config import dump_hocon, dump_json

ROOT = Path(__file__).resolve().parent.parent
JOB_SCHEMA = ROOT / "schemas" / "job.schema.json"
FIELD_TYPES = [
    "string",
    "int",
    "bigint",
    "double",
    "boolean",
    "date",
    "timestamp",
    "decimal(10, 2)",
    "float",
    "smallint",
]
TARGETS = {"json_500": 0.25, "one_file": 0.5, "hocon_vs_json": 1.5}


def make_job(rng: random.Random) -> dict:
    """Build one job shaped like a small real pipeline."""
    fields = {f"c{i}": rng.choice(FIELD_TYPES) for i in range(10)}
    names = list(fields)
    source = {
        "plugin_name": "FakeSource",
        "result_table_name": "t0",
        "row.num": rng.randint(10, 10000),
        "split.num": rng.randint(1, 4),
        "schema": {"fields": fields},
    }
    transforms = []
    for step in range(1, rng.randint(1, 3) + 1):
        transforms.append(_transform(rng, step, names))
    last = f"t{len(transforms)}"
    if rng.random() < 0.5:
        sink = {"plugin_name": "Console", "source_table_name": last}
    else:
        sink = {
            "plugin_name": "Jdbc",
            "source_table_name": last,
            "url": "jdbc:mysql://127.0.0.1:3306/db",
            "driver": "com.mysql.cj.jdbc.Driver",
            "user": "writer",
            "password": "not-a-real-secret",
            "generate_sink_sql": True,
            "database": "db",
            "table": f"table_{rng.randint(1, 99)}",
            "batch_size": 1000,
        }
    env = {
        "job.mode": rng.choice(["BATCH", "STREAMING"]),
        "parallelism": rng.randint(1, 8),
        "checkpoint.interval": 10000,
    }
    return {"env": env, "source": [source], "transform": transforms, "sink": [sink]}


def _transform(rng: random.Random, step: int, names: list[str]) -> dict:
    common = {"source_table_name": f"t{step - 1}", "result_table_name": f"t{step}"}
    kind = rng.choice(["Filter", "Sql", "FieldMapper", "Replace"])
    if kind == "Filter":
        return {"plugin_name": kind, **common, "include_fields": names[:6]}
    if kind == "Sql":
        return {
            "plugin_name": kind,
            **common,
            "query": f"select * from t{step - 1} where c1 is not null",
        }
    if kind == "FieldMapper":
        return {
            "plugin_name": kind,
            **common,
            "field_mapper": {name: name.upper() for name in names},
        }
    return {
        "plugin_name": kind,
        **common,
        "replace_field": names[0],
        "pattern": "a",
        "replacement": "b",
        "is_regex": False,
    }


def write_jobs(folder: Path, count: int, seed: int) -> tuple[list[str], list[str]]:
    """Write `count` jobs as JSON and as HOCON; return both lists of paths."""
    rng = random.Random(seed)
    json_files, hocon_files = [], []
    for index in range(count):
        job = make_job(rng)
        json_path = folder / f"job_{index:03d}.json"
        hocon_path = folder / f"job_{index:03d}.conf"
        json_path.write_text(dump_json(job), encoding="utf-8")
        hocon_path.write_text(dump_hocon(job), encoding="utf-8")
        json_files.append(str(json_path))
        hocon_files.append(str(hocon_path))
    return json_files, hocon_files


def timed(command: list[str], runs: int) -> float:
    """Return the median wall time of `command` in seconds; it must exit 0."""
    times = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(
                f"{command[0]} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        if attempt:
            times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per command (default 7).")
    parser.add_argument("--files", type=int, default=500, help="Number of jobs (default 500).")
    args = parser.parse_args()

    checker = shutil.which("check-jsonschema")
    if checker is None:
        sys.exit("check-jsonschema is not installed: pip install check-jsonschema")
    stconfig = [sys.executable, "-m", "stconfig", "validate", "-q"]
    peer = [checker, "--schemafile", str(JOB_SCHEMA)]

    with tempfile.TemporaryDirectory() as tmp:
        json_files, hocon_files = write_jobs(Path(tmp), args.files, seed=20240501)
        figures = {
            "check-jsonschema, 1 JSON file": timed(peer + json_files[:1], args.runs),
            "stconfig, 1 JSON file": timed(stconfig + json_files[:1], args.runs),
            f"check-jsonschema, {args.files} JSON files": timed(peer + json_files, args.runs),
            f"stconfig, {args.files} JSON files": timed(stconfig + json_files, args.runs),
            f"stconfig, {args.files} HOCON files": timed(stconfig + hocon_files, args.runs),
        }

    values = list(figures.values())
    ratios = {
        "one_file": values[1] / values[0],
        "json_500": values[3] / values[2],
        "hocon_vs_json": values[4] / values[3],
    }
    print(f"python {sys.version.split()[0]}, {args.files} files, median of {args.runs} runs")
    for name, seconds in figures.items():
        print(f"  {name:<36} {seconds * 1000:8.1f} ms")
    labels = {
        "json_500": f"stconfig / check-jsonschema, {args.files} JSON files",
        "one_file": "stconfig / check-jsonschema, 1 file (cold)",
        "hocon_vs_json": f"stconfig HOCON / stconfig JSON, {args.files} files",
    }
    for key, ratio in ratios.items():
        verdict = "ok" if ratio <= TARGETS[key] else "MISSED"
        print(f"  {labels[key]:<52} {ratio:5.2f}x (target <= {TARGETS[key]}x) {verdict}")
    print(
        json.dumps(
            {"figures_ms": {k: round(v * 1000, 1) for k, v in figures.items()}, "ratios": ratios}
        )
    )


if __name__ == "__main__":
    main()
