"""The group's history as files, written while they are sent (`StreamingHttpResponse`).

- `history_json`: one JSON document: the group, its sessions (each with its attendance, the
  RSVPs, and its notes), its nominations (each with its votes and notes).
- `history_csv_zip`: a zip of CSV files, one per kind of row (sessions, nominations, votes,
  notes, attendance), joined by their ids: one download, each table flat for a spreadsheet.
- `history_markdown_zip`: a zip of one Markdown file per session (paper, time, presenter,
  attendance, agenda, then its notes in order).
- `my_notes_json`, `my_notes_markdown`: one member's own notes in the group.

Memory stays bounded whatever the size of the history: every table is read by one query through
`iterator()` (a server-side cursor on PostgreSQL, fetching CHUNK rows at a time), as tuples, and
written out as it is read; a parent's children (a session's notes, a nomination's votes) are read
side by side with the parents in the same order (`_nest`), so only one session's rows are held.
The number of queries is the number of tables, never the number of rows.

Privacy: deleted notes are never exported; hidden notes only when `include_hidden` (organizers).
People are named as pages name them (display name, else handle; "a former member"), never by
email. On PostgreSQL an export reads one snapshot (a REPEATABLE READ, READ ONLY transaction); on
SQLite, whose transactions here take the write lock, each table is read at its own moment, and a
row whose parent came later is left out.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, QuerySet

from groups.history.zipstream import ZipStream
from groups.models import DiscussionSession, Nomination, Note, ReadingGroup, Rsvp, User, Vote
from groups.models.people import FORMER_MEMBER

CHUNK = 2000
BUFFER = 64 * 1024

Row = dict[str, Any]


# --- Reading --------------------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view for a whole export on PostgreSQL (see the module docstring)."""
    if connection.vendor != "postgresql":
        yield
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # inside a test's transaction the level is already set
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _name(display_name: str | None, username: str | None) -> str:
    """A person as pages name them: display name, else handle; FORMER_MEMBER once gone."""
    if username is None:
        return FORMER_MEMBER
    return display_name or username


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _rows(queryset: QuerySet[Any], fields: list[str], shape: Callable[..., Row]) -> Iterator[Row]:
    for values in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        yield shape(*values)


