"""Confinement of the files a job opens to allowed root folders."""

from __future__ import annotations

import os
from pathlib import Path

from stconfig.server.engine.errors import PathNotAllowedError


class PathGuard:
    """Check that a path lies under one of the allowed roots, after symlinks and `..`.

    With `roots=None` every path is allowed.
    """

    def __init__(self, roots: list[Path] | None) -> None:
        self.roots = None if roots is None else [Path(os.path.realpath(root)) for root in roots]

    def check(self, path: str | os.PathLike[str], option: str) -> Path:
        """Return the resolved path, or raise `PathNotAllowedError` naming it and the roots."""
        resolved = Path(os.path.realpath(os.path.expanduser(os.fspath(path))))
        if self.roots is None:
            return resolved
        for root in self.roots:
            if resolved == root or resolved.is_relative_to(root):
                return resolved
        allowed = ", ".join(str(root) for root in self.roots)
        raise PathNotAllowedError(
            f"option '{option}' names {os.fspath(path)}, which is outside the folders this "
            f"node may open ({allowed}); use a path under one of them"
        )
