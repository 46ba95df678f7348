"""The time zones people and groups can choose from (IANA names)."""

import zoneinfo
from functools import cache


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


def is_valid_timezone(name: str) -> bool:
    return name in zoneinfo.available_timezones()