def _session(
    pk: int,
    nomination_id: int | None,
    starts_at: datetime,
    duration: timedelta,
    status: str,
    place: str,
    video_url: str,
    agenda: str,
    arxiv_id: str,
    title: str,
    authors: list[str],
    presenter_display: str | None,
    presenter_username: str | None,
) -> Row:
    return {
        "id": pk,
        "nomination_id": nomination_id,
        "starts_at": _when(starts_at),
        "duration_minutes": int(duration.total_seconds() // 60),
        "status": status,
        "place": place,
        "video_url": video_url,
        "agenda": agenda,
        "paper": {"arxiv_id": arxiv_id, "title": title, "authors": list(authors or [])},
        "presenter": _name(presenter_display, presenter_username) if presenter_username else None,
    }


def sessions(group: ReadingGroup) -> Iterator[Row]:
    """Every session of the group (held, planned and cancelled), by id."""
    fields = ["id", "nomination_id", "starts_at", "duration", "status", "place", "video_url"]
    fields += ["agenda", "paper__arxiv_id", "paper__title", "paper__authors"]
    fields += ["presenter__display_name", "presenter__username"]
    queryset = DiscussionSession.objects.filter(group=group).order_by("id")
    return _rows(queryset, fields, _session)


def _nomination(
    pk: int,
    status: str,
    created_at: datetime,
    closed_at: datetime | None,
    pitch: str,
    vote_count: int,
    arxiv_id: str,
    title: str,
    authors: list[str],
    display: str | None,
    username: str | None,
) -> Row:
    return {
        "id": pk,
        "status": status,
        "created_at": _when(created_at),
        "closed_at": _when(closed_at),
        "pitch": pitch,
        "vote_count": vote_count,
        "paper": {"arxiv_id": arxiv_id, "title": title, "authors": list(authors or [])},
        "nominated_by": _name(display, username),
    }


def nominations(group: ReadingGroup) -> Iterator[Row]:
    """Every nomination of the group, whatever its status, by id."""
    fields = ["id", "status", "created_at", "closed_at", "pitch", "vote_count"]
    fields += ["paper__arxiv_id", "paper__title", "paper__authors"]
    fields += ["nominated_by__display_name", "nominated_by__username"]
    queryset = Nomination.objects.filter(group=group).order_by("id")
    return _rows(queryset, fields, _nomination)


def _vote(
    nomination_id: int, created_at: datetime, display: str | None, username: str | None
) -> Row:
    return {
        "nomination_id": nomination_id,
        "voter": _name(display, username),
        "at": _when(created_at),
    }


def votes(group: ReadingGroup) -> Iterator[Row]:
    """Every vote on the group's nominations, by nomination, then in the order cast."""
    fields = ["nomination_id", "created_at", "user__display_name", "user__username"]
    queryset = Vote.objects.filter(nomination__group=group).order_by("nomination_id", "id")
    return _rows(queryset, fields, _vote)


def _rsvp(
    session_id: int, answer: str, updated_at: datetime, display: str | None, username: str | None
) -> Row:
    return {
        "session_id": session_id,
        "person": _name(display, username),
        "answer": answer,
        "answered_at": _when(updated_at),
    }


def attendance(group: ReadingGroup) -> Iterator[Row]:
    """Every RSVP to the group's sessions, by session, then in the order given."""
    fields = ["session_id", "answer", "updated_at", "user__display_name", "user__username"]
    queryset = Rsvp.objects.filter(session__group=group).order_by("session_id", "id")
    return _rows(queryset, fields, _rsvp)


def _note(
    pk: int,
    session_id: int | None,
    nomination_id: int | None,
    parent_id: int | None,
    body: str,
    created_at: datetime,
    edited_at: datetime | None,
    hidden_at: datetime | None,
    display: str | None,
    username: str | None,
) -> Row:
    return {
        "id": pk,
        "session_id": session_id,
        "nomination_id": nomination_id,
        "parent_id": parent_id,
        "author": _name(display, username),
        "created_at": _when(created_at),
        "edited_at": _when(edited_at),
        "hidden": hidden_at is not None,
        "body": body,
    }


NOTE_FIELDS = ["id", "session_id", "nomination_id", "parent_id", "body", "created_at"]
NOTE_FIELDS += ["edited_at", "hidden_at", "author__display_name", "author__username"]


def readable_notes(group: ReadingGroup, *, include_hidden: bool) -> QuerySet[Note]:
    """The group's notes an export may hold: never deleted ones; hidden ones only when asked."""
    notes = Note.objects.filter(group=group, deleted_at__isnull=True)
    return notes if include_hidden else notes.filter(hidden_at__isnull=True)


def notes(group: ReadingGroup, *, on: str, include_hidden: bool) -> Iterator[Row]:
    """The notes on the group's sessions (`on="session"`) or nominations, by subject, then id."""
    queryset = readable_notes(group, include_hidden=include_hidden).filter(
        **{f"{on}__isnull": False}
    )
    return _rows(queryset.order_by(f"{on}_id", "id"), NOTE_FIELDS, _note)


def _nest(parents: Iterable[Row], children: Iterable[Row], key: str, into: str) -> Iterator[Row]:
    """Each parent (in id order) with the list of its children (in `key` order) under `into`,
    read side by side, so only one parent's children are held. A child whose parent is not
    among the parents (read later, on SQLite) is skipped."""
    pending = iter(children)
    child = next(pending, None)
    for parent in parents:
        found = []
        while child is not None and child[key] <= parent["id"]:
            if child[key] == parent["id"]:
                found.append(child)
            child = next(pending, None)
        parent[into] = found
        yield parent


def sessions_in_full(group: ReadingGroup, *, include_hidden: bool) -> Iterator[Row]:
    """Sessions, each with `attendance` and `notes` (three queries, side by side)."""
    with_attendance = _nest(sessions(group), attendance(group), "session_id", "attendance")
    session_notes = notes(group, on="session", include_hidden=include_hidden)
    return _nest(with_attendance, session_notes, "session_id", "notes")


def nominations_in_full(group: ReadingGroup, *, include_hidden: bool) -> Iterator[Row]:
    """Nominations, each with `votes` and `notes` (three queries, side by side)."""
    with_votes = _nest(nominations(group), votes(group), "nomination_id", "votes")
    nomination_notes = notes(group, on="nomination", include_hidden=include_hidden)
    return _nest(with_votes, nomination_notes, "nomination_id", "notes")


# --- Writing --------------------------------------------------------------------------------


def _buffered(parts: Iterable[str]) -> Iterator[bytes]:
    """Text parts as UTF-8 chunks of about BUFFER bytes (not one socket write per row)."""
    held: list[str] = []
    size = 0
    for part in parts:
        held.append(part)
        size += len(part)
        if size >= BUFFER:
            yield "".join(held).encode()
            held, size = [], 0
    if held:
        yield "".join(held).encode()


def _json_array(rows: Iterable[Row]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]"


def _group_info(group: ReadingGroup, exported_at: datetime) -> str:
    info = {"name": group.name, "slug": group.slug, "time_zone": group.time_zone}
    return json.dumps(info, ensure_ascii=False) + f', "exported_at": "{exported_at.isoformat()}"'


def history_json(
    group: ReadingGroup, *, include_hidden: bool, exported_at: datetime
) -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        yield '{"group": ' + _group_info(group, exported_at) + ',\n"sessions": '
        yield from _json_array(sessions_in_full(group, include_hidden=include_hidden))
        yield ',\n"nominations": '
        yield from _json_array(nominations_in_full(group, include_hidden=include_hidden))
        yield "}\n"

    with _snapshot():
        yield from _buffered(parts())


# Spreadsheets run a cell that starts with one of these as a formula: such a cell gets a leading
# apostrophe in the CSV (the JSON export keeps the exact text).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _flat(row: Row) -> Row:
    """A row for a CSV file: the paper's fields side by side (paper_arxiv_id, ...)."""
    flat = {key: value for key, value in row.items() if key != "paper"}
    for key, value in row.get("paper", {}).items():
        flat[f"paper_{key}"] = value
    return flat


def _csv_lines(columns: list[str], rows: Iterable[Row]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for index, row in enumerate(rows):
        flat = _flat(row)
        writer.writerow([_cell(flat.get(column)) for column in columns])
        if index % 200 == 199:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


SESSION_COLUMNS = ["id", "nomination_id", "starts_at", "duration_minutes", "status", "place"]
SESSION_COLUMNS += ["video_url", "agenda", "paper_arxiv_id", "paper_title", "paper_authors"]
SESSION_COLUMNS += ["presenter"]
NOMINATION_COLUMNS = ["id", "status", "created_at", "closed_at", "pitch", "vote_count"]
NOMINATION_COLUMNS += ["paper_arxiv_id", "paper_title", "paper_authors", "nominated_by"]
NOTE_COLUMNS = ["id", "session_id", "nomination_id", "parent_id", "author", "created_at"]
NOTE_COLUMNS += ["edited_at", "hidden", "body"]


def history_csv_zip(group: ReadingGroup, *, include_hidden: bool) -> Iterator[bytes]:
    def all_notes() -> Iterator[Row]:
        yield from notes(group, on="session", include_hidden=include_hidden)
        yield from notes(group, on="nomination", include_hidden=include_hidden)

    tables: list[tuple[str, list[str], Iterable[Row]]] = [
        ("sessions.csv", SESSION_COLUMNS, sessions(group)),
        ("nominations.csv", NOMINATION_COLUMNS, nominations(group)),
        ("votes.csv", ["nomination_id", "voter", "at"], votes(group)),
        ("attendance.csv", ["session_id", "person", "answer", "answered_at"], attendance(group)),
        ("notes.csv", NOTE_COLUMNS, all_notes()),
    ]
    archive = ZipStream()
    with _snapshot():
        for name, columns, rows in tables:
            yield from archive.add(f"{group.slug}-history/{name}", _csv_lines(columns, rows))
        yield from archive.close()


# --- Markdown -------------------------------------------------------------------------------


def _local(moment: str | None, zone: tzinfo) -> str:
    if moment is None:
        return ""
    return datetime.fromisoformat(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _note_markdown(note: Row, zone: tzinfo, heading: str = "###") -> str:
    about = f"note {note['id']}"
    if note["parent_id"]:
        about += f", in reply to note {note['parent_id']}"
    if note["edited_at"]:
        about += ", edited"
    if note["hidden"]:
        about += ", hidden by a moderator"
    when = _local(note["created_at"], zone)
    return f"{heading} {note['author']} · {when} ({about})\n\n{note['body'].strip()}\n\n"


def session_markdown(session: Row, zone: tzinfo) -> str:
    """One session as a Markdown document: paper, time, presenter, attendance, agenda, notes."""
    paper = session["paper"]
    lines = [f"# {paper['title']}", ""]
    if paper["authors"]:
        lines += [", ".join(paper["authors"]), ""]
    lines += [f"- arXiv: https://arxiv.org/abs/{paper['arxiv_id']}"]
    lines += [f"- When: {_local(session['starts_at'], zone)} ({session['duration_minutes']} min)"]
    lines += [f"- Status: {session['status']}"]
    if session["presenter"]:
        lines += [f"- Presenter: {session['presenter']}"]
    if session["place"]:
        lines += [f"- Place: {session['place']}"]
    going = [rsvp["person"] for rsvp in session["attendance"] if rsvp["answer"] == "going"]
    maybe = [rsvp["person"] for rsvp in session["attendance"] if rsvp["answer"] == "maybe"]
    lines += [f"- Going ({len(going)}): {', '.join(going) or 'nobody'}"]
    if maybe:
        lines += [f"- Maybe ({len(maybe)}): {', '.join(maybe)}"]
    lines += [""]
    if session["agenda"].strip():
        lines += ["## Agenda", "", session["agenda"].strip(), ""]
    lines += [f"## Notes ({len(session['notes'])})", ""]
    if not session["notes"]:
        lines += ["No notes.", ""]
    text = "\n".join(lines) + "\n"
    return text + "".join(_note_markdown(note, zone) for note in session["notes"])


def session_file_name(session: Row) -> str:
    day = session["starts_at"][:10]
    arxiv_id = session["paper"]["arxiv_id"].replace("/", "_")
    return f"{day}-{arxiv_id}-session-{session['id']}.md"


def history_markdown_zip(group: ReadingGroup, *, include_hidden: bool) -> Iterator[bytes]:
    zone = ZoneInfo(group.time_zone)
    archive = ZipStream()
    with _snapshot():
        for session in sessions_in_full(group, include_hidden=include_hidden):
            name = f"{group.slug}-sessions/{session_file_name(session)}"
            yield from archive.add(name, [session_markdown(session, zone)])
        yield from archive.close()


# --- A member's own notes -------------------------------------------------------------------


def _my_note(
    pk: int,
    parent_id: int | None,
    body: str,
    created_at: datetime,
    edited_at: datetime | None,
    session_id: int | None,
    session_start: datetime | None,
    session_paper: str | None,
    session_arxiv: str | None,
    nomination_id: int | None,
    nomination_paper: str | None,
    nomination_arxiv: str | None,
) -> Row:
    if session_id is not None:
        subject = {"kind": "session", "id": session_id, "starts_at": _when(session_start)}
        paper = {"arxiv_id": session_arxiv, "title": session_paper}
    else:
        subject = {"kind": "nomination", "id": nomination_id}
        paper = {"arxiv_id": nomination_arxiv, "title": nomination_paper}
    return {
        "id": pk,
        "parent_id": parent_id,
        "subject": subject | {"paper": paper},
        "created_at": _when(created_at),
        "edited_at": _when(edited_at),
        "body": body,
    }


def my_notes(group: ReadingGroup, user: User) -> Iterator[Row]:
    """The person's notes in the group that members can read (not deleted, not hidden), those
    on sessions first (by session start), then those on nominations, each thread's in order."""
    fields = ["id", "parent_id", "body", "created_at", "edited_at"]
    fields += ["session_id", "session__starts_at", "session__paper__title"]
    fields += ["session__paper__arxiv_id", "nomination_id", "nomination__paper__title"]
    fields += ["nomination__paper__arxiv_id"]
    queryset = readable_notes(group, include_hidden=False).filter(author=user)
    ordered = queryset.order_by(
        F("session__starts_at").asc(nulls_last=True), "session_id", "nomination_id", "id"
    )
    return _rows(ordered, fields, _my_note)


def my_notes_json(group: ReadingGroup, user: User, *, exported_at: datetime) -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        yield '{"group": ' + _group_info(group, exported_at) + ","
        yield f'\n"author": {json.dumps(user.name, ensure_ascii=False)},\n"notes": '
        yield from _json_array(my_notes(group, user))
        yield "}\n"

    with _snapshot():
        yield from _buffered(parts())


def my_notes_markdown(group: ReadingGroup, user: User, *, zone: tzinfo) -> Iterator[bytes]:
    def parts() -> Iterator[str]:
        yield f"# {user.name}'s notes in {group.name}\n\n"
        subject = None
        for note in my_notes(group, user):
            if note["subject"] != subject:
                subject = note["subject"]
                kind = subject["kind"]
                about = (
                    f"session of {_local(subject['starts_at'], zone)}"
                    if kind == "session"
                    else "nomination"
                )
                yield f"## {subject['paper']['title']} ({about})\n\n"
            yield _note_markdown(note | {"author": user.name, "hidden": False}, zone)
        if subject is None:
            yield "No notes yet.\n"

    with _snapshot():
        yield from _buffered(parts())
