"""The `stconfig` command line.

Each command lives in a module of this package and is imported only when it runs or when
`--help` lists it. Command modules import click at the top and everything heavier inside
the command body, so that `stconfig --help` stays cheap.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from stconfig import __version__
from stconfig.errors import StconfigError

# Command name -> "module:attribute", relative to this package.
COMMANDS: dict[str, str] = {
    "convert": "config_commands:convert",
    "decrypt": "shade_commands:decrypt",
    "encrypt": "shade_commands:encrypt",
    "job": "node_commands:job",
    "jobs": "node_commands:jobs",
    "keygen": "shade_commands:keygen",
    "monitor": "node_commands:monitor",
    "plugins": "validate_commands:plugins",
    "run": "run_commands:run",
    "schema": "validate_commands:schema",
    "serve": "node_commands:serve",
    "shades": "shade_commands:shades",
    "stop": "node_commands:stop",
    "submit": "node_commands:submit",
    "validate": "validate_commands:validate",
}

LOG_LEVELS = ("debug", "info", "warning", "error")


class LazyGroup(click.Group):
    """A click group that imports each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return super().get_command(ctx, name)
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        return getattr(module, attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stconfig")
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default=lambda: os.environ.get("STCONFIG_LOG_LEVEL", "warning"),
    show_default="warning, or $STCONFIG_LOG_LEVEL",
    help="Lowest level of log messages printed on stderr.",
)
def cli(log_level: str) -> None:
    """Validate, encrypt, convert and run Apache SeaTunnel job configs."""
    configure_logging(log_level)


def configure_logging(level_name: str) -> None:
    """Send the `stconfig` loggers to stderr at the given level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("stconfig")
    logger.handlers[:] = [handler]
    logger.setLevel(level_name.upper())
    logger.propagate = False


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and turn errors into exit codes: 1 expected, 2 usage, 3 bug, 130 Ctrl-C."""
    try:
        result = cli.main(args=argv, prog_name="stconfig", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except StconfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("STCONFIG_DEBUG"):
            raise
        click.echo(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in stconfig. Set STCONFIG_DEBUG=1 to see the traceback.",
            err=True,
        )
        sys.exit(3)
    sys.exit(result if isinstance(result, int) else 0)
