"""Telling the groups that discussed a paper that arXiv has a newer version of it (issue 16,
item 6).

Flow: an import that raises papers' latest versions announces `papers.signals.paper_versions_rose`;
`groups.notifications.tasks.version_notices_after_import` queues `send_version_notices` after the
commit, which calls `version_notices_record`. Each group that held a session on the paper is told
once per version: its `VersionNotice` row is created in the same transaction as its members'
notifications and the line on the group's home, and the row's unique constraint (group, paper,
version) makes a second import, a rerun or a second worker record nothing. Members hear about it
as about sessions (the "sessions" switch of their email settings, at once or in their daily
summary; the email's unsubscribe link turns that switch off).
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from groups.models import Activity, DiscussionSession, Notification, VersionNotice
from groups.notes.links import thread_url
from groups.notifications.notices import is_daily, recipients_for
from papers.models import arxiv_abs_url


def _group_told(session: DiscussionSession) -> list[int]:
    """Claims the telling of the group of `session` about its paper's latest version and
    records it (its members' notifications, the line on its home); returns the ids of the
    immediate notifications. Raises IntegrityError when the group was told already."""
    group, paper = session.group, session.paper
    version = paper.latest_version
    with transaction.atomic():
        VersionNotice.objects.create(group=group, paper=paper, version=version)
        Activity.objects.record(
            group=group,
            actor=None,
            kind=Activity.Kind.VERSION,
            paper=paper,
            detail=f"v{version}; notes about earlier versions are marked in the thread",
        )
        url = thread_url(group, session)
        subject = f"v{version} of “{paper.title}” is out"[:300]
        body = (
            f"{group.name} discussed this paper. arXiv now has version {version}: "
            f"{arxiv_abs_url(paper.arxiv_id)}v{version}. In the session's notes, those written "
            "about an earlier version say so."
        )
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    group=group,
                    kind=Notification.Kind.VERSION,
                    key=f"version:{group.pk}:{paper.pk}:{version}",
                    subject=subject,
                    body=body,
                    url=url,
                    daily=is_daily(user),
                )
                for user in recipients_for(group_id=group.pk, switch="sessions").order_by("pk")
            ]
        )
    return [notification.pk for notification in notifications if not notification.daily]


def version_notices_record(*, paper_ids: Sequence[int]) -> list[int]:
    """Tells each group that discussed one of these papers (a session that took place:
    `DiscussionSession.objects.discussed()`) of the paper's latest arXiv version, once per
    group, paper and version however often it runs (see the module docstring). Other groups,
    and people outside the group, hear nothing. Returns the ids of the immediate
    notifications to send now.

    Queries: one for the sessions, then per group told a constant few (the claim, the home's
    line, its members, their notifications in one insert), whatever the number of members.
    """
    sessions = (
        DiscussionSession.objects.discussed()
        .filter(paper_id__in=list(paper_ids))
        .select_related("group", "paper")
        .order_by("group_id", "paper_id", "-starts_at", "-id")
    )
    latest: dict[tuple[int, int], DiscussionSession] = {}
    for session in sessions:
        # The group's last session on the paper: where its notes on it are.
        latest.setdefault((session.group_id, session.paper_id), session)
    ids: list[int] = []
    for session in latest.values():
        try:
            ids += _group_told(session)
        except IntegrityError:
            continue  # told already: another import or worker got there first
    return ids
