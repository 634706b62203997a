from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from stconfig.config import LoadedConfig, load, loads
from stconfig.encryption import decrypt_job, encrypt_job
from stconfig.encryption_text import decrypt_text, encrypt_text
from stconfig.errors import StconfigError

pytestmark = pytest.mark.corpus

REDIS_RESOURCES = (
    "seatunnel/seatunnel-e2e/seatunnel-connector-v2-e2e/connector-redis-e2e/src/test/resources"
)


def corpus_configs(corpus: Path) -> list[LoadedConfig]:
    """Load every job config of the corpus that loads without extra variables."""
    configs = []
    for path in sorted((corpus / "seatunnel").rglob("*.conf")):
        try:
            configs.append(load(path))
        except StconfigError:
            continue  # not a job, or needs --var values
    return configs


@pytest.fixture(scope="module")
def configs(corpus: Path) -> list[LoadedConfig]:
    loaded = corpus_configs(corpus)
    assert len(loaded) > 400
    return loaded


def with_identifier(job: dict[str, Any], identifier: str) -> dict[str, Any]:
    job = copy.deepcopy(job)
    env = job.setdefault("env", {})
    env["shade.identifier"] = identifier
    return job


@pytest.mark.parametrize("identifier", ["base64", "aes"])
def test_corpus_job_round_trip(configs: list[LoadedConfig], identifier: str, aes_key: str) -> None:
    for loaded in configs:
        job = with_identifier(loaded.job, identifier)
        assert decrypt_job(encrypt_job(job)) == job, loaded.name


@pytest.mark.parametrize("identifier", ["base64", "aes"])
def test_corpus_text_round_trip(configs: list[LoadedConfig], identifier: str, aes_key: str) -> None:
    encrypted_values = 0
    for loaded in configs:
        encrypted = encrypt_text(loaded, identifier=identifier)
        encrypted_values += len(encrypted.changed)
        reloaded = loads(encrypted.text, name=loaded.name, format=loaded.format)
        expected = with_identifier(loaded.job, identifier)
        if loaded.job.get("env", {}).get("shade.identifier") == identifier:
            expected["env"] = loaded.job["env"]
        assert decrypt_job(reloaded.job) == expected, loaded.name
        assert decrypt_text(reloaded, keep_shade=True).job == expected, loaded.name

        decrypted = decrypt_text(reloaded)
        plain = loads(decrypted.text, name=loaded.name, format=loaded.format).job
        assert plain == decrypted.job, loaded.name
        assert plain == without_shade_settings(expected), loaded.name
    assert encrypted_values > 100


def without_shade_settings(job: dict[str, Any]) -> dict[str, Any]:
    job = copy.deepcopy(job)
    job["env"].pop("shade.identifier")
    job["env"].pop("shade.properties", None)
    return job


def test_corpus_base64_values_decode(corpus: Path) -> None:
    """SeaTunnel's own base64-shaded Redis jobs decode to the password they test with."""
    paths = sorted((corpus / REDIS_RESOURCES).glob("*.conf"))
    shaded = [path for path in paths if 'shade.identifier = "base64"' in path.read_text()]
    assert len(shaded) >= 5
    decoded = 0
    for path in shaded:
        job = decrypt_job(load(path).job)
        for plugin in [*job["source"], *job["sink"]]:
            if "auth" in plugin:
                assert plugin["auth"] == "SeaTunnel", path.name
                decoded += 1
    assert decoded >= 10
