from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from groups.timezones import is_valid_timezone


def validate_timezone(value: str) -> None:
    if not is_valid_timezone(value):
        raise ValidationError(f"“{value}” is not a known time zone.")


class User(AbstractUser):
    """A person. Signs in by email (allauth); `username` is a generated handle for @mentions."""

    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other people see: the display name, else the handle."""
        return self.display_name or self.username


# How pages, emails and the audit log name someone whose account is gone (their notes and
# nominations stay).
FORMER_MEMBER = "a former member"


def name_of(user: User | None) -> str:
    """A person's name as others see it, or FORMER_MEMBER once the account is deleted."""
    return user.name if user is not None else FORMER_MEMBER
