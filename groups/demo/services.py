"""The demo reading group of the embedded default: people, nominations, votes, a session, notes.

Written through the areas' own services, so the demo holds what real use would. It is made for a
fresh `make run` only: `demo_load` refuses unless DEBUG is on and the database is the embedded
SQLite file (no DATABASE_URL), so production never gets a known password.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groups.discussions.services import session_schedule
from groups.membership.services import group_create, membership_join
from groups.models import GroupEmailSettings, ReadingGroup, User
from groups.notes.services import note_create
from groups.notifications.email import GroupChoices, email_settings_save
from groups.voting.services import nomination_create, vote_cast
from papers.models import DailyListing, Paper

DEMO_SLUG = "paper-club-demo"
DEMO_EMAIL = "demo@paperclub.local"
DEMO_PASSWORD = "paperclub-demo"  # noqa: S105 (documented in the README; embedded default only)
# The demo user's fellow members: they cannot sign in (no password) and get no email.
FELLOWS = (("demo-ada", "Ada (demo)"), ("demo-grace", "Grace (demo)"))
NO_EMAIL: GroupChoices = {
    "nominations": False,
    "sessions": False,
    "replies": False,
    "mentions": False,
    "delivery": GroupEmailSettings.Delivery.IMMEDIATE,
}


class DemoError(Exception):
    """The demo cannot be loaded here; the message says why."""


@dataclass(frozen=True)
class DemoResult:
    group: ReadingGroup
    created: bool  # False: the demo group was there already and nothing was written


def _person(*, username: str, name: str, email: str, password: str | None) -> User:
    user = User.objects.create_user(username=username, email=email, password=password)
    user.display_name = name
    user.save(update_fields=["display_name"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def demo_refusal() -> str | None:
    """Why the demo may not be loaded here, or None in the embedded default."""
    if not settings.DEBUG or settings.DATABASE_FROM_ENV:
        return (
            "The demo group is for the embedded default only (DJANGO_DEBUG on, no DATABASE_URL): "
            "it has a published password. Nothing was written."
        )
    return None


@transaction.atomic
def demo_load() -> DemoResult:
    """Creates the demo group once: the demo user (owner) and two fellow members, four of the
    latest day's most upvoted papers nominated and voted on, the top one scheduled a week from
    now, and a short note thread on that session.

    Raises DemoError outside the embedded default, or when there are no papers yet (run
    load_sample first). A second call finds the group by its slug and writes nothing.
    """
    refusal = demo_refusal()
    if refusal:
        raise DemoError(refusal)
    existing = ReadingGroup.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return DemoResult(group=existing, created=False)
    latest = DailyListing.objects.order_by("-day").values_list("day", flat=True).first()
    papers = list(Paper.objects.for_day(latest).sorted_by("upvotes")[:4]) if latest else []
    if not papers:
        raise DemoError("There are no papers to nominate yet: run `manage.py load_sample` first.")

    demo = _person(
        username="demo-reader", name="Demo Reader", email=DEMO_EMAIL, password=DEMO_PASSWORD
    )
    fellows = [
        _person(username=username, name=name, email=f"{username}@paperclub.local", password=None)
        for username, name in FELLOWS
    ]
    group = group_create(
        user=demo,
        name="Paper Club demo",
        slug=DEMO_SLUG,
        description="A demo reading group for trying Paper Club: vote on the ballot, answer the session, add a note.",
    )
    for fellow in fellows:
        membership_join(group=group, user=fellow)
        email_settings_save(
            user=fellow,
            digest={"digest_enabled": False, "digest_top": 10, "digest_keywords": ""},
            groups={group: NO_EMAIL},
        )

    nominators = [demo, *fellows, demo]
    nominations = [
        nomination_create(
            group=group, user=nominator, paper=paper, pitch="Looks worth an evening."
        ).nomination
        for nominator, paper in zip(nominators, papers, strict=False)
    ]
    # Everyone likes the first; the others get a vote or two.
    for fellow in fellows:
        vote_cast(nomination=nominations[0], user=fellow)
    for nomination in nominations[1:3]:
        vote_cast(nomination=nomination, user=fellows[1])

    starts_at = (timezone.now() + timedelta(days=7)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    session = session_schedule(
        group=group,
        nomination=nominations[0],
        starts_at=starts_at,
        duration=timedelta(hours=1),
        place="Online",
        presenter=demo,
        agenda="A short summary, then the method, then questions.",
        created_by=demo,
    )
    first = note_create(author=demo, subject=session, body="I'll present. Bring one question each?")
    note_create(
        author=fellows[0], subject=session, body="Mine is about the evaluation.", parent=first
    )
    note_create(author=fellows[1], subject=session, body="I'll read the related work first.")
    return DemoResult(group=group, created=True)
