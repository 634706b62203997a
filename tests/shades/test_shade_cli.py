from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from shade_helpers import RunCli, assert_secret_free, new_key

JOB = """\
# Orders export
env {
  job.mode = "BATCH"
  shade.identifier = "base64"
}
source {
  FakeSource {
    plugin_output = "fake"
    username = "user1"
    password = "secret-1"   # keep this comment
    row.num = 5
    schema { fields { id = int } }
  }
}
sink {
  Console { plugin_input = "fake", token = "k1" }
}
"""
ENCODED = (
    JOB.replace('"user1"', '"dXNlcjE="')
    .replace('"secret-1"', '"c2VjcmV0LTE="')
    .replace('"k1"', '"azE="')
)
BASE64_WARNING = "the base64 shade only encodes values"
PLAIN_JOB = JOB.replace('  shade.identifier = "base64"\n', "")
REMOVED_NOTE = (
    'removed env."shade.identifier" from the result, so that it runs as a plain-text job; '
    "to encrypt the result again later, pass --keep-shade to keep it"
)


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    path = tmp_path / "job.conf"
    path.write_text(JOB, encoding="utf-8")
    return path


def aes_job(tmp_path: Path, text: str = JOB) -> Path:
    path = tmp_path / "aes.conf"
    path.write_text(text.replace('"base64"', '"aes"'), encoding="utf-8")
    return path


def test_encrypt_prints_to_stdout(run_cli: RunCli, job_file: Path) -> None:
    result = run_cli("encrypt", str(job_file))
    assert result.returncode == 0
    assert result.stdout == ENCODED
    assert result.stderr.count(BASE64_WARNING) == 1
    assert job_file.read_text(encoding="utf-8") == JOB


def test_decrypt_prints_to_stdout(run_cli: RunCli, tmp_path: Path) -> None:
    encoded = tmp_path / "encoded.conf"
    encoded.write_text(ENCODED, encoding="utf-8")
    result = run_cli("decrypt", str(encoded))
    assert result.returncode == 0
    assert result.stdout == PLAIN_JOB
    assert result.stderr.count(BASE64_WARNING) == 1
    assert result.stderr.endswith(REMOVED_NOTE + "\n")


def test_decrypt_keep_shade(run_cli: RunCli, tmp_path: Path) -> None:
    encoded = tmp_path / "encoded.conf"
    encoded.write_text(ENCODED, encoding="utf-8")
    result = run_cli("decrypt", "--keep-shade", str(encoded))
    assert result.returncode == 0
    assert result.stdout == JOB
    assert result.stderr.count(BASE64_WARNING) == 1
    assert "removed" not in result.stderr


