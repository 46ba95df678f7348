from datetime import UTC, datetime, timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from groups.models import (
    DiscussionSession,
    Invitation,
    JoinRequest,
    Membership,
    Nomination,
    Ranking,
    ReadingGroup,
    Rsvp,
    User,
    Vote,
)
from papers.indexing import search_index_fill
from papers.models import Paper

PASSWORD = "correct-Horse-battery-9"


class UserFactory(DjangoModelFactory):
    """A signed-up person whose email is verified (pass `verified=False` for one who is not)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class PaperFactory(DjangoModelFactory):
    class Meta:
        model = Paper

    arxiv_id = factory.Sequence(lambda n: f"2606.{n:05d}")
    title = factory.Faker("sentence", nb_words=8)
    abstract = factory.Faker("paragraph", nb_sentences=6)
    authors = factory.LazyFunction(lambda: ["Ada Lovelace", "Alan Turing", "Grace Hopper"])
    published_at = factory.LazyFunction(lambda: datetime(2026, 6, 11, tzinfo=UTC))
    ai_keywords = factory.LazyFunction(lambda: ["alignment", "language models"])

    @classmethod
    def _after_postgeneration(cls, instance: Paper, create: bool, results: dict | None = None):
        # Searchable at once, as an import's paper is within seconds (papers.indexing).
        super()._after_postgeneration(instance, create, results)
        if create:
            search_index_fill()


class ReadingGroupFactory(DjangoModelFactory):
    class Meta:
        model = ReadingGroup

    name = factory.Sequence(lambda n: f"Reading group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    description = "We read one paper a week."
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(ReadingGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class NominationFactory(DjangoModelFactory):
    class Meta:
        model = Nomination

    group = factory.SubFactory(ReadingGroupFactory)
    paper = factory.SubFactory(PaperFactory)
    nominated_by = factory.SubFactory(UserFactory)
    pitch = "Worth our time."


# --- Discussion sessions (sessions issue) ---------------------------------------------------


class DiscussionSessionFactory(DjangoModelFactory):
    """A scheduled session a week ahead, for the group's nominated paper."""

    class Meta:
        model = DiscussionSession

    group = factory.SubFactory(ReadingGroupFactory)
    paper = factory.SubFactory(PaperFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    duration = timedelta(hours=1)
    place = "Room 4.12"
    created_by = factory.SubFactory(UserFactory)


class RsvpFactory(DjangoModelFactory):
    class Meta:
        model = Rsvp

    session = factory.SubFactory(DiscussionSessionFactory)
    user = factory.SubFactory(UserFactory)
    answer = Rsvp.Answer.GOING


# Notes (the notes issue)
class NoteFactory(DjangoModelFactory):
    """A note on a nomination, written through the model (tests of the services call them)."""

    class Meta:
        model = "groups.Note"

    nomination = factory.SubFactory(NominationFactory)
    group = factory.LazyAttribute(lambda note: note.nomination.group)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("paragraph")
    body_html = factory.LazyAttribute(lambda note: f"<p>{note.body}</p>")


# Reading groups (groups area)


class VoteFactory(DjangoModelFactory):
    class Meta:
        model = Vote

    nomination = factory.SubFactory(NominationFactory)
    user = factory.SubFactory(UserFactory)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    group = factory.SubFactory(ReadingGroupFactory)
    token = factory.Sequence(lambda n: f"invite-token-{n:04d}")
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class JoinRequestFactory(DjangoModelFactory):
    class Meta:
        model = JoinRequest

    group = factory.SubFactory(ReadingGroupFactory, join_policy=ReadingGroup.JoinPolicy.REQUEST)
    user = factory.SubFactory(UserFactory)


# Moderation (the moderation issue)


def moderator_factory(**kwargs: Any) -> User:
    """A staff user in the "Moderators" auth group (made by migration groups 0007)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="Moderators").exists():
        # Transactional tests flush the tables, and with them the migration's data: run it again.
        migration = importlib.import_module("groups.migrations.0007_moderators_permission_group")
        migration.create_moderators(apps, None)
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


class NoteFlagFactory(DjangoModelFactory):
    class Meta:
        model = "groups.NoteFlag"

    note = factory.SubFactory(NoteFactory)
    flagged_by = factory.SubFactory(UserFactory)
    reason = "spam"


# --- Email -----------------------------------------------------------------------------------
class EmailPreferencesFactory(DjangoModelFactory):
    """A digest subscriber (pass digest_enabled=False for someone who is not)."""

    class Meta:
        model = "groups.EmailPreferences"

    user = factory.SubFactory(UserFactory)
    digest_enabled = True
    digest_top = 10


class GroupEmailSettingsFactory(DjangoModelFactory):
    class Meta:
        model = "groups.GroupEmailSettings"

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(ReadingGroupFactory)


class RankingFactory(DjangoModelFactory):
    """A rank alone; services write it with its vote (`groups.voting.services.ranking_save`)."""

    class Meta:
        model = Ranking

    nomination = factory.SubFactory(NominationFactory)
    group = factory.SelfAttribute("nomination.group")
    user = factory.SubFactory(UserFactory)
    rank = factory.Sequence(lambda n: n + 1)
