"""Find shades through the entry-point group `stconfig.shades`.

Each entry point is named after a shade identifier and names a class (or a factory that
takes no arguments) returning a `Shade`. Entry points are read on first use and a plugin
is imported only when it is asked for, or when every shade is listed. A plugin that fails
to import becomes a warning naming its distribution; it never stops other shades from
working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata

from stconfig.shades import Shade, ShadeLoadError, UnknownShadeError

logger = logging.getLogger(__name__)

GROUP = "stconfig.shades"
BUILTIN_DISTRIBUTION = "stconfig"

ShadeFactory = Callable[[], Shade]


@dataclass(frozen=True)
class ShadeInfo:
    """One installed shade, as `stconfig shades` lists it."""

    identifier: str
    distribution: str
    version: str
    encrypts: bool


class _Candidate:
    """An entry point of the group; its distribution's metadata is read only when needed."""

    def __init__(self, entry_point: metadata.EntryPoint) -> None:
        self.identifier = entry_point.name
        self.entry_point = entry_point

    @cached_property
    def distribution(self) -> str:
        dist = self.entry_point.dist
        return dist.name if dist is not None else "an unknown distribution"

    @cached_property
    def version(self) -> str:
        dist = self.entry_point.dist
        return dist.version if dist is not None else "(unknown version)"

    @property
    def origin(self) -> str:
        return f"shade {self.identifier!r} from {self.distribution} {self.version}"


def find_shade(identifier: str) -> Shade:
    """Return a new, unopened instance of the shade named `identifier`, ignoring case.

    Raises `UnknownShadeError` when no installed shade has that identifier, and
    `ShadeLoadError` when the plugin that provides it cannot be loaded.
    """
    candidate = _candidates().get(identifier.lower())
    if candidate is None:
        raise UnknownShadeError(identifier, identifiers())
    return _load(candidate)()


def identifiers() -> list[str]:
    """Return the identifiers of the installed shades, sorted, without importing them."""
    return sorted(candidate.identifier for candidate in _candidates().values())


def installed_shades() -> list[ShadeInfo]:
    """Import every installed shade and describe it; a broken one is logged and skipped."""
    shades: list[ShadeInfo] = []
    for key in sorted(_candidates()):
        candidate = _candidates()[key]
        try:
            shade = _load(candidate)()
        except ShadeLoadError as exc:
            logger.warning("%s", exc)
            continue
        shades.append(
            ShadeInfo(
                identifier=candidate.identifier,
                distribution=candidate.distribution,
                version=candidate.version,
                encrypts=bool(shade.encrypts),
            )
        )
    return shades


def loaded_sensitive_options() -> frozenset[str]:
    """Return the extra sensitive option names of every shade loaded so far.

    Masking uses this without loading anything, so it stays cheap and cannot fail.
    """
    names: set[str] = set()
    for options in _LOADED_OPTIONS.values():
        names.update(options)
    return frozenset(names)


# Loading

# Factories already loaded, and the extra sensitive options of their shades, by
# lower-cased identifier.
_LOADED: dict[str, ShadeFactory] = {}
_LOADED_OPTIONS: dict[str, tuple[str, ...]] = {}


@cache
def _candidates() -> dict[str, _Candidate]:
    """Read the entry points once, keyed by lower-cased identifier."""
    found: dict[str, _Candidate] = {}
    for entry_point in metadata.entry_points(group=GROUP):
        candidate = _Candidate(entry_point)
        key = candidate.identifier.lower()
        first = found.get(key)
        if first is None:
            found[key] = candidate
            continue
        found[key] = _prefer(first, candidate)
    return found


def _prefer(first: _Candidate, other: _Candidate) -> _Candidate:
    """Choose between two plugins with one identifier: the built-in, else the first found."""
    if (
        other.distribution == first.distribution
        and other.entry_point.value == first.entry_point.value
    ):
        return first  # the same distribution seen twice on sys.path
    winner = other if other.distribution == BUILTIN_DISTRIBUTION else first
    loser = first if winner is other else other
    logger.warning(
        "shade %r is provided by both %s and %s; using the one from %s. "
        "Uninstall one of them to silence this warning",
        winner.identifier,
        winner.distribution,
        loser.distribution,
        winner.distribution,
    )
    return winner


def _load(candidate: _Candidate) -> ShadeFactory:
    key = candidate.identifier.lower()
    factory = _LOADED.get(key)
    if factory is not None:
        return factory

    try:
        factory = candidate.entry_point.load()
    except Exception as exc:  # a plugin may fail in any way while importing
        raise ShadeLoadError(
            f"{candidate.origin} failed to load ({type(exc).__name__}: {exc}); "
            f"reinstall or uninstall {candidate.distribution}"
        ) from None
    shade = _check_factory(factory, candidate)
    _LOADED[key] = factory
    _LOADED_OPTIONS[key] = tuple(str(name) for name in shade.sensitive_options or ())
    return factory


def _check_factory(factory: object, candidate: _Candidate) -> Shade:
    """Reject a plugin whose instances do not match the `Shade` protocol or its name."""
    origin = candidate.origin
    if not callable(factory):
        raise ShadeLoadError(
            f"{origin}: the entry point {candidate.entry_point.value} is not a class or a "
            f"factory; it must name a class whose instances are shades"
        )
    try:
        shade = factory()
    except Exception as exc:  # constructing a third-party object may fail in any way
        raise ShadeLoadError(
            f"{origin}: creating the shade failed ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(shade, Shade):
        raise ShadeLoadError(
            f"{origin}: {candidate.entry_point.value} does not implement the Shade protocol "
            f"(identifier, encrypts, sensitive_options, open, encrypt, decrypt)"
        )
    if str(shade.identifier).lower() != candidate.identifier.lower():
        raise ShadeLoadError(
            f"{origin}: the shade calls itself {shade.identifier!r}, but its entry point is "
            f"named {candidate.identifier!r}; the two must match"
        )
    return shade