def test_decrypt_in_place_then_encrypt(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(ENCODED, encoding="utf-8")
    decrypted = run_cli("decrypt", "--in-place", str(path))
    assert decrypted.returncode == 0
    assert decrypted.stdout == ""
    assert decrypted.stderr.splitlines()[-2:] == [
        f"{path}: decrypted 3 value(s) with the base64 shade",
        REMOVED_NOTE,
    ]
    assert path.read_text(encoding="utf-8") == PLAIN_JOB

    plain = run_cli("encrypt", str(path))
    assert plain.returncode == 1
    assert "pass --identifier to stconfig encrypt" in plain.stderr
    encrypted = run_cli("encrypt", "--identifier", "base64", str(path))
    assert encrypted.returncode == 0
    assert encrypted.stdout == ENCODED.replace(
        '  job.mode = "BATCH"\n  shade.identifier = "base64"\n',
        '  shade.identifier = "base64"\n  job.mode = "BATCH"\n',
    )


def test_encrypt_output_file(run_cli: RunCli, job_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.conf"
    result = run_cli("encrypt", str(job_file), "-o", str(output))
    assert result.returncode == 0
    assert result.stdout == ""
    assert f"{output}: encrypted 3 value(s) with the base64 shade" in result.stderr
    assert output.read_text(encoding="utf-8") == ENCODED


def test_encrypt_in_place_keeps_mode(run_cli: RunCli, job_file: Path, tmp_path: Path) -> None:
    job_file.chmod(0o640)
    result = run_cli("encrypt", "--in-place", str(job_file))
    assert result.returncode == 0
    assert result.stdout == ""
    assert "encrypted 3 value(s)" in result.stderr
    assert job_file.read_text(encoding="utf-8") == ENCODED
    assert stat.S_IMODE(job_file.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["job.conf"]  # no temporary file left


def test_in_place_follows_symlink(run_cli: RunCli, job_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.conf"
    link.symlink_to(job_file)
    result = run_cli("encrypt", "--in-place", str(link))
    assert result.returncode == 0
    assert link.is_symlink()
    assert job_file.read_text(encoding="utf-8") == ENCODED


def test_in_place_keeps_bom_and_crlf(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_bytes(b"\xef\xbb\xbf" + JOB.replace("\n", "\r\n").encode("utf-8"))
    result = run_cli("encrypt", "--in-place", str(path))
    assert result.returncode == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + ENCODED.replace("\n", "\r\n").encode("utf-8")


def test_encrypt_json_from_stdin(run_cli: RunCli) -> None:
    job = {
        "env": {"shade.identifier": "base64"},
        "source": [{"plugin_name": "FakeSource", "password": "secret-1"}],
        "sink": [{"plugin_name": "Console"}],
    }
    text = json.dumps(job, indent=2) + "\n"
    result = run_cli("encrypt", "-", input=text)
    assert result.returncode == 0
    assert result.stdout == text.replace('"secret-1"', '"c2VjcmV0LTE="')


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--in-place", "-o", "x.conf"], "use either --in-place or --output"),
        (["--in-place", "-"], "--in-place needs a file"),
    ],
)
def test_in_place_usage_errors(
    run_cli: RunCli, job_file: Path, args: list[str], message: str
) -> None:
    file_args = [] if "-" in args else [str(job_file)]
    result = run_cli("encrypt", *args, *file_args, input="")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_unknown_identifier_fails(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    text = JOB.replace('"base64"', '"myprotection"')
    path.write_text(text, encoding="utf-8")
    result = run_cli("encrypt", "--in-place", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown shade 'myprotection'")
    assert "installed shades: aes, base64" in result.stderr
    assert path.read_text(encoding="utf-8") == text


def test_unknown_identifier_option_fails(run_cli: RunCli, job_file: Path) -> None:
    result = run_cli("decrypt", "--identifier", "rot13", str(job_file))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: unknown shade 'rot13'; installed shades: aes, base64. Fix the "
        'spelling of env."shade.identifier" in the job (or of --identifier, if you passed it '
        "to stconfig encrypt or decrypt), or install the package that provides the shade\n"
    )


def test_missing_identifier_fails_with_fix(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('  shade.identifier = "base64"\n', ""), encoding="utf-8")
    result = run_cli("encrypt", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f'error: {path}: no shade chosen: the job has no env."shade.identifier"; set '
        'shade.identifier = "aes" in its env block, or pass --identifier to stconfig '
        "encrypt (installed shades: aes, base64)\n"
    )


def test_identifier_added_to_one_line_env(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "e.conf"
    path.write_text(
        'env { job.mode = "BATCH" }\nsource { Jdbc { password = "p" } }\nsink { Console {} }\n',
        encoding="utf-8",
    )
    result = run_cli("encrypt", "--identifier", "base64", str(path))
    assert result.returncode == 0
    assert result.stdout == (
        'env { shade.identifier = "base64", job.mode = "BATCH" }\n'
        'source { Jdbc { password = "cA==" } }\nsink { Console {} }\n'
    )
    assert "error" not in result.stderr
    assert result.stderr.count(BASE64_WARNING) == 1


def test_identifier_option_overrides(run_cli: RunCli, job_file: Path, aes_key: str) -> None:
    result = run_cli("encrypt", "--identifier", "AES", str(job_file))
    assert result.returncode == 0
    assert 'shade.identifier = "aes"' in result.stdout
    assert "aes:v1:" in result.stdout
    assert BASE64_WARNING not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            JOB.replace("FakeSource {", "X {}\n  Y {", 1).replace("source {", "nosource {"),
            "no source",
        ),
        (
            'env { shade.identifier = "base64" }\nsource {}\nsink { Console {} }\n',
            "source block is empty",
        ),
        ('env { shade.identifier = "base64" }\nsource { A {} }\nsink {}\n', "sink block is empty"),
    ],
    ids=["missing-source", "empty-source", "empty-sink"],
)
def test_bad_structure_fails(run_cli: RunCli, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "job.conf"
    path.write_text(text, encoding="utf-8")
    result = run_cli("encrypt", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_aes_round_trip_with_env_key(run_cli: RunCli, tmp_path: Path, aes_key: str) -> None:
    path = aes_job(tmp_path)
    encrypted = run_cli("encrypt", str(path))
    assert encrypted.returncode == 0
    assert "secret-1" not in encrypted.stdout
    assert encrypted.stdout.count("aes:v1:") == 3

    path.write_text(encrypted.stdout, encoding="utf-8")
    decrypted = run_cli("decrypt", str(path))
    assert decrypted.returncode == 0
    assert decrypted.stdout == PLAIN_JOB


RUNNABLE_JOB = """\
env {
  job.mode = "BATCH"
  shade.identifier = "aes"
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 2
    password = "secret-1"
    schema { fields { id = int } }
  }
}
sink {
  Console { plugin_input = "fake" }
}
"""


def test_decrypted_job_runs(run_cli: RunCli, tmp_path: Path, aes_key: str) -> None:
    path = tmp_path / "job.conf"
    path.write_text(RUNNABLE_JOB, encoding="utf-8")
    assert run_cli("encrypt", "--in-place", str(path)).returncode == 0
    plain = tmp_path / "plain.conf"
    assert run_cli("decrypt", str(path), "-o", str(plain)).returncode == 0
    assert plain.read_text(encoding="utf-8") == RUNNABLE_JOB.replace(
        '  shade.identifier = "aes"\n', ""
    )

    result = run_cli("run", str(plain))
    assert result.returncode == 0
    assert result.stdout.count("SeaTunnelRow#tableId=fake") == 2
    assert "Job FINISHED" in result.stderr
    assert "error" not in result.stderr


def test_kept_shade_job_fails_clearly(run_cli: RunCli, tmp_path: Path, aes_key: str) -> None:
    path = tmp_path / "job.conf"
    path.write_text(RUNNABLE_JOB, encoding="utf-8")
    assert run_cli("encrypt", "--in-place", str(path)).returncode == 0
    kept_shade = tmp_path / "kept_shade.conf"
    assert run_cli("decrypt", "--keep-shade", str(path), "-o", str(kept_shade)).returncode == 0

    result = run_cli("run", str(kept_shade))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "error: source[0].password: cannot decrypt with the aes shade: the value is not an "
        "aes token (it does not start with 'aes:v1:'); if the config contains plain values, "
        "as stconfig decrypt --keep-shade writes them, encrypt it with stconfig encrypt FILE "
        'or remove env."shade.identifier"'
    )


def test_aes_already_encrypted_left_alone(run_cli: RunCli, tmp_path: Path, aes_key: str) -> None:
    path = aes_job(tmp_path)
    first = run_cli("encrypt", "--in-place", str(path))
    assert first.returncode == 0
    once = path.read_text(encoding="utf-8")
    second = run_cli("encrypt", "--in-place", str(path))
    assert second.returncode == 0
    assert "encrypted 0 value(s)" in second.stderr
    assert path.read_text(encoding="utf-8") == once


def test_key_files_first_one_encrypts(run_cli: RunCli, tmp_path: Path) -> None:
    new, old = tmp_path / "new.key", tmp_path / "old.key"
    for key_file in (new, old):
        assert run_cli("keygen", str(key_file)).returncode == 0
    path = aes_job(tmp_path)
    encrypted = run_cli("encrypt", "--key-file", str(new), "--key-file", str(old), str(path))
    assert encrypted.returncode == 0
    path.write_text(encrypted.stdout, encoding="utf-8")

    with_new = run_cli("decrypt", "--key-file", str(new), str(path))
    assert with_new.returncode == 0
    assert "secret-1" in with_new.stdout
    with_old = run_cli("decrypt", "--key-file", str(old), str(path))
    assert with_old.returncode == 1
    assert with_old.stdout == ""
    assert "source[0].password: cannot decrypt with the aes shade" in with_old.stderr


def test_key_rotation_with_keep_shade(run_cli: RunCli, tmp_path: Path) -> None:
    new, old = tmp_path / "new.key", tmp_path / "old.key"
    for key_file in (new, old):
        assert run_cli("keygen", str(key_file)).returncode == 0
    path = aes_job(tmp_path)
    assert run_cli("encrypt", "--key-file", str(old), "--in-place", str(path)).returncode == 0

    both = ["--key-file", str(new), "--key-file", str(old)]
    decrypted = run_cli("decrypt", *both, "--keep-shade", "--in-place", str(path))
    assert decrypted.returncode == 0
    assert "removed" not in decrypted.stderr
    encrypted = run_cli("encrypt", *both, "--in-place", str(path))
    assert encrypted.returncode == 0
    assert f"{path}: encrypted 3 value(s) with the aes shade" in encrypted.stderr

    with_new = run_cli("decrypt", "--key-file", str(new), str(path))
    assert with_new.returncode == 0
    assert with_new.stdout == PLAIN_JOB
    with_old = run_cli("decrypt", "--key-file", str(old), str(path))
    assert with_old.returncode == 1
    assert with_old.stdout == ""


def test_key_file_named_in_shade_properties(run_cli: RunCli, tmp_path: Path) -> None:
    key_file = tmp_path / "job.key"
    assert run_cli("keygen", str(key_file)).returncode == 0
    text = JOB.replace(
        'shade.identifier = "base64"',
        f'shade.identifier = "aes"\n  shade.properties = {{ key_file = "{key_file}" }}',
    )
    path = tmp_path / "job.conf"
    path.write_text(text, encoding="utf-8")
    assert run_cli("encrypt", "--in-place", str(path)).returncode == 0
    assert "secret-1" not in path.read_text(encoding="utf-8")
    decrypted = run_cli("decrypt", str(path))
    assert decrypted.returncode == 0
    assert decrypted.stdout == PLAIN_JOB
    assert decrypted.stderr == (
        'removed env."shade.identifier" and env."shade.properties" from the result, so '
        "that it runs as a plain-text job; to encrypt the result again later, pass "
        "--keep-shade to keep them\n"
    )
    with_shade = run_cli("decrypt", "--keep-shade", str(path))
    assert with_shade.returncode == 0
    assert with_shade.stdout == text
    assert with_shade.stderr == ""


def test_aes_without_key_fails(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("encrypt", str(aes_job(tmp_path)))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "source[0].password: cannot encrypt with the aes shade: no AES key" in result.stderr
    assert "secret-1" not in result.stderr


def test_key_file_with_tilde(run_cli: RunCli, tmp_path: Path, isolated_home: Path) -> None:
    assert run_cli("keygen", str(isolated_home / ".config/stconfig/orders.key")).returncode == 0
    properties = 'shade.properties { key_file = "~/.config/stconfig/orders.key" }'
    text = JOB.replace('shade.identifier = "base64"', f'shade.identifier = "aes"\n  {properties}')
    path = tmp_path / "job.conf"
    path.write_text(text, encoding="utf-8")
    encrypted = run_cli("encrypt", str(path))
    assert encrypted.returncode == 0
    assert encrypted.stdout.count("aes:v1:") == 3
    assert "error" not in encrypted.stderr

    bare = tmp_path / "bare.conf"
    bare.write_text(encrypted.stdout.replace("\n  shade.properties {", "\n  # {"), encoding="utf-8")
    decrypted = run_cli("decrypt", "--key-file", "~/.config/stconfig/orders.key", str(bare))
    assert decrypted.returncode == 0
    assert "secret-1" in decrypted.stdout
    assert "error" not in decrypted.stderr


def test_missing_key_file_not_found(run_cli: RunCli, tmp_path: Path, isolated_home: Path) -> None:
    path = aes_job(tmp_path)
    result = run_cli("encrypt", "--key-file", "~/.config/stconfig/orders.key", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}: source[0].password: cannot encrypt with the aes shade: the AES key "
        f"file {isolated_home}/.config/stconfig/orders.key was not found; check the path\n"
    )


def test_aes_malformed_key_fails(run_cli: RunCli, tmp_path: Path) -> None:
    short_key = base64.b64encode(b"0123456789abcdef").decode()
    result = run_cli("encrypt", str(aes_job(tmp_path)), env={"STCONFIG_AES_KEY": short_key})
    assert result.returncode == 1
    assert result.stdout == ""
    assert "source[0].password" in result.stderr
    assert "is 16 bytes long, but AES-256 needs 32" in result.stderr
    assert_secret_free(result.stderr, short_key, "secret-1")


def test_aes_wrong_tampered_truncated_fail(run_cli: RunCli, tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    path = aes_job(tmp_path)
    encrypted = run_cli("encrypt", str(path), env={"STCONFIG_AES_KEY": key})
    assert encrypted.returncode == 0
    sink_line = next(line for line in encrypted.stdout.splitlines() if "Console" in line)
    token = sink_line.split('token = "')[1].split('"')[0]
    tampered_token = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    cases = {
        "wrong-key": (encrypted.stdout, other),
        "tampered": (encrypted.stdout.replace(token, tampered_token), key),
        "truncated": (encrypted.stdout.replace(token, token[:30]), key),
    }
    for name, (text, use_key) in cases.items():
        path.write_text(text, encoding="utf-8")
        result = run_cli("decrypt", str(path), env={"STCONFIG_AES_KEY": use_key})
        assert result.returncode == 1, name
        assert result.stdout == "", name
        assert "error: " in result.stderr, name
        expected_field = "source[0].password" if name == "wrong-key" else "sink[0].token"
        assert expected_field in result.stderr, name
        assert_secret_free(result.stderr, key, other, token, tampered_token, "secret-1", "user1")


def test_keygen_writes_private_file(run_cli: RunCli, tmp_path: Path) -> None:
    key_file = tmp_path / "stconfig.key"
    result = run_cli("keygen", str(key_file))
    assert result.returncode == 0
    assert result.stdout == ""
    assert f"wrote a new AES-256 key to {key_file} (mode 0600)" in result.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text(encoding="utf-8").strip()
    assert len(base64.b64decode(key)) == 32
    assert key not in result.stderr


@pytest.mark.parametrize("umask", [0o022, 0o002], ids=["umask-022", "umask-002"])
def test_keygen_creates_private_folders(run_cli: RunCli, isolated_home: Path, umask: int) -> None:
    key_file = isolated_home / ".config" / "stconfig" / "orders.key"
    previous = os.umask(umask)
    try:
        result = run_cli("keygen", str(key_file))
    finally:
        os.umask(previous)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"created the folder {isolated_home / '.config'} (mode 0700)",
        f"created the folder {isolated_home / '.config' / 'stconfig'} (mode 0700)",
        f"wrote a new AES-256 key to {key_file} (mode 0600)",
    ]
    assert stat.S_IMODE((isolated_home / ".config").stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(key_file.read_text(encoding="utf-8").strip())) == 32


def test_keygen_expands_home(run_cli: RunCli, isolated_home: Path) -> None:
    result = run_cli("keygen", "~/keys/orders.key")
    key_file = isolated_home / "keys" / "orders.key"
    assert result.returncode == 0
    assert result.stdout == ""
    assert f"wrote a new AES-256 key to {key_file} (mode 0600)" in result.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_keygen_folder_is_a_file(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "keys").write_text("", encoding="utf-8")
    result = run_cli("keygen", str(tmp_path / "keys" / "orders.key"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == f"error: {tmp_path / 'keys' / 'orders.key'}: cannot be written: Not a directory\n"
    )


def test_keygen_refuses_existing_file(run_cli: RunCli, tmp_path: Path) -> None:
    key_file = tmp_path / "stconfig.key"
    key_file.write_text("keep\n", encoding="utf-8")
    result = run_cli("keygen", str(key_file))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "already exists" in result.stderr
    assert key_file.read_text(encoding="utf-8") == "keep\n"
    forced = run_cli("keygen", "--force", str(key_file))
    assert forced.returncode == 0
    assert key_file.read_text(encoding="utf-8") != "keep\n"


def test_shades_lists_builtins(run_cli: RunCli) -> None:
    result = run_cli("shades")
    assert result.returncode == 0
    assert result.stderr == ""
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[0] == ["IDENTIFIER", "DISTRIBUTION", "VERSION", "KIND"]
    rows = {line[0]: line for line in lines[1:]}
    assert rows["aes"][1:] == ["stconfig", "0.1.0", "encrypts"]
    assert rows["base64"][1:] == ["stconfig", "0.1.0", "encodes", "only"]


def test_variable_value_left_as_written(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('"secret-1"', "${DB_PASSWORD}"), encoding="utf-8")
    result = run_cli("encrypt", "--in-place", "--var", "DB_PASSWORD=from-var-9", str(path))
    assert result.returncode == 0
    text = path.read_text(encoding="utf-8")
    assert "password = ${DB_PASSWORD}" in text
    assert "from-var-9" not in text
    assert "from-var-9" not in result.stderr
    assert "source[0].password is written with a ${...} variable" in result.stderr
    assert "left 1 written with ${...} variables as they are" in result.stderr


def test_encrypt_without_variable_values(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    text = JOB.replace('"secret-1"', "${DB_PASSWORD}")
    path.write_text(text, encoding="utf-8")
    result = run_cli("encrypt", str(path))
    assert result.returncode == 0
    assert result.stdout == ENCODED.replace('"c2VjcmV0LTE="', "${DB_PASSWORD}")
    assert "has no value" not in result.stderr
    assert "source[0].password is written with a ${...} variable" in result.stderr


def test_decrypt_without_variable_values(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(ENCODED.replace('"azE="', "${API_TOKEN}"), encoding="utf-8")
    result = run_cli("decrypt", str(path))
    assert result.returncode == 0
    assert "has no value" not in result.stderr
    assert 'password = "secret-1"' in result.stdout
    assert "token = ${API_TOKEN}" in result.stdout


def test_variable_fills_identifier(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('"base64"', "${SHADE}"), encoding="utf-8")
    filled = run_cli("encrypt", "--var", "SHADE=base64", str(path))
    assert filled.returncode == 0
    assert filled.stdout == ENCODED.replace('"base64"', "${SHADE}")
    assert filled.stderr.count(BASE64_WARNING) == 1

    unfilled = run_cli("encrypt", str(path))
    assert unfilled.returncode == 1
    assert unfilled.stdout == ""
    assert unfilled.stderr == (
        f'error: {path}: env."shade.identifier" is the variable ${{SHADE}}, which has no '
        "value; pass --var SHADE=VALUE or set the environment variable SHADE\n"
    )


@pytest.mark.parametrize("command", ["encrypt", "decrypt"])
@pytest.mark.parametrize("with_variable", [False, True], ids=["plain", "variable"])
def test_unused_variable_warned_once(
    run_cli: RunCli, tmp_path: Path, command: str, with_variable: bool
) -> None:
    path = tmp_path / "job.conf"
    text = ENCODED if command == "decrypt" else JOB
    if with_variable:
        text = text.replace('"c2VjcmV0LTE="', "${PW}").replace('"secret-1"', "${PW}")
    path.write_text(text, encoding="utf-8")
    result = run_cli(command, "--var", "TYPO=1", str(path))
    assert result.returncode == 0
    assert "TYPO" not in result.stdout
    warning = f"--var TYPO is not used: {path} has no ${{TYPO}}; check the variable's name"
    assert result.stderr.count(warning) == 1


def test_no_secret_in_debug_output(run_cli: RunCli, tmp_path: Path) -> None:
    """Run every command path at debug level and look for the plain values anywhere."""
    secrets = ["user1", "secret-1", "k1-token-value"]
    key, other = new_key(), new_key()
    text = JOB.replace('"k1"', '"k1-token-value"').replace('"base64"', '"aes"')
    path = tmp_path / "job.conf"
    path.write_text(text, encoding="utf-8")
    encrypted_file = tmp_path / "enc.conf"
    decrypted_file = tmp_path / "dec.conf"
    env = {"STCONFIG_AES_KEY": key}

    runs = [
        run_cli("--log-level", "debug", "encrypt", str(path), "-o", str(encrypted_file), env=env),
        run_cli("--log-level", "debug", "encrypt", "--in-place", str(encrypted_file), env=env),
        run_cli(
            "--log-level",
            "debug",
            "decrypt",
            "--keep-shade",
            str(encrypted_file),
            "-o",
            str(decrypted_file),
            env=env,
        ),
        run_cli(
            "--log-level", "debug", "decrypt", str(encrypted_file), env={"STCONFIG_AES_KEY": other}
        ),
        run_cli(
            "--log-level", "debug", "decrypt", str(encrypted_file), env={"STCONFIG_AES_KEY": ""}
        ),
        run_cli("--log-level", "debug", "decrypt", "--identifier", "base64", str(encrypted_file)),
        run_cli(
            "--log-level",
            "debug",
            "encrypt",
            "--identifier",
            "base64",
            str(path),
            "-o",
            str(tmp_path / "b64.conf"),
        ),
        run_cli("--log-level", "debug", "shades"),
    ]
    assert [run.returncode for run in runs] == [0, 0, 0, 1, 1, 1, 0, 0]
    assert decrypted_file.read_text(encoding="utf-8") == text
    encrypted_text = encrypted_file.read_text(encoding="utf-8")
    tokens = [part for part in encrypted_text.split('"') if part.startswith("aes:v1:")]
    assert len(tokens) == 3
    for run in runs:
        assert_secret_free(run.stdout + run.stderr, *secrets, key, other, *tokens)
