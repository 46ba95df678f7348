"""The settings service takes plain values (what the page's forms clean), not the forms."""

import pytest

from groups.models import EmailPreferences, GroupEmailSettings
from groups.notifications.email import email_settings_save
from tests.factories import EmailPreferencesFactory, GroupEmailSettingsFactory
from tests.people import Cast

pytestmark = pytest.mark.django_db

EVERYTHING = {"nominations": True, "sessions": True, "replies": True, "mentions": True}


def test_it_saves_new_settings_from_plain_values(cast: Cast) -> None:
    email_settings_save(
        user=cast.member,
        digest={"digest_enabled": True, "digest_top": 25, "digest_keywords": "agents"},
        groups={cast.group: {**EVERYTHING, "replies": False, "delivery": "daily"}},
    )

    preferences = EmailPreferences.objects.get(user=cast.member)
    assert (preferences.digest_enabled, preferences.digest_top) == (True, 25)
    assert preferences.keywords == ["agents"]
    chosen = GroupEmailSettings.objects.get(user=cast.member, group=cast.group)
    assert (chosen.replies, chosen.nominations, chosen.delivery) == (False, True, "daily")


def test_it_changes_existing_settings_and_touches_nobody_elses(cast: Cast) -> None:
    EmailPreferencesFactory(user=cast.member, digest_top=5)
    GroupEmailSettingsFactory(user=cast.member, group=cast.group, mentions=False)
    GroupEmailSettingsFactory(user=cast.owner, group=cast.group, mentions=False)

    email_settings_save(
        user=cast.member,
        digest={"digest_enabled": False, "digest_top": 7, "digest_keywords": ""},
        groups={cast.group: {**EVERYTHING, "delivery": "immediate"}},
    )

    assert EmailPreferences.objects.get(user=cast.member).digest_top == 7
    assert GroupEmailSettings.objects.get(user=cast.member).mentions is True
    assert GroupEmailSettings.objects.get(user=cast.owner).mentions is False
    assert GroupEmailSettings.objects.count() == 2
