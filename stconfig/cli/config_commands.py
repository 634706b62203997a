"""Commands that read a config and write it in another form."""

from __future__ import annotations

from pathlib import Path

import click

from stconfig.cli.options import variable_option


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--to",
    "target",
    type=click.Choice(["json", "hocon"], case_sensitive=False),
    required=True,
    help="Format to write.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of stdout.",
)
@variable_option
def convert(file: str, target: str, output: Path | None, variables: dict[str, str]) -> None:
    """Convert a job config between HOCON and JSON.

    FILE is a .conf, .hocon or .json job, or - for stdin. Variables are filled in, and
    plugin blocks come out in SeaTunnel's canonical list form.
    """
    from stconfig.config import dump_hocon, dump_json, load

    job = load(file, variables=variables).job
    text = dump_json(job) if target.lower() == "json" else dump_hocon(job)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
