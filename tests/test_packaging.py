"""The distribution lists every package of the source tree."""

from __future__ import annotations

import configparser
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Source folders and the import names setup.cfg maps them to.
PACKAGE_ROOTS = {
    "stconfig": "stconfig",
    "shades": "stconfig.shades",
    "schemas": "stconfig.schemas",
    "server": "stconfig.server",
}


def declared_packages() -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(PROJECT_ROOT / "setup.cfg")
    return {line.strip() for line in parser["options"]["packages"].splitlines() if line.strip()}


def source_packages() -> set[str]:
    found = set()
    for folder, import_name in PACKAGE_ROOTS.items():
        root = PROJECT_ROOT / folder
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root).parts
            found.add(".".join((import_name, *relative)))
    return found


def test_every_source_package_is_declared():
    assert source_packages() - declared_packages() == set()


def test_every_declared_package_exists():
    assert declared_packages() - source_packages() == set()
