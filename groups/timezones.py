"""The time zones people and groups can choose from (IANA names)."""

import zoneinfo
from functools import cache


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


def is_valid_timezone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    """The zone of that name, or UTC for a name this machine's tz database does not know (a
    stored zone that was valid when chosen may be renamed or dropped by a tzdata update)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
