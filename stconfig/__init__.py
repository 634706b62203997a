"""stconfig: a toolkit for Apache SeaTunnel job configurations."""

from __future__ import annotations

__version__ = "0.1.0"
