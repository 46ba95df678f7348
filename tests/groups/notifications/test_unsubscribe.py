import email.policy

import pytest
from django.core import mail, signing
from django.test import Client

from groups.models import EmailPreferences, GroupEmailSettings
from groups.notifications.email import UNSUBSCRIBE_SALT, unsubscribe_token
from groups.notifications.tasks import send_digests
from tests.factories import EmailPreferencesFactory, UserFactory
from tests.groups.notifications.conftest import DAY, list_papers
from tests.people import Cast

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/email/unsubscribe/{token}/"


@pytest.fixture
def subscriber():
    return EmailPreferencesFactory().user


def subscribed(user) -> bool:
    return EmailPreferences.objects.get(user=user).digest_enabled


def test_it_sends_the_one_click_link_as_a_plain_header(subscriber) -> None:
    """Providers look for `<https://...>` in the raw header: an RFC 2047 encoded-word
    (`=?utf-8?q?=3Chttp...`, what folding a long unstructured value makes) hides the link."""
    list_papers(DAY, [1])
    send_digests.delay(DAY.isoformat())
    (message,) = mail.outbox
    link = next(w for w in message.body.split() if "/email/unsubscribe/" in w)
    raw = message.message().as_bytes()
    assert f"\nList-Unsubscribe: <{link}>\n".encode() in raw
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in raw
    smtp = message.message(policy=email.policy.SMTP).as_bytes()  # what the SMTP backend sends
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in smtp


def test_it_unsubscribes_through_the_link_in_the_digest(subscriber) -> None:
    list_papers(DAY, [1])
    send_digests.delay(DAY.isoformat())
    (message,) = mail.outbox
    link = next(w for w in message.body.split() if "/email/unsubscribe/" in w)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    assert page.status_code == 200
    assert b"the daily digest of trending papers" in page.content
    assert subscribed(subscriber)  # a GET (a link scanner, a preview) changes nothing

    csrf = page.cookies["csrftoken"].value
    done = client.post(path, {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert csrf and done.status_code == 200
    assert b"You are unsubscribed" in done.content
    assert not subscribed(subscriber)


def test_it_accepts_the_one_click_post_without_csrf(subscriber) -> None:
    token = unsubscribe_token(user=subscriber, scope="digest")
    client = Client(enforce_csrf_checks=True)

    response = client.post(url(token), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not subscribed(subscriber)


def test_it_checks_csrf_on_any_other_post(subscriber) -> None:
    token = unsubscribe_token(user=subscriber, scope="digest")
    client = Client(enforce_csrf_checks=True)

    response = client.post(url(token), {})

    assert response.status_code == 403
    assert subscribed(subscriber)


def test_it_refuses_a_tampered_token(subscriber) -> None:
    other = EmailPreferencesFactory().user
    token = unsubscribe_token(user=subscriber, scope="digest")
    forged = signing.dumps({"u": other.pk, "s": "digest"}, salt="someone-guessing")
    payload, rest = token.split(":", 1)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + rest

    for bad in (tampered, forged, "not-a-token", token + "x"):
        get = Client().get(url(bad))
        post = Client().post(url(bad), {"List-Unsubscribe": "One-Click"})
        assert (get.status_code, post.status_code) == (400, 400)
        assert b"This link does not work" in post.content
    assert subscribed(subscriber) and subscribed(other)


def test_it_refuses_an_expired_token(subscriber, settings) -> None:
    token = unsubscribe_token(user=subscriber, scope="digest")
    settings.EMAIL_UNSUBSCRIBE_MAX_AGE = -1

    response = Client().post(url(token), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert b"expired" in response.content
    assert subscribed(subscriber)


def test_it_refuses_a_token_for_a_deleted_account(subscriber) -> None:
    token = unsubscribe_token(user=subscriber, scope="digest")
    subscriber.delete()
    assert Client().get(url(token)).status_code == 400


def test_it_refuses_a_validly_signed_unknown_scope(subscriber) -> None:
    token = signing.dumps({"u": subscriber.pk, "s": "group:x:all"}, salt=UNSUBSCRIBE_SALT)
    assert Client().post(url(token), {"List-Unsubscribe": "One-Click"}).status_code == 400


def test_it_unsubscribes_from_one_kind_of_group_email(cast: Cast) -> None:
    token = unsubscribe_token(user=cast.member, scope=f"group:{cast.group.pk}:replies")

    Client().post(url(token), {"List-Unsubscribe": "One-Click"})
    Client().post(url(token), {"List-Unsubscribe": "One-Click"})  # twice is harmless

    chosen = GroupEmailSettings.objects.get(user=cast.member, group=cast.group)
    assert (chosen.replies, chosen.nominations, chosen.sessions, chosen.mentions) == (
        False,
        True,
        True,
        True,
    )


def test_it_unsubscribes_from_the_daily_summary(cast: Cast) -> None:
    GroupEmailSettings.objects.create(user=cast.member, group=cast.group, delivery="daily")
    token = unsubscribe_token(user=cast.member, scope="summary")

    Client().post(url(token), {"List-Unsubscribe": "One-Click"})

    chosen = GroupEmailSettings.objects.get(user=cast.member, group=cast.group)
    assert not any([chosen.replies, chosen.nominations, chosen.sessions, chosen.mentions])


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_refuses_other_methods(subscriber, method: str) -> None:
    token = unsubscribe_token(user=subscriber, scope="digest")
    assert getattr(Client(), method)(url(token)).status_code == 405


def test_it_needs_no_sign_in_and_ignores_who_is_signed_in(subscriber) -> None:
    someone_else = UserFactory()
    client = Client()
    client.force_login(someone_else)
    token = unsubscribe_token(user=subscriber, scope="digest")

    client.post(url(token), {"List-Unsubscribe": "One-Click"})

    assert not subscribed(subscriber)  # the token's person, not the session's
