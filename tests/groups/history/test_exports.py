"""The history's exports: who may download which, what the files hold (parsed: JSON, the zip of
CSVs, the zip of Markdown files, a member's own notes), privacy (hidden notes for organizers
only, deleted notes never), streaming, the query count at two sizes, and the rate limit."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from tests.groups.history.conftest import History, fill, make_history
from tests.people import Cast, make_cast

pytestmark = pytest.mark.django_db

GROUP_EXPORTS = ["export.json", "export-csv.zip", "export-markdown.zip"]
OWN_EXPORTS = ["my-notes.json", "my-notes.md"]


def url(cast: Cast, name: str) -> str:
    return f"/g/{cast.group.slug}/history/{name}"


def download(client: Client, cast: Cast, name: str) -> bytes:
    response = client.get(url(cast, name))
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert "attachment;" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


def status_of(response: HttpResponse) -> int | str:
    if response.status_code == 302:
        return "sign in" if "/accounts/login/" in response["Location"] else 302
    return response.status_code


@pytest.mark.parametrize("name", GROUP_EXPORTS)
@pytest.mark.parametrize(
    ("role", "public", "private"),
    [
        ("anonymous", "sign in", 404),
        ("outsider", 403, 404),
        ("staff", 403, 404),
        ("member", 403, 403),
        ("organizer", 200, 200),
        ("owner", 200, 200),
    ],
)
def test_only_organizers_export_the_history(
    history: History, private_history: History, name: str, role: str, public, private
) -> None:
    for shown, expected in [(history, public), (private_history, private)]:
        response = shown.cast.client(role).get(url(shown.cast, name))
        assert status_of(response) == expected, (shown.cast.group.visibility, role)
        if expected != 200:
            assert not response.streaming


@pytest.mark.parametrize("name", OWN_EXPORTS)
@pytest.mark.parametrize(
    ("role", "public", "private"),
    [
        ("anonymous", "sign in", 404),
        ("outsider", 403, 404),
        ("staff", 403, 404),
        ("member", 200, 200),
        ("organizer", 200, 200),
    ],
)
def test_members_export_their_own_notes(
    history: History, private_history: History, name: str, role: str, public, private
) -> None:
    for shown, expected in [(history, public), (private_history, private)]:
        response = shown.cast.client(role).get(url(shown.cast, name))
        assert status_of(response) == expected, (shown.cast.group.visibility, role)


@pytest.mark.parametrize("name", GROUP_EXPORTS + OWN_EXPORTS)
def test_it_refuses_the_wrong_method(history: History, name: str) -> None:
    response = history.cast.client("organizer").post(url(history.cast, name))

    assert response.status_code == 405


def test_the_json_export_holds_the_whole_history(history: History) -> None:
    data = json.loads(download(history.cast.client("organizer"), history.cast, "export.json"))

    assert data["group"]["slug"] == history.cast.group.slug
    sessions = {session["id"]: session for session in data["sessions"]}
    assert set(sessions) == {history.session.pk, history.older.pk, history.upcoming.pk}
    held = sessions[history.session.pk]
    assert held["paper"] == {
        "arxiv_id": history.session.paper.arxiv_id,
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Jürgen Müller"],
    }
    assert held["starts_at"] == "2025-03-04T23:30:00+00:00"
    assert held["presenter"] == "Olga Organizer"
    assert held["agenda"] == "1. Why attention?"
    assert sorted((a["person"], a["answer"]) for a in held["attendance"]) == [
        ("Alice Member", "going"),
        ("Olga Organizer", "maybe"),
        ("Owen Owner", "going"),
    ]
    notes = {note["id"]: note for note in held["notes"]}
    # Organizers get hidden notes (marked), never deleted ones; the Markdown source, the names.
    assert set(notes) == {history.note.pk, history.reply.pk, history.hidden.pk}
    assert notes[history.note.pk]["body"] == "=SUM(A1) **Self-attention** is the point."
    assert notes[history.note.pk]["author"] == "Alice Member"
    assert notes[history.reply.pk]["parent_id"] == history.note.pk
    assert notes[history.hidden.pk]["hidden"] is True
    assert notes[history.note.pk]["hidden"] is False
    [nomination] = data["nominations"]
    assert nomination["nominated_by"] == "Alice Member"
    assert nomination["vote_count"] == 2
    assert sorted(vote["voter"] for vote in nomination["votes"]) == [
        "Alice Member",
        "Olga Organizer",
    ]
    assert [note["body"] for note in nomination["notes"]] == ["Read section 3 first."]
    assert "Regretted deleted words" not in json.dumps(data)
    assert "@example.org" not in json.dumps(data)  # nobody's email


def read_zip(content: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    return {info.filename: archive.read(info).decode() for info in archive.infolist()}


def test_the_csv_export_is_a_zip_of_tables(history: History) -> None:
    cast = history.cast
    files = read_zip(download(cast.client("organizer"), cast, "export-csv.zip"))

    prefix = f"{cast.group.slug}-history/"
    names = ["sessions", "nominations", "votes", "attendance", "notes"]
    assert sorted(files) == sorted(f"{prefix}{name}.csv" for name in names)
    tables = {
        name: list(csv.DictReader(io.StringIO(files[f"{prefix}{name}.csv"]))) for name in names
    }
    assert {row["id"] for row in tables["sessions"]} == {
        str(s.pk) for s in (history.session, history.older, history.upcoming)
    }
    assert any(
        row["paper_authors"] == "Ashish Vaswani; Jürgen Müller" for row in tables["sessions"]
    )
    assert len(tables["votes"]) == 2 and len(tables["attendance"]) == 3
    notes = {row["id"]: row for row in tables["notes"]}
    assert set(notes) == {
        str(n.pk) for n in (history.note, history.reply, history.hidden, history.nomination_note)
    }
    assert notes[str(history.hidden.pk)]["hidden"] == "True"
    # A cell a spreadsheet would run as a formula starts with an apostrophe.
    assert notes[str(history.note.pk)]["body"] == "'=SUM(A1) **Self-attention** is the point."
    assert "Regretted deleted words" not in "".join(files.values())


def test_the_markdown_export_has_a_file_per_session(history: History) -> None:
    cast = history.cast
    files = read_zip(download(cast.client("organizer"), cast, "export-markdown.zip"))

    assert len(files) == 3
    name = (
        f"{cast.group.slug}-sessions/2025-03-04-{history.session.paper.arxiv_id}"
        f"-session-{history.session.pk}.md"
    )
    text = files[name]
    assert text.startswith("# Attention Is All You Need\n")
    assert "- Presenter: Olga Organizer" in text
    assert "- Going (2): " in text and "Alice Member" in text
    assert "## Agenda\n\n1. Why attention?" in text
    assert "=SUM(A1) **Self-attention** is the point." in text
    assert f"in reply to note {history.note.pk}" in text
    assert "Secret hidden words." in text and "hidden by a moderator" in text
    assert "Regretted deleted words" not in "".join(files.values())


def test_a_members_own_notes_leave_out_hidden_and_deleted_ones(history: History) -> None:
    cast = history.cast
    client = cast.client("member")

    data = json.loads(download(client, cast, "my-notes.json"))
    markdown = download(client, cast, "my-notes.md").decode()

    assert data["author"] == "Alice Member"
    assert [note["id"] for note in data["notes"]] == [
        history.note.pk,
        history.nomination_note.pk,
    ]
    assert data["notes"][0]["subject"]["kind"] == "session"
    assert data["notes"][1]["subject"]["paper"]["title"] == "Attention Is All You Need"
    for text in (json.dumps(data), markdown):
        assert "Self-attention" in text and "Read section 3 first." in text
        assert "Secret hidden words" not in text  # hidden: organizers' exports only
        assert "Regretted deleted words" not in text
        assert "Agreed." not in text  # the organizer's note, not hers
    assert markdown.startswith("# Alice Member's notes in ")


def test_a_member_without_notes_gets_an_empty_export(history: History) -> None:
    cast = history.cast
    markdown = download(cast.client("owner"), cast, "my-notes.md").decode()
    data = json.loads(download(cast.client("owner"), cast, "my-notes.json"))

    assert "No notes yet." in markdown
    assert data["notes"] == []


def big_history(count: int) -> Cast:
    cast = make_cast()
    make_history(cast)
    fill(cast, count)
    return cast


# Queries of a download after its client's first request: the session and its user, the
# membership, then one per table read (each through iterator(): one cursor whatever its size).
@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("name", "role", "tables"),
    [
        (
            "export.json",
            "organizer",
            6,
        ),  # sessions, RSVPs, session notes, nominations, votes, notes
        ("export-csv.zip", "organizer", 6),  # sessions, nominations, votes, RSVPs, 2 x notes
        ("export-markdown.zip", "organizer", 3),  # sessions, RSVPs, notes
        ("my-notes.json", "member", 1),
        ("my-notes.md", "member", 1),
    ],
)
def test_the_query_count_does_not_grow_with_the_rows(
    django_assert_num_queries, connection_vendor: str, count: int, name: str, role: str, tables: int
) -> None:
    cast = big_history(count)
    client = cast.client(role)
    client.get(f"/g/{cast.group.slug}/history/")
    # PostgreSQL: the export's snapshot transaction (a savepoint in the test's) opens and closes.
    around = 2 if connection_vendor == "postgresql" else 0

    with django_assert_num_queries(3 + tables + around):
        content = download(client, cast, name)

    text = "".join(read_zip(content).values()) if name.endswith(".zip") else content.decode()
    assert text.count("Note 1 on") == count  # every filler session's second note, once


@pytest.fixture
def connection_vendor() -> str:
    return connection.vendor


def test_exports_are_rate_limited(history: History, rate_limits) -> None:
    rate_limits("export", "2/h", None)
    client = history.cast.client("organizer")

    answers = [client.get(url(history.cast, "export.json")) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert not answers[2].streaming
    assert "Too many attempts" in answers[2].content.decode()
    # Reading the page is never limited.
    assert client.get(f"/g/{history.cast.group.slug}/history/").status_code == 200
