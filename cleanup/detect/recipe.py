"""Recipes: named, described, typed detections over a snapshot that return an action table.

A recipe module exposes ``RECIPE = Recipe(...)``. Built-ins live in the ``recipes`` package; other
packages register theirs under the ``attio_cleanup.recipes`` entry-point group (``name = "module:RECIPE"``).

>>> cleanup.detect(snapshot, "duplicate_notes", reimport_token="affinity-reimport")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from ..actions import ActionTable
from ..errors import DetectError
from ..export.snapshot import Snapshot, SnapshotError

ENTRY_POINT_GROUP = "attio_cleanup.recipes"
# The built-in recipes: a package found by name at run time, like a plugin (it imports this machinery, which
# never imports it).
BUILT_IN = "recipes"
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}


class RecipeError(DetectError):
    """A recipe that cannot run as asked: an unknown recipe or parameter, a bad value, a snapshot lacking
    what the recipe reads."""


@dataclass(frozen=True)
class Param:
    """One recipe parameter: its type (str, int, float, bool, or a tuple of str), default and help."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    def coerce(self, value: Any) -> Any:
        """The value as this parameter's type (strings from the command line are parsed)."""
        if value is None:
            return None
        try:
            if self.type is bool:
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text in _TRUE | _FALSE:
                    return text in _TRUE
                raise ValueError(value)
            if self.type is tuple:
                items = value.split(",") if isinstance(value, str) else list(value)
                return tuple(str(item).strip() for item in items if str(item).strip())
            if self.type in (int, float) and isinstance(value, bool):
                raise ValueError(value)
            coerced = self.type(value)
        except (TypeError, ValueError):
            kind = {
                bool: "true or false",
                int: "a whole number",
                float: "a number",
                tuple: "a comma-separated list",
            }
            raise RecipeError(
                f"parameter {self.name!r}: {value!r} is not {kind.get(self.type, self.type.__name__)}"
            ) from None
        if self.choices and coerced not in self.choices:
            raise RecipeError(f"parameter {self.name!r}: {coerced!r} is not one of {', '.join(self.choices)}")
        return coerced


@dataclass(frozen=True)
class Recipe:
    """A detection: ``run(snapshot, **params)`` returns an :class:`ActionTable`; pure (no API calls)."""

    name: str
    description: str
    run: Callable[..., ActionTable]
    params: tuple[Param, ...] = ()
    needs: Callable[[Snapshot, Mapping[str, Any]], Sequence[str]] = field(default=lambda s, p: ())

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in and every value coerced; unknown names are an error naming the known ones."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            listing = ", ".join(known) or "none"
            raise RecipeError(
                f"{self.name} has no parameter {', '.join(map(repr, unknown))}; its parameters: {listing}"
            )
        return {name: p.coerce(params.get(name, p.default)) for name, p in known.items()}

    def detect(self, snapshot: Snapshot, **params: Any) -> ActionTable:
        """Run the recipe on ``snapshot`` after checking the parameters and that the snapshot has what it reads."""
        resolved = self.resolve(params)
        missing = [part for part in self.needs(snapshot, resolved) if part not in snapshot.parts]
        if missing:
            have = ", ".join(sorted(snapshot.parts)) or "nothing"
            raise RecipeError(
                f"{self.name} reads {', '.join(missing)}, which the snapshot at {snapshot.path} lacks (it has: "
                f"{have}); export them with `attio-cleanup export`"
            )
        incomplete = [
            part
            for part in self.needs(snapshot, resolved)
            if snapshot.parts[part].get("status") != "complete"
        ]
        if incomplete:
            raise RecipeError(
                f"{self.name} reads {', '.join(incomplete)}, whose export did not finish; re-run the export into "
                f"{snapshot.path}"
            )
        try:
            return self.run(snapshot, **resolved)
        except SnapshotError as error:
            raise RecipeError(f"{self.name}: {error}") from None

    def usage(self) -> str:
        lines = [f"{self.name}: {self.description}"]
        for p in self.params:
            kind = "list" if p.type is tuple else p.type.__name__
            lines.append(f"  {p.name} ({kind}, default {p.default!r}): {p.help}")
        return "\n".join(lines)


def list_slugs(snapshot: Snapshot, wanted: Sequence[str] | None, recipe: str) -> list[str]:
    """The lists a recipe should read: those asked for (checked), else every list the snapshot exported."""
    known = sorted(snapshot.schema.lists)
    unknown = [w for w in wanted or () if w not in known]
    if unknown:
        raise RecipeError(
            f"{recipe}: unknown list(s) {', '.join(unknown)}; the workspace has {', '.join(known) or 'none'}"
        )
    return list(wanted) if wanted else [slug for slug in known if f"entries/{slug}" in snapshot.parts]


def needs_records(object_slug: str) -> Callable[[Snapshot, Mapping[str, Any]], Sequence[str]]:
    """A recipe's ``needs`` when it reads the records of one object:
    ``Recipe(..., needs=needs_records("people"))``."""
    return lambda snapshot, params: [f"records/{object_slug}"]


def available() -> dict[str, Recipe]:
    """Every recipe: the built-ins in ``recipes`` and those registered by entry point."""
    found: dict[str, Recipe] = {}
    built_in = importlib.import_module(BUILT_IN)
    for module in pkgutil.iter_modules(built_in.__path__):
        if module.name.startswith("_"):
            continue
        recipe = getattr(importlib.import_module(f"{BUILT_IN}.{module.name}"), "RECIPE", None)
        if isinstance(recipe, Recipe):
            found[recipe.name] = recipe
    for point in entry_points(group=ENTRY_POINT_GROUP):
        recipe = point.load()
        if not isinstance(recipe, Recipe):
            raise RecipeError(f"entry point {point.name} ({point.value}) is not a cleanup Recipe")
        found[recipe.name] = recipe
    return dict(sorted(found.items()))


def get(name: str) -> Recipe:
    recipes = available()
    if name not in recipes:
        raise RecipeError(f"no recipe named {name!r}; available: {', '.join(recipes)}")
    return recipes[name]


def detect(snapshot: Snapshot | str, recipe: str | Recipe, **params: Any) -> ActionTable:
    """Run one recipe on a snapshot (a :class:`Snapshot` or its folder) and return its action table."""
    loaded = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(snapshot)
    chosen = recipe if isinstance(recipe, Recipe) else get(recipe)
    return chosen.detect(loaded, **params).with_names(loaded)
