"""Publication dates as the indexes store them: a day number, so Chroma and numpy can compare ranges."""
from __future__ import annotations

from datetime import date


def published_day(iso_date: str) -> int:
    """2023-11-10 -> 20231110 (Chroma range filters need numbers); 0 when unknown."""
    return int(iso_date.replace("-", "")) if iso_date else 0


def day_number(value: date | str) -> int:
    """A date, or a string starting with YYYY-MM-DD, as `published_day` numbers it."""
    return published_day(value.isoformat() if isinstance(value, date) else str(value)[:10])
