"""Every SeaTunnel config in the corpus loads, and survives a round trip through JSON and HOCON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stconfig.config import RESERVED_VARIABLES, dump_hocon, dump_json, load, loads
from stconfig.errors import NotAJobError

NOT_JOBS = {"application.conf", "cassandra_init.conf", "clickhouse_init.conf"}
VARIABLE = re.compile(r"\$\{\??([^}:]+)(?::[^}]*)?\}")
SHADE_RESOURCES = "seatunnel/seatunnel-config/seatunnel-config-shade/src/test/resources"


def corpus_configs(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.conf"))


def variables_for(path: Path) -> dict[str, str]:
    """Give every `${name}` in a file a value, as SeaTunnel's own tests pass with `-i`."""
    names = set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return {name: "1" for name in names - RESERVED_VARIABLES}


def test_every_e2e_config_loads(corpus: Path):
    e2e = [path for path in corpus_configs(corpus) if "seatunnel-e2e" in path.parts]
    assert len(e2e) > 400
    failures = []
    for path in e2e:
        try:
            if path.name in NOT_JOBS:
                load(path, job=False)
            else:
                load(path, variables=variables_for(path))
        except Exception as exc:  # collect every failure, then report them together
            failures.append(f"{path.relative_to(corpus)}: {exc}")
    assert failures == []


@pytest.mark.parametrize("name", sorted(NOT_JOBS))
def test_non_jobs_are_reported_as_such(corpus: Path, name: str):
    (path,) = [path for path in corpus_configs(corpus) if path.name == name]
    with pytest.raises(NotAJobError, match="not a SeaTunnel job"):
        load(path)


def test_spark_batch_conf_matches_its_json(corpus: Path):
    folder = corpus / SHADE_RESOURCES / "json"
    job = load(folder / "spark.batch.conf").job
    expected = json.loads((folder / "spark.batch.json").read_text(encoding="utf-8"))
    assert job == expected


def test_round_trips_keep_every_job(corpus: Path):
    failures = []
    checked = 0
    for path in corpus_configs(corpus):
        if path.name in NOT_JOBS:
            continue
        job = load(path, variables=variables_for(path)).job
        via_json = loads(dump_json(job), name=f"{path.name}.json", format="json").job
        via_hocon = loads(dump_hocon(job), name=f"{path.name}.hocon", format="hocon").job
        if via_json != job:
            failures.append(f"{path.name}: JSON round trip changed the job")
        if via_hocon != job:
            failures.append(f"{path.name}: HOCON round trip changed the job")
        checked += 1
    assert checked > 400
    assert failures == []
