"""Shared detection machinery. So far: the normalisers (:mod:`cleanup.detect.normalise`)."""

from __future__ import annotations

from .normalise import (
    company_name,
    domain_label,
    email,
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
    "is_free_mail",
    "person_first_name",
    "person_last_name",
    "phone",
    "registered_domain",
]
