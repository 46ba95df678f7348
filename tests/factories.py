from typing import Any

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from groups.models import User

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
