"""A third-party shade, installed from a distribution built in the test, in a throwaway venv.

The venv is created with `--without-pip` on top of the project's venv: a `.pth` file adds
the project's site-packages (stconfig, pip) behind the venv's own. The tiny distribution
brings its own PEP 517 backend, so the build needs no network and no setuptools.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

TIMEOUT = 120

BACKEND = '''
"""A minimal PEP 517 backend that packs the tiny_shades package into a wheel."""
import base64
import hashlib
import zipfile
from pathlib import Path

NAME, VERSION = "tiny_shades", "0.1.0"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
METADATA = f"Metadata-Version: 2.1\\nName: tiny-shades\\nVersion: {VERSION}\\n"
WHEEL = (
    "Wheel-Version: 1.0\\nGenerator: tiny_backend\\nRoot-Is-Purelib: true\\n"
    "Tag: py3-none-any\\n"
)
ENTRY_POINTS = (
    "[stconfig.shades]\\n"
    "reverse = tiny_shades:ReverseShade\\n"
    "broken = tiny_shades.broken:BrokenShade\\n"
    "base64 = tiny_shades:ImpostorShade\\n"
)


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {
        f"{NAME}/{path.name}": path.read_bytes() for path in sorted(Path(NAME).glob("*.py"))
    }
    files[f"{DIST_INFO}/METADATA"] = METADATA.encode()
    files[f"{DIST_INFO}/WHEEL"] = WHEEL.encode()
    files[f"{DIST_INFO}/entry_points.txt"] = ENTRY_POINTS.encode()
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{DIST_INFO}/RECORD,,")
    files[f"{DIST_INFO}/RECORD"] = ("\\n".join(record) + "\\n").encode()
    wheel_name = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return wheel_name
'''

PYPROJECT = """
[build-system]
requires = []
build-backend = "tiny_backend"
backend-path = ["."]
"""

SHADE = '''
class ReverseShade:
    """Reverses values; protects `dsn` besides the default options."""

    identifier = "reverse"
    encrypts = False
    sensitive_options = ("dsn",)

    def open(self, properties):
        self.suffix = properties.get("suffix", "")

    def encrypt(self, value):
        return value[::-1] + self.suffix

    def decrypt(self, value):
        if not value.endswith(self.suffix):
            raise ValueError("missing suffix in " + value)
        return value[: len(value) - len(self.suffix)][::-1]


class ImpostorShade(ReverseShade):
    """Claims the built-in identifier `base64`; the built-in must win."""

    identifier = "base64"
'''

BROKEN = 'raise RuntimeError("tiny_shades.broken fails on import")\n'

JOB = """\
env {
  shade.identifier = "REVERSE"
  shade.properties = { suffix = "~" }
}
source { FakeSource { password = "secret-1", dsn = "host=db", other = "keep" } }
sink { Console {} }
"""


def build_distribution(root: Path) -> Path:
    source = root / "tiny-shades"
    package = source / "tiny_shades"
    package.mkdir(parents=True)
    (source / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (source / "tiny_backend.py").write_text(textwrap.dedent(BACKEND), encoding="utf-8")
    (package / "__init__.py").write_text(textwrap.dedent(SHADE), encoding="utf-8")
    (package / "broken.py").write_text(BROKEN, encoding="utf-8")
    return source


def create_venv(root: Path) -> Path:
    """Create a venv that can import the project's packages, or skip if venv creation fails."""
    venv = root / "venv"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.skip(f"cannot create a venv with {sys.executable} -m venv: {exc}")
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout.strip()
    project_site = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "project-venv.pth").write_text(
        f"import site; site.addsitedir({project_site!r})\n", encoding="utf-8"
    )
    return python


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plugin")
    source = build_distribution(root)
    python = create_venv(root)
    installed = run(
        python,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        str(source),
        cwd=root,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return python


def test_plugin_is_listed_and_broken_one_warns(plugin_python: Path, tmp_path: Path) -> None:
    result = run(plugin_python, "-m", "stconfig", "shades", cwd=tmp_path)
    assert result.returncode == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["reverse"][1:] == ["tiny-shades", "0.1.0", "encodes", "only"]
    assert rows["aes"][1:3] == ["stconfig", "0.1.0"]
    assert "broken" not in rows
    assert "shade 'broken' from tiny-shades 0.1.0 failed to load" in result.stderr
    assert "RuntimeError" in result.stderr


def test_builtin_wins_identifier_clash(plugin_python: Path, tmp_path: Path) -> None:
    listed = run(plugin_python, "-m", "stconfig", "shades", cwd=tmp_path)
    assert listed.returncode == 0
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert [row[1] for row in rows if row[0] == "base64"] == ["stconfig"]
    assert (
        "shade 'base64' is provided by both stconfig and tiny-shades; using the one from stconfig"
        in listed.stderr
    )

    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('"REVERSE"', '"base64"'), encoding="utf-8")
    encrypted = run(plugin_python, "-m", "stconfig", "encrypt", str(path), cwd=tmp_path)
    assert encrypted.returncode == 0
    assert 'password = "c2VjcmV0LTE="' in encrypted.stdout


def test_plugin_encrypts_and_decrypts(plugin_python: Path, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB, encoding="utf-8")
    encrypted = run(
        plugin_python, "-m", "stconfig", "encrypt", "--in-place", str(path), cwd=tmp_path
    )
    assert encrypted.returncode == 0, encrypted.stderr
    assert encrypted.stdout == ""
    text = path.read_text(encoding="utf-8")
    assert text == JOB.replace('"secret-1"', '"1-terces~"').replace('"host=db"', '"bd=tsoh~"')
    assert "the reverse shade only encodes values" in encrypted.stderr
    assert "broken" not in encrypted.stderr  # only the shade asked for is imported

    decrypted = run(plugin_python, "-m", "stconfig", "decrypt", str(path), cwd=tmp_path)
    assert decrypted.returncode == 0
    assert decrypted.stdout == "env {\n}\n" + JOB[JOB.index("source") :]

    with_shade = run(
        plugin_python, "-m", "stconfig", "decrypt", "--keep-shade", str(path), cwd=tmp_path
    )
    assert with_shade.returncode == 0
    assert with_shade.stdout == JOB


def test_plugin_error_hides_value(plugin_python: Path, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('"secret-1"', '"no-suffix-secret"'), encoding="utf-8")
    result = run(plugin_python, "-m", "stconfig", "decrypt", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "source[0].password: the reverse shade failed to decrypt the value (ValueError)" in (
        result.stderr
    )
    assert "no-suffix-secret" not in result.stderr


def test_broken_plugin_named_when_used(plugin_python: Path, tmp_path: Path) -> None:
    path = tmp_path / "job.conf"
    path.write_text(JOB.replace('"REVERSE"', '"broken"'), encoding="utf-8")
    result = run(plugin_python, "-m", "stconfig", "encrypt", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error: shade 'broken' from tiny-shades 0.1.0 failed to load" in result.stderr
    assert "reinstall or uninstall tiny-shades" in result.stderr
    assert "Traceback" not in result.stderr
