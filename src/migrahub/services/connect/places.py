"""Country names (never codes on a page) and GeoNames facts about cities (population, coordinates)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → the country's common name."""
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


def country_name(code: str | None) -> str:
    return country_names().get((code or "").upper(), code or "")
