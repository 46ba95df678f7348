import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from papers.models import ImportRun
from papers.services import import_daily, import_file
from tests.papers.conftest import FakeNetwork, hf_items, listed_papers
from tests.people import make_cast

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
ATOM = "{http://www.w3.org/2005/Atom}"


def test_it_serves_an_atom_feed_of_a_day() -> None:
    top = listed_papers(1, DAY, upvotes=99, title="Top <paper> & co")[0]
    listed_papers(2, DAY, upvotes=1)
    listed_papers(1, DAY - dt.timedelta(days=1))
    response = Client().get("/papers/2026-06-12/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 our own output
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert entries[0].findtext(f"{ATOM}title") == "Top <paper> & co"
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/papers/p/{top.arxiv_id}/")


def test_it_serves_the_latest_days_feed_and_links_it() -> None:
    listed_papers(1, DAY)
    assert Client().get("/papers/feed/").status_code == 200
    assert b'type="application/atom+xml"' in Client().get("/papers/2026-06-12/").content


def test_it_404s_a_feed_without_papers() -> None:
    assert Client().get("/papers/feed/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "organizer"])
def test_it_keeps_the_import_admin_to_staff(role: str) -> None:
    response = make_cast().client(role).get("/admin/papers/importrun/")
    assert response.status_code == 302


def test_it_shows_papers_and_runs_with_skips_to_staff(hf_day: FakeNetwork) -> None:
    run = import_daily(day=DAY)
    run.skips.create(record_id="bogus", reason="not an arXiv id")
    staff = make_cast().client("staff")
    assert staff.get("/admin/papers/paper/?q=MiniMax").status_code == 200
    assert staff.get("/admin/papers/paper/?listings__day__gte=2026-06-12").status_code == 200
    page = staff.get(f"/admin/papers/importrun/{run.pk}/change/")
    assert b"not an arXiv id" in page.content


def test_it_reruns_an_import_from_the_admin(
    hf_day: FakeNetwork, django_capture_on_commit_callbacks
) -> None:
    run = import_daily(day=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        response = (
            make_cast()
            .client("staff")
            .post(
                "/admin/papers/importrun/",
                {"action": "rerun", "_selected_action": [run.pk]},
            )
        )
    assert response.status_code == 302
    latest = ImportRun.objects.exclude(pk=run.pk).get()
    assert (latest.request, latest.status, latest.unchanged) == ("2026-06-12", "succeeded", 30)


def test_it_sends_imported_summaries_and_abstracts_as_text(tmp_path) -> None:
    """A crafted Hugging Face record, imported as the daily import would: a feed reader gets its
    markup as text (type="text"), never as HTML to render."""
    records = hf_items()[:2]
    script = '<script>alert("feed")</script><img src=x onerror=alert(1)>'
    records[0]["paper"]["ai_summary"] = f"Summary {script} &amp; more"
    records[1]["paper"].pop("ai_summary", None)
    records[1]["paper"]["summary"] = f"Abstract {script}"
    crafted = tmp_path / "daily_papers_2026-06-12.json"
    crafted.write_text(json.dumps(records))
    assert import_file(path=crafted).status == ImportRun.Status.SUCCEEDED

    response = Client().get("/papers/2026-06-12/feed/")
    assert b'type="html"' not in response.content
    feed = ET.fromstring(response.content)  # noqa: S314 our own output
    summaries = {
        entry.findtext(f"{ATOM}id"): entry.find(f"{ATOM}summary")
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert len(summaries) == 2
    texts = sorted((s.get("type"), s.text) for s in summaries.values())
    assert texts == [
        ("text", f"Abstract {script}"),
        ("text", f"Summary {script} &amp; more"),
    ]
