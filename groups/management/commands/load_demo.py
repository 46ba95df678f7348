"""python manage.py load_demo: the demo reading group, in the embedded default only."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from groups.demo.services import DEMO_EMAIL, DEMO_PASSWORD, DemoError, demo_load


class Command(BaseCommand):
    help = (
        "Create the demo reading group (nominations, votes, a session, notes) and its demo user. "
        "Embedded default only (DJANGO_DEBUG on, no DATABASE_URL); does nothing the second time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_load()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        done = "Created" if result.created else "The demo group was already here"
        self.stdout.write(
            f"{done}: /g/{result.group.slug}/. Sign in as {DEMO_EMAIL} "
            f"with the password {DEMO_PASSWORD}."
        )
