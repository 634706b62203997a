"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def parse_variables(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """Turn repeated `name=value` options into a dict, rejecting entries without `=`."""
    variables: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"{item!r} is not of the form name=value, for example --var table=orders",
                ctx=ctx,
                param=param,
            )
        variables[name.strip()] = value
    return variables


def variable_option(function: F) -> F:
    """Add `--var/-i name=value`, repeatable, as SeaTunnel's `-i`."""
    return click.option(
        "--var",
        "-i",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        callback=parse_variables,
        help="Value for a ${NAME} variable in the config. Repeatable.",
    )(function)


def key_file_option(help: str) -> Callable[[F], F]:
    """Add `--key-file PATH`, repeatable, into the `key_files` parameter.

    `help` describes what the command uses the key files for.
    """
    return click.option(
        "--key-file",
        "key_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help,
    )
