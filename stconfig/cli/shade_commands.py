"""Commands that encrypt and decrypt job configs, and manage shades and keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from stconfig.cli.options import key_file_option, variable_option

if TYPE_CHECKING:
    from stconfig.encryption import JobPath
    from stconfig.encryption_text import TextResult

F = TypeVar("F", bound=Callable[..., Any])


def shade_options(function: F) -> F:
    """Add the options that `encrypt` and `decrypt` share."""
    options = [
        click.argument("file", type=click.Path(dir_okay=False, allow_dash=True)),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the result to this file instead of stdout.",
        ),
        click.option(
            "--in-place",
            is_flag=True,
            help="Rewrite FILE itself, changing only the bytes of the shaded values.",
        ),
        click.option(
            "--identifier",
            metavar="NAME",
            help='Shade to use instead of the config\'s env."shade.identifier".',
        ),
        key_file_option(
            "File with base64 keys for the aes shade. Repeatable; the first key encrypts."
        ),
        variable_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@shade_options
def encrypt(
    file: str,
    output: Path | None,
    in_place: bool,
    identifier: str | None,
    key_files: tuple[Path, ...],
    variables: dict[str, str],
) -> None:
    """Encrypt the sensitive values of a job config.

    The shade comes from env."shade.identifier" or --identifier. Output keeps the
    input's format, comments and layout; only the encrypted values change. The aes shade
    reads its keys from --key-file, STCONFIG_AES_KEY or env."shade.properties".key_file.
    """
    from stconfig.encryption_text import encrypt_text

    _run(encrypt_text, "encrypted", file, output, in_place, identifier, key_files, variables)


@click.command()
@shade_options
@click.option(
    "--keep-shade",
    is_flag=True,
    help='Keep env."shade.identifier" and env."shade.properties" in the result, to '
    "encrypt it again later. Such a result does not run until it is encrypted again.",
)
def decrypt(
    file: str,
    output: Path | None,
    in_place: bool,
    identifier: str | None,
    key_files: tuple[Path, ...],
    variables: dict[str, str],
    keep_shade: bool,
) -> None:
    """Decrypt the sensitive values of a job config.

    The result contains the secrets in plain text: write it only where that is safe.
    It leaves out env."shade.identifier" and env."shade.properties", so that it runs
    as a plain-text job; pass --keep-shade to keep them.
    """
    from stconfig.encryption_text import decrypt_text

    _run(
        decrypt_text,
        "decrypted",
        file,
        output,
        in_place,
        identifier,
        key_files,
        variables,
        keep_shade=keep_shade,
    )


def _run(
    shade_text: Callable[..., Any],
    verb: str,
    file: str,
    output: Path | None,
    in_place: bool,
    identifier: str | None,
    key_files: tuple[Path, ...],
    variables: dict[str, str],
    **options: Any,
) -> None:
    from stconfig.encryption_loading import load_keeping_variables

    if in_place and output is not None:
        raise click.UsageError("use either --in-place or --output, not both")
    if in_place and file == "-":
        raise click.UsageError("--in-place needs a file, not stdin")

    loaded = load_keeping_variables(file, variables=variables)
    result = shade_text(
        loaded,
        identifier=identifier,
        key_files=[str(path) for path in key_files],
        variables=variables,
        **options,
    )
    target = Path(file) if in_place else output
    if target is None:
        click.echo(result.text, nl=False)
    else:
        _write(target, result.text, Path(file) if file != "-" else None)
        click.echo(_summary(target, verb, result), err=True)
    if result.removed:
        click.echo(_removed_note(result.removed), err=True)


def _summary(target: Path, verb: str, result: TextResult) -> str:
    summary = f"{target}: {verb} {len(result.changed)} value(s)"
    if result.identifier is not None:
        summary += f" with the {result.identifier} shade"
    if result.skipped:
        summary += f"; left {len(result.skipped)} written with ${{...}} variables as they are"
    return summary


def _removed_note(removed: list[JobPath]) -> str:
    from stconfig.encryption import format_path

    names = " and ".join(format_path(path) for path in removed)
    pronoun = "them" if len(removed) > 1 else "it"
    return (
        f"removed {names} from the result, so that it runs as a plain-text job; to encrypt "
        f"the result again later, pass --keep-shade to keep {pronoun}"
    )


def _write(target: Path, text: str, source: Path | None) -> None:
    from stconfig.encryption_text import write_atomically
    from stconfig.errors import ConfigFileError

    bom = source is not None and source.read_bytes().startswith(b"\xef\xbb\xbf")
    try:
        write_atomically(target, text, mode_from=source, bom=bom)
    except OSError as exc:
        raise ConfigFileError(f"{target}: cannot be written: {exc.strerror}") from None


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def keygen(file: Path, force: bool) -> None:
    """Write a new random AES-256 key to FILE, readable only by you (mode 0600).

    Missing folders on the way to FILE are created, readable only by you (mode 0700).
    Use the key with `stconfig encrypt --key-file FILE`, or put its content into
    STCONFIG_AES_KEY. Keep the file out of version control.
    """
    from stconfig.shades.aes import write_key_file

    target = file.expanduser()
    for folder in write_key_file(target, force=force):
        click.echo(f"created the folder {folder} (mode 0700)", err=True)
    click.echo(f"wrote a new AES-256 key to {target} (mode 0600)", err=True)


@click.command()
def shades() -> None:
    """List the installed shades: identifier, distribution, version and kind."""
    from stconfig.shades.registry import installed_shades

    rows = [("IDENTIFIER", "DISTRIBUTION", "VERSION", "KIND")]
    for info in installed_shades():
        kind = "encrypts" if info.encrypts else "encodes only"
        rows.append((info.identifier, info.distribution, info.version, kind))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[3]]))
