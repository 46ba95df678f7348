"""The one way Paper Club sends email, and the one-click unsubscribe that comes with it.

`send_email` renders `templates/groups/notifications/email/<name>_subject.txt`, `<name>.txt` and `<name>.html`
(the HTML extends the shared `groups/notifications/email/base.html` layout) in the recipient's time zone and
sends a plain-text message with an HTML alternative. Given an unsubscribe scope it adds a signed
unsubscribe link to both parts and the RFC 8058 `List-Unsubscribe` / `List-Unsubscribe-Post`
headers, so mail clients can offer their own one-click button.

Scopes: "digest", "summary" (every group whose news comes in the daily summary), or "group:<id>:<switch>" with a switch of `GroupEmailSettings`
(nominations, sessions, replies, mentions) or "all" for every switch of that group.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groups.models import EmailPreferences, GroupEmailSettings, ReadingGroup, User
from groups.timezones import zone_or_utc

UNSUBSCRIBE_SALT = "paperclub.email.unsubscribe"
GROUP_SWITCHES = ("nominations", "sessions", "replies", "mentions")


class UnfoldedHeader(str):
    """A header value sent on one line, as it is (ASCII, under RFC 5322's 998 characters).

    The email package folds a long unstructured value by turning it into RFC 2047 encoded-words
    (`=?utf-8?q?=3Chttp...`), and then mail providers no longer find the `<URL>` of
    `List-Unsubscribe`. A value with a `name` and a `fold()` is one the policy stores and
    writes unchanged.
    """

    name: str

    def __new__(cls, name: str, value: str) -> "UnfoldedHeader":
        if not value.isascii() or "\r" in value or "\n" in value or len(name + value) > 990:
            raise ValueError(f"{name} must be one line of ASCII")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy (the test outbox makes one) is made with the name too.
        return (UnfoldedHeader, (self.name, str(self)))

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


class UnsubscribeError(Exception):
    """The token was tampered with, expired, or names something that no longer exists."""


def unsubscribe_token(*, user: User, scope: str) -> str:
    return signing.dumps({"u": user.pk, "s": scope}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user: User, scope: str) -> str:
    token = unsubscribe_token(user=user, scope=scope)
    return settings.SITE_URL + reverse("email_unsubscribe", kwargs={"token": token})


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    scope: str
    group: ReadingGroup | None
    switch: str

    @property
    def description(self) -> str:
        """What the person stops getting, in words for the confirm page."""
        if self.scope == "digest":
            return "the daily digest of trending papers"
        if self.scope == "summary":
            return "the daily summary of your groups"
        labels = {
            "nominations": "new nominations",
            "sessions": "session notices",
            "replies": "replies to your notes",
            "mentions": "@mentions of you",
            "all": "all email",
        }
        assert self.group is not None
        return f"{labels[self.switch]} from {self.group.name}"


def unsubscribe_read(token: str) -> Unsubscribe:
    """The user and scope a token names. Raises UnsubscribeError if it is bad or expired."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=settings.EMAIL_UNSUBSCRIBE_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise UnsubscribeError("This unsubscribe link has expired.") from exc
    except signing.BadSignature as exc:
        raise UnsubscribeError("This unsubscribe link is not valid.") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    scope = str(data.get("s", ""))
    if user is None:
        raise UnsubscribeError("This unsubscribe link is for an account that no longer exists.")
    if scope in ("digest", "summary"):
        return Unsubscribe(user=user, scope=scope, group=None, switch=scope)
    parts = scope.split(":")
    if len(parts) == 3 and parts[0] == "group" and parts[1].isdigit():
        group = ReadingGroup.objects.filter(pk=int(parts[1])).first()
        if group is not None and parts[2] in (*GROUP_SWITCHES, "all"):
            return Unsubscribe(user=user, scope=scope, group=group, switch=parts[2])
    raise UnsubscribeError("This unsubscribe link is not valid.")


@transaction.atomic
def email_unsubscribe(*, unsubscribe: Unsubscribe) -> None:
    """Switches off what the token names. Doing it twice is harmless."""
    if unsubscribe.scope == "summary":
        GroupEmailSettings.objects.filter(
            user=unsubscribe.user, delivery=GroupEmailSettings.Delivery.DAILY
        ).update(**dict.fromkeys(GROUP_SWITCHES, False))
        return
    if unsubscribe.group is None:
        EmailPreferences.objects.update_or_create(
            user=unsubscribe.user, defaults={"digest_enabled": False}
        )
        return
    switches = GROUP_SWITCHES if unsubscribe.switch == "all" else (unsubscribe.switch,)
    GroupEmailSettings.objects.update_or_create(
        user=unsubscribe.user,
        group=unsubscribe.group,
        defaults=dict.fromkeys(switches, False),
    )


class DigestChoices(TypedDict):
    """A person's digest subscription, as the settings page asks for it."""

    digest_enabled: bool
    digest_top: int
    digest_keywords: str


class GroupChoices(TypedDict):
    """What a person hears about one group, and how (`GroupEmailSettings.Delivery`)."""

    nominations: bool
    sessions: bool
    replies: bool
    mentions: bool
    delivery: str


@transaction.atomic
def email_settings_save(
    *, user: User, digest: DigestChoices, groups: Mapping[ReadingGroup, GroupChoices]
) -> None:
    """Saves the person's digest subscription and their settings for each of `groups` (groups
    they are a member of) together: all or nothing. Only the keys named above are read."""
    EmailPreferences.objects.update_or_create(
        user=user,
        defaults={
            "digest_enabled": digest["digest_enabled"],
            "digest_top": digest["digest_top"],
            "digest_keywords": digest["digest_keywords"],
        },
    )
    for group, choices in groups.items():
        GroupEmailSettings.objects.update_or_create(
            user=user,
            group=group,
            defaults={
                "nominations": choices["nominations"],
                "sessions": choices["sessions"],
                "replies": choices["replies"],
                "mentions": choices["mentions"],
                "delivery": choices["delivery"],
            },
        )


def send_email(
    *,
    user: User,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    unsubscribe: str | None = None,
    reason: str = "",
) -> None:
    """Sends one multipart (text + HTML) email to the user, times shown in their own zone.

    `unsubscribe` is a scope (see the module docstring): the email then carries a one-click
    unsubscribe link and headers. `reason` says in the footer why the person gets it.
    """
    context = {
        "recipient": user,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "settings_url": settings.SITE_URL + reverse("email_settings"),
        "reason": reason,
        **context,
    }
    headers: dict[str, str] = {}
    if unsubscribe:
        link = unsubscribe_url(user=user, scope=unsubscribe)
        context["unsubscribe_url"] = link
        targets = [f"<{link}>"]
        if settings.EMAIL_UNSUBSCRIBE_MAILTO:
            targets.append(f"<mailto:{settings.EMAIL_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
        headers["List-Unsubscribe"] = UnfoldedHeader("List-Unsubscribe", ", ".join(targets))
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with timezone.override(zone_or_utc(user.time_zone)):
        subject = render_to_string(f"groups/notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"groups/notifications/email/{template}.txt", context)
        text += render_to_string("groups/notifications/email/footer.txt", context)
        html = render_to_string(f"groups/notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] " + " ".join(subject.split()),
        body=text,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
