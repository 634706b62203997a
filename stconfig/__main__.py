from __future__ import annotations

from stconfig.cli import main

main()
