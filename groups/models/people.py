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
