"""Run SeaTunnel's own end-to-end job configs through the runner.

The corpus manifest says how SeaTunnel's tests run each config: the data files to put
in place, the configs to run first and the outcome expected. Container paths
(`/seatunnel/...`, `/tmp/...`) are rewritten in the loaded job to point under a
temporary folder, and the data files are copied there.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stconfig.config import load, plugins
from stconfig.errors import StconfigError
from stconfig.server.engine import Engine

SUPPORTED_PLUGINS = {
    "source": {"fakesource", "localfile", "jdbc"},
    "transform": {"copy", "filter", "fieldmapper", "replace", "split", "filterrowkind", "sql"},
    "sink": {"console", "assert", "localfile", "jdbc"},
}
SUPPORTED_FORMATS = {"text", "csv", "json", "parquet", "orc"}
CONTAINER_ROOTS = ("/seatunnel/", "/tmp/")
BATCH_TIMEOUT = 60.0
STREAMING_RUN_SECONDS = 3.0
PASS_RATE = 0.9


@dataclass
class Outcome:
    config: str
    passed: bool
    reason: str


def config_name(entry: dict[str, Any]) -> str:
    return entry["config"].split("/src/test/resources/")[-1]


def unsupported_reason(entry: dict[str, Any], corpus: Path) -> str | None:
    """Return why an entry is outside what the runner supports, or None."""
    if not entry["test"]:
        return "SeaTunnel's tests never submit it"
    missing = [name for name in entry["order"] if not (corpus / "seatunnel" / name).is_file()]
    if missing:
        return f"the corpus lacks {', '.join(missing)}, which must run first"
    allowed = entry["engines"].get("allowed") or []
    if "SEATUNNEL" not in allowed:
        return "SeaTunnel's tests run it only on Flink or Spark"
    job = load(corpus / "seatunnel" / entry["config"], variables=entry["variables"]).job
    for section, _, plugin in plugins(job):
        name = str(plugin.get("plugin_name", "")).lower()
        if name not in SUPPORTED_PLUGINS[section]:
            return f"plugin {section} {plugin.get('plugin_name')} is not supported"
        kinds = [plugin.get("file_format_type")]
        kinds += [item.get("file_format_type") for item in plugin.get("tables_configs") or []]
        for kind in kinds:
            if kind is not None and str(kind).lower() not in SUPPORTED_FORMATS:
                return f"file format {kind} is not supported"
    if "tag_filter" in (job.get("env") or {}) or "slot" in entry["expect_output"]:
        return "its outcome depends on SeaTunnel's worker tags or slot count"
    return None


def rewrite_paths(value: Any, root: Path) -> Any:
    """Return a copy of a job with every container path moved under `root`."""
    if isinstance(value, dict):
        return {key: rewrite_paths(item, root) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite_paths(item, root) for item in value]
    if isinstance(value, str) and value.startswith(CONTAINER_ROOTS):
        return str(root) + value
    return value


def stage_files(entry: dict[str, Any], corpus: Path, root: Path) -> None:
    """Copy the entry's data files, and build the archives its test generates."""
    for item in entry["files"]:
        if item.get("kind") == "engine-config":
            continue
        target = root / item["to"].lstrip("/")
        if "from" in item:
            source = corpus / "seatunnel" / item["from"]
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, target)
        elif "from_resources" in item:
            build_archive(item, corpus, target)
        else:
            target.mkdir(parents=True, exist_ok=True)


def build_archive(item: dict[str, Any], corpus: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    sources = [corpus / "seatunnel" / name for name in item["from_resources"]]
    names = [f"{index}{path.stem}_0{path.suffix}" for index, path in enumerate(sources)]
    if target.name.endswith(".zip"):
        with zipfile.ZipFile(target, "w") as bundle:
            for path, name in zip(sources, names, strict=True):
                bundle.write(path, name)
        return
    mode = "w:gz" if target.name.endswith((".tar.gz", ".tgz")) else "w"
    with tarfile.open(target, mode) as bundle:
        for path, name in zip(sources, names, strict=True):
            bundle.add(path, name)


def run_config(
    engine: Engine, job_id: int, path: Path, variables: dict[str, str], root: Path
) -> tuple[str, str | None]:
    job = rewrite_paths(load(path, variables=variables).job, root)
    streaming = str((job.get("env") or {}).get("job.mode", "BATCH")).upper() == "STREAMING"
    handle = engine.start(job_id, job)
    status = handle.wait(STREAMING_RUN_SECONDS if streaming else BATCH_TIMEOUT)
    if status not in ("FINISHED", "FAILED", "CANCELED"):
        handle.cancel()
        handle.wait(10)
        if not streaming:
            return "TIMEOUT", f"still {status} after {BATCH_TIMEOUT:.0f} s"
        return "STOPPED", handle.error
    return status, handle.error


def judge(entry: dict[str, Any], status: str, error: str | None) -> Outcome:
    name = config_name(entry)
    expected_exit, expected_status = entry["expect_exit"], entry["expect_status"]
    if status == "STOPPED":
        return Outcome(name, True, "streaming job stopped after a bounded time")
    if expected_exit == "nonzero":
        return Outcome(name, status == "FAILED", f"expected a failure, got {status}")
    if expected_exit == 0 or expected_status == "FINISHED":
        return Outcome(name, status == "FINISHED", f"{status}: {error}")
    return Outcome(name, status != "FAILED", f"{status}: {error}")


def run_entry(
    engine: Engine, entry: dict[str, Any], corpus: Path, root: Path, job_id: int
) -> Outcome:
    stage_files(entry, corpus, root)
    try:
        for earlier in entry["order"]:
            run_config(engine, job_id, corpus / "seatunnel" / earlier, {}, root)
        runs = entry.get("variable_runs") or [entry["variables"]]
        outcome = Outcome(config_name(entry), False, "not run")
        for variables in runs:
            status, error = run_config(
                engine, job_id, corpus / "seatunnel" / entry["config"], variables, root
            )
            outcome = judge(entry, status, error)
            if not outcome.passed:
                break
        return outcome
    except StconfigError as exc:
        return Outcome(config_name(entry), False, f"load failed: {exc}")


@pytest.mark.corpus
def test_seatunnel_e2e_configs_pass(corpus: Path, tmp_path: Path) -> None:
    manifest = json.loads((corpus / "e2e-manifest.json").read_text(encoding="utf-8"))
    engine = Engine(tmp_path / "engine")
    outcomes: list[Outcome] = []
    skipped: list[tuple[str, str]] = []
    for number, entry in enumerate(manifest, start=1):
        reason = unsupported_reason(entry, corpus)
        if reason is not None:
            skipped.append((config_name(entry), reason))
            continue
        outcomes.append(run_entry(engine, entry, corpus, tmp_path / f"entry{number}", number))
    engine.shutdown()

    passed = [outcome for outcome in outcomes if outcome.passed]
    print(f"\n{len(passed)} of {len(outcomes)} supported SeaTunnel e2e configs pass")
    for outcome in outcomes:
        if not outcome.passed:
            print(f"  FAIL {outcome.config}: {outcome.reason[:300]}")
    print(f"{len(skipped)} configs are outside what the runner supports:")
    for name, reason in skipped:
        print(f"  SKIP {name}: {reason}")
    assert outcomes, "no manifest entry is supported"
    assert len(passed) >= PASS_RATE * len(outcomes), [o for o in outcomes if not o.passed]
