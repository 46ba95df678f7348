"""iCalendar (RFC 5545) for sessions: one event per session, a feed per group.

Each event has a stable UID (`session-<id>@paperclub`) and a SEQUENCE raised on every notified
change, so calendar apps update the event they hold instead of adding a second; cancelled
sessions stay in with STATUS:CANCELLED. Times carry the group's TZID with its VTIMEZONE, so a
weekly 18:00 in Berlin stays 18:00 in Berlin across daylight-saving changes.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from groups.models import DiscussionSession, ReadingGroup

PRODID = "-//Paper Club//Discussion sessions//EN"
# Feeds carry the last year and everything ahead: calendar apps re-download them often.
FEED_HISTORY = timedelta(days=365)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(session: DiscussionSession) -> Event:
    group = session.group
    zone = zoneinfo.ZoneInfo(group.time_zone)
    url = settings.SITE_URL + reverse(
        "session_detail", kwargs={"slug": group.slug, "pk": session.pk}
    )
    event = Event()
    event.add("uid", session.ical_uid)
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("sequence", session.sequence)
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    prefix = "Cancelled: " if session.is_cancelled else ""
    event.add("summary", f"{prefix}{group.name}: {session.paper.title}")
    lines = [session.paper.title, session.paper.abs_url]
    if session.presenter is not None:
        lines.append(f"Presenter: {session.presenter.name}")
    if session.video_url:
        lines.append(f"Video: {session.video_url}")
    if session.agenda:
        lines += ["", session.agenda]
    lines += ["", url]
    event.add("description", "\n".join(lines))
    location = ", ".join(part for part in (session.place, session.video_url) if part)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def _to_bytes(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_ics(session: DiscussionSession) -> bytes:
    """A calendar with the one session (for the download and email attachments)."""
    calendar = _calendar(f"{session.group.name} · {settings.SITE_NAME}")
    calendar.add_component(_event(session))
    return _to_bytes(calendar)


def feed_sessions(group: ReadingGroup) -> Iterable[DiscussionSession]:
    return (
        DiscussionSession.objects.filter(group=group, starts_at__gte=timezone.now() - FEED_HISTORY)
        .select_related("group", "paper", "presenter")
        .order_by("starts_at", "id")
    )


def group_feed_ics(group: ReadingGroup) -> bytes:
    """The group's subscribable calendar: the last year's sessions and all ahead."""
    calendar = _calendar(f"{group.name} · {settings.SITE_NAME}")
    calendar.add("x-wr-timezone", group.time_zone)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for session in feed_sessions(group):
        calendar.add_component(_event(session))
    return _to_bytes(calendar)
