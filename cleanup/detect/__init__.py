"""Shared detection machinery: normalisers (:mod:`.normalise`), the declarative matching engine
(:mod:`.matching`), action rows from findings (:mod:`.findings`), remembered decisions (:mod:`.store`) and
the recipe registry (:mod:`.recipe`). The package is callable: ``cleanup.detect(snapshot, recipe, **params)``
runs :func:`.recipe.detect`."""

from __future__ import annotations

from ..modules import callable_package
from .normalise import (
    company_name,
    domain_label,
    email,
    full_name_first,
    full_name_last,
    is_free_mail,
    person_first_name,
    person_last_name,
    phone,
    registered_domain,
)

__all__ = [
    "company_name",
    "domain_label",
    "email",
    "full_name_first",
    "full_name_last",
    "is_free_mail",
    "person_first_name",
    "person_last_name",
    "phone",
    "registered_domain",
]

callable_package(__name__, "cleanup.detect.recipe", "detect")  # cleanup.detect(snapshot, "duplicate_notes")
