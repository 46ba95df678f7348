"""python manage.py load_sample: the shipped sample of recorded daily lists, into an empty database."""

from typing import Any

from django.core.management.base import BaseCommand

from papers import services
from papers.models import Paper


class Command(BaseCommand):
    help = (
        "Load the sample of real Hugging Face daily lists shipped in papers/sample/, through the "
        "same import as import_papers --file. Does nothing when the database has papers already."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        runs = services.sample_load()
        if not runs:
            self.stdout.write(
                f"The database already has papers ({Paper.objects.count()}): "
                "the sample was not loaded."
            )
            return
        days = ", ".join(day.isoformat() for day in services.sample_days())
        self.stdout.write(
            f"Loaded the sample: {sum(run.created for run in runs)} papers of {days}."
        )
