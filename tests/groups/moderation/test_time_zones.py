"""The group's moderation page shows the zone beside each time, in the viewer's zone."""

from datetime import UTC, datetime

from groups.models import ModerationLog, NoteFlag
from groups.moderation.audit import audit_record
from tests.factories import NoteFlagFactory

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)  # 13:00 CET
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)  # 14:00 CEST


def test_it_shows_the_zone_of_each_audit_entry_and_flag(cast) -> None:
    cast.organizer.time_zone = "Europe/Berlin"
    cast.organizer.save(update_fields=["time_zone"])
    winter = audit_record(
        actor=cast.organizer,
        action=ModerationLog.Action.NOTE_HIDE,
        target=cast.note,
        group=cast.group,
    )
    summer = audit_record(
        actor=cast.organizer,
        action=ModerationLog.Action.NOTE_UNHIDE,
        target=cast.note,
        group=cast.group,
    )
    ModerationLog.objects.filter(pk=winter.pk).update(created_at=WINTER)
    ModerationLog.objects.filter(pk=summer.pk).update(created_at=SUMMER)
    NoteFlagFactory(note=cast.note, flagged_by=cast.member)
    NoteFlag.objects.update(created_at=WINTER)

    html = cast.client("organizer").get(f"/g/{cast.group.slug}/moderation/").content.decode()
    assert ">15 Jan 2026, 13:00 CET</time>" in html
    assert ">15 Jul 2026, 14:00 CEST</time>" in html
    assert "Alice Member, 15 Jan 2026, 13:00 CET" in html  # who flagged, and when
