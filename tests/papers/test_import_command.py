import io
import json

import pytest
from django.core.management import call_command

from papers.models import ImportRun, Paper
from tests.papers.conftest import FakeNetwork, arxiv_feed, arxiv_fixture_path, hf_fixture_path

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_papers", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_it_imports_the_recorded_daily_file_twice() -> None:
    path = str(hf_fixture_path())
    assert run_command("--file", path) == (
        0,
        "30 created, 0 updated, 0 unchanged, 0 skipped; listed on 2026-06-12\n",
        "",
    )
    assert run_command("--file", path)[1] == (
        "0 created, 0 updated, 30 unchanged, 0 skipped; listed on 2026-06-12\n"
    )
    assert Paper.objects.count() == 30


def test_it_imports_the_recorded_arxiv_file() -> None:
    code, out, _ = run_command("--file", str(arxiv_fixture_path()))
    assert (code, out) == (0, "100 created, 0 updated, 0 unchanged, 0 skipped\n")


def test_it_exits_non_zero_with_the_reason_on_stderr(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    code, out, err = run_command("--file", str(bad))
    assert code == 1
    assert out == ""
    assert "Import failed" in err and "not a list" in err
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_it_reports_a_missing_file(tmp_path) -> None:
    code, _, err = run_command("--file", str(tmp_path / "nope.json"))
    assert code == 1
    assert "cannot read" in err


def test_it_lists_skipped_records(tmp_path) -> None:
    items = json.loads(hf_fixture_path().read_text())
    items[0]["paper"]["id"] = "bogus"
    path = tmp_path / "day.json"
    path.write_text(json.dumps(items))
    code, out, err = run_command("--file", str(path))
    assert (code, out) == (
        0,
        "29 created, 0 updated, 0 unchanged, 1 skipped; listed on 2026-06-12\n",
    )
    assert "skipped bogus: not an arXiv id" in err


def test_it_backfills_days_with_progress(hf_day: FakeNetwork) -> None:
    code, out, err = run_command("--date", "2026-06-12", "--days", "3")
    assert code == 0
    assert out == (
        "30 created, 60 updated, 0 unchanged, 0 skipped; listed on 2026-06-10, 2026-06-11, "
        "2026-06-12\n"
    )
    assert "[1/3] 2026-06-10" in err and "[3/3] 2026-06-12" in err
    days = sorted({r.url.params["date"] for r in hf_day.requests})
    assert days == ["2026-06-10", "2026-06-11", "2026-06-12"]


def test_it_fails_on_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_papers", "--date", "12/06/2026")


def test_it_imports_by_arxiv_id_and_category(network: FakeNetwork) -> None:
    network.serve_arxiv(arxiv_feed(0))
    assert run_command("--arxiv", "https://arxiv.org/abs/2202.12139")[1].startswith("1 created")
    network.serve_arxiv(arxiv_feed(0, 1))
    assert run_command("--category", "cs.SE")[1] == "1 created, 0 updated, 1 unchanged, 0 skipped\n"


def test_it_reports_a_source_failure(network: FakeNetwork) -> None:
    network.serve_daily(["{}"], status=400)
    code, _, err = run_command("--date", "2026-06-12")
    assert code == 1
    assert "400" in err
