"""Where a note thread, a note and a mention link to. Only models and URL names here, so any
area (notifications' emails, moderation's pages) can build these links."""

from typing import Literal

from django.urls import reverse

from groups.models import DiscussionSession, Nomination, ReadingGroup

Subject = Nomination | DiscussionSession
SubjectKind = Literal["nominations", "sessions"]


def subject_kind(subject: Subject) -> SubjectKind:
    return "nominations" if isinstance(subject, Nomination) else "sessions"


def thread_url(group: ReadingGroup, subject: Subject) -> str:
    return reverse("note_thread", args=[group.slug, subject_kind(subject), subject.pk])


def note_urls(group: ReadingGroup) -> str:
    """The common start of a group's note URLs ("/g/<slug>/notes/"): rows add "<id>/edit/" etc.

    Reversing five URLs for each of 200 rows was a fifth of the thread's render time.
    """
    return reverse("note_detail", args=[group.slug, 0]).removesuffix("0/")


def mention_url(group: ReadingGroup, handle: str) -> str:
    """Where a mention links: the member's row (id `member-<handle>`) on the members page."""
    return f"{reverse('group_members', args=[group.slug])}#member-{handle}"
