"""Commands that check jobs and show what the validator checks: validate, schema, plugins."""

from __future__ import annotations

import click

from stconfig.cli.options import variable_option

SECTIONS = ("source", "transform", "sink")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option(
    "--strict", is_flag=True, help="Report unknown plugins as errors instead of warnings."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
    help="Report as FILE:LINE:COL lines, or as one JSON document.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print errors only, without warnings or the summary."
)
@variable_option
def validate(
    files: tuple[str, ...], strict: bool, output_format: str, quiet: bool, variables: dict[str, str]
) -> int:
    """Check SeaTunnel job configs against their schemas and rules.

    FILES are .conf, .hocon or .json jobs, or - for stdin. Every finding of every file is
    reported. Exit status: 0 when no file has errors (warnings allowed), 1 otherwise, 2
    for a usage error.
    """
    from stconfig.validation import report, validate_files

    results = validate_files(files, variables=variables, strict=strict)
    if output_format.lower() == "json":
        click.echo(report.json_text(results, quiet=quiet))
    else:
        for line in report.text_lines(results, quiet=quiet):
            click.echo(line)
        if not quiet:
            click.echo(report.summary_line(results))
    return 0 if all(result.valid for result in results) else 1


@click.command()
@click.argument("plugin")
@click.option(
    "--section",
    type=click.Choice(SECTIONS, case_sensitive=False),
    help="The plugin's block, for plugins that are both a source and a sink.",
)
@click.option(
    "--path", "print_path", is_flag=True, help="Print the schema file's path instead of its text."
)
def schema(plugin: str, section: str | None, print_path: bool) -> None:
    """Print the JSON Schema of a plugin, or of the whole job (job) or of env (env).

    PLUGIN is matched without regard to case, for example: stconfig schema fakesource.
    """
    from stconfig.validation.catalog import schema_dir, schema_file

    file = schema_file(plugin, section.lower() if section else None)
    path = schema_dir() / file
    click.echo(str(path) if print_path else path.read_text(encoding="utf-8"), nl=print_path)


@click.command()
@click.option(
    "--section",
    type=click.Choice(SECTIONS, case_sensitive=False),
    help="List only the plugins of this block.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
    help="Print a table, or a JSON list.",
)
def plugins(section: str | None, output_format: str) -> None:
    """List the plugins the validator recognizes, and which of them have a schema.

    Plugins without a schema are accepted by name only; any other name is an unknown
    plugin (a warning, or an error with validate --strict).
    """
    import json

    from stconfig.validation.catalog import plugin_listing

    rows = plugin_listing(section.lower() if section else None)
    if output_format.lower() == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        checks = "schema" if row["schema"] else "name only"
        click.echo(f"{row['section']:<10} {row['name']:<20} {checks}")
