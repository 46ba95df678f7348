"""The shipped sample: recorded Hugging Face daily lists that `load_sample` puts in an empty
database, and the home page saying so while they are what it shows."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from papers import services
from papers.models import DailyListing, ImportRun, Paper
from tests.factories import PaperFactory
from tests.papers.conftest import hf_fixture_path, listed_papers

pytestmark = pytest.mark.django_db
SAMPLE_DAY = dt.date(2026, 6, 12)
NOTE = b"These are sample papers recorded on"


def load_sample() -> str:
    out = io.StringIO()
    call_command("load_sample", stdout=out)
    return out.getvalue()


def test_it_ships_a_copy_of_the_recorded_list_inside_the_papers_app() -> None:
    (path,) = services.sample_files()
    assert path.parent == services.SAMPLE_DIR
    assert services.SAMPLE_DIR.parent.name == "papers"
    assert path.read_bytes() == hf_fixture_path().read_bytes()
    assert services.sample_days() == [SAMPLE_DAY]


def test_it_loads_the_sample_papers_onto_their_day() -> None:
    out = load_sample()
    assert Paper.objects.count() == 30
    assert set(DailyListing.objects.values_list("day", flat=True)) == {SAMPLE_DAY}
    assert Paper.objects.for_day(SAMPLE_DAY).count() == 30
    run = ImportRun.objects.get()
    assert (run.source, run.status, run.created) == ("file", "succeeded", 30)
    assert out == "Loaded the sample: 30 papers of 2026-06-12.\n"


def test_it_loads_nothing_the_second_time() -> None:
    load_sample()
    out = load_sample()
    assert Paper.objects.count() == 30
    assert ImportRun.objects.count() == 1
    assert out == "The database already has papers (30): the sample was not loaded.\n"


def test_it_leaves_a_database_that_has_papers_alone() -> None:
    PaperFactory()
    load_sample()
    assert Paper.objects.count() == 1
    assert not ImportRun.objects.exists()


def test_it_says_on_the_home_page_that_the_papers_are_the_sample() -> None:
    load_sample()
    response = Client().get("/")
    assert len(response.context["papers"]) == 12
    assert NOTE + b" 12 June 2026" in response.content  # as the heading dates it


def test_it_drops_the_note_once_the_day_was_imported_from_hugging_face() -> None:
    load_sample()
    ImportRun.objects.create(
        source=ImportRun.Source.HF_DAILY, request="2026-06-12", status=ImportRun.Status.SUCCEEDED
    )
    assert NOTE not in Client().get("/").content


def test_it_drops_the_note_when_a_later_day_is_shown() -> None:
    load_sample()
    listed_papers(1, SAMPLE_DAY + dt.timedelta(days=1))
    assert NOTE not in Client().get("/").content


def test_it_shows_no_note_for_papers_that_are_not_the_sample() -> None:
    listed_papers(2, dt.date(2026, 6, 20))
    assert NOTE not in Client().get("/").content


def test_it_says_when_the_daily_import_is_running() -> None:
    run = ImportRun.objects.create(
        source=ImportRun.Source.HF_DAILY, request=timezone.now().date().isoformat()
    )
    assert b"Importing the latest daily papers" in Client().get("/").content
    # A run that never finished (its process died) does not claim to be importing for ever.
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert b"Importing the latest daily papers" not in Client().get("/").content
