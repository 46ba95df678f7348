"""Saved files: read whatever their first bytes look like, and put their papers on a day."""

import datetime as dt
import json

import pytest

from papers import services
from papers.clients.http import SourceError
from papers.models import DailyListing, ImportRun, Paper
from tests.papers.conftest import arxiv_feed, hf_fixture_path, hf_items
from tests.papers.test_import_command import run_command

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def capture_without_day() -> list[dict]:
    """An older daily-papers capture: no submittedOnDailyAt."""
    items = hf_items()
    for item in items:
        item["paper"].pop("submittedOnDailyAt")
    return items


def listed_days() -> list[str]:
    return sorted({day.isoformat() for day in DailyListing.objects.values_list("day", flat=True)})


def test_it_lists_a_capture_without_days_on_the_day_its_name_says(tmp_path) -> None:
    path = tmp_path / "daily_papers_2026-06-12.json"
    path.write_text(json.dumps(capture_without_day()))
    code, out, _ = run_command("--file", str(path))
    assert (code, out) == (
        0,
        "30 created, 0 updated, 0 unchanged, 0 skipped; listed on 2026-06-12\n",
    )
    assert Paper.objects.for_day(DAY).count() == 30
    assert ImportRun.objects.get().days == ["2026-06-12"]


def test_it_honours_date_with_file(tmp_path) -> None:
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(capture_without_day()))
    code, out, _ = run_command("--file", str(path), "--date", "2026-06-10")
    assert (code, out) == (
        0,
        "30 created, 0 updated, 0 unchanged, 0 skipped; listed on 2026-06-10\n",
    )
    assert listed_days() == ["2026-06-10"]
    # Given, --date wins over the file's own days too.
    code, out, _ = run_command("--file", str(hf_fixture_path()), "--date", "2026-06-11")
    assert out == "0 created, 30 updated, 0 unchanged, 0 skipped; listed on 2026-06-11\n"
    assert listed_days() == ["2026-06-10", "2026-06-11"]


def test_it_refuses_a_daily_file_that_names_no_day(tmp_path) -> None:
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(capture_without_day()))
    code, out, err = run_command("--file", str(path))
    assert (code, out) == (1, "")
    assert f"{path} does not say which day's list it is" in err and "--date" in err
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "give the day with --date" in run.error
    assert Paper.objects.count() == 0


def test_it_gives_papers_without_a_day_the_day_of_the_others(tmp_path) -> None:
    items = hf_items()
    items[0]["paper"].pop("submittedOnDailyAt")
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(items))
    run = services.import_file(path=path)
    assert (run.created, run.days) == (30, ["2026-06-12"])
    assert Paper.objects.for_day(DAY).count() == 30


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le")],
)
def test_it_reads_a_file_with_a_byte_order_mark(tmp_path, bom: bytes, encoding: str) -> None:
    path = tmp_path / "day.json"
    path.write_bytes(bom + hf_fixture_path().read_text().encode(encoding))
    run = services.import_file(path=path)
    assert (run.status, run.created) == (ImportRun.Status.SUCCEEDED, 30)


def test_it_reads_an_atom_file_with_a_byte_order_mark(tmp_path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b"\xef\xbb\xbf" + arxiv_feed(0, 1).encode())
    assert services.import_file(path=path).created == 2


def test_it_reads_json_that_mentions_a_feed_as_json(tmp_path) -> None:
    items = hf_items()[:2]
    items[0]["paper"]["title"] = "Parsing <feed> elements in RSS <feed xmlns=...>"
    # In the first bytes of the file, where a sniffer would look.
    items[0] = {"note": '<feed xmlns="http://www.w3.org/2005/Atom">', **items[0]}
    path = tmp_path / "day.json"
    path.write_text(json.dumps(items))
    run = services.import_file(path=path)
    assert (run.status, run.created) == (ImportRun.Status.SUCCEEDED, 2)
    assert Paper.objects.filter(title__startswith="Parsing <feed>").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[{", "holds malformed JSON"),
        ('{"error": "x"}', "holds a JSON dict, not a list"),
        ("<feed><entry>", "holds malformed XML"),
        ("<html></html>", "holds XML that is not an Atom feed"),
        ("   ", "is empty"),
        ("title,abstract", "is neither Hugging Face JSON nor an arXiv Atom feed"),
    ],
)
def test_it_names_the_file_in_its_errors(tmp_path, body: str, message: str) -> None:
    path = tmp_path / "saved.txt"
    path.write_text(body)
    with pytest.raises(SourceError) as caught:
        services.import_file(path=path)
    assert str(caught.value).startswith(f"{path} {message}")
    assert "sent" not in str(caught.value)  # no "Hugging Face sent ..." for a local file
    run = ImportRun.objects.get()
    assert (run.status, run.error) == (ImportRun.Status.FAILED, str(caught.value))
