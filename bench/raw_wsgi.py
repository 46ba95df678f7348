"""The WSGI app that bench/pages.py serves with gunicorn: Django, plus raw endpoints under /raw/.

Each raw endpoint answers with ONE SQL query, on Django's own connection (so the same database
settings, CONN_MAX_AGE included), and HTML built by string concatenation with `html.escape`. No
session, no permission check, no CSRF, no ORM, no template: it is the floor our pages are measured
against, showing the same visible rows, not something to ship.

    GET  /raw/ballot/<slug>/?limit=N                  the top N open nominations, ranked, with voters
    GET  /raw/thread/<nomination id>/?limit=N         the first N notes of the thread in thread order
    POST /raw/vote/<nomination id>/?user=<user id>    toggles that user's vote

Everything else goes to `config.wsgi.application`.
"""

import html
import json
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

from django.db import connection

from config.wsgi import application as django_application

# Ranked as `NominationQuerySet.ranked()`: most votes first, then the earlier nomination. It counts
# the votes (a join over them all) rather than read the stored `Nomination.vote_count` our page reads:
# the floor the ballot's goals were set against, kept as it was.
BALLOT_SQL = """
SELECT n.id, p.title, p.authors::text, p.arxiv_id, n.pitch,
       coalesce(nullif(nominator.display_name, ''), nominator.username),
       count(v.id) AS vote_count,
       string_agg(coalesce(nullif(voter.display_name, ''), voter.username), ', '
                  ORDER BY v.created_at, v.id)
FROM groups_nomination n
JOIN groups_readinggroup g ON g.id = n.group_id
JOIN papers_paper p ON p.id = n.paper_id
LEFT JOIN groups_user nominator ON nominator.id = n.nominated_by_id
LEFT JOIN groups_vote v ON v.nomination_id = n.id
LEFT JOIN groups_user voter ON voter.id = v.user_id
WHERE g.slug = %(slug)s AND n.status = 'open'
GROUP BY n.id, p.id, nominator.id
ORDER BY vote_count DESC, n.created_at, n.id
LIMIT %(limit)s
"""

# Pre-order, siblings oldest first, as `groups.notes.services.build_thread` walks it. (The benchmark's
# thread has no deleted or hidden notes, so no placeholders.)
THREAD_SQL = """
WITH RECURSIVE tree (id, path) AS (
    SELECT id, ARRAY[id] FROM groups_note
    WHERE nomination_id = %(nomination)s AND parent_id IS NULL
  UNION ALL
    SELECT note.id, tree.path || note.id
    FROM groups_note note JOIN tree ON note.parent_id = tree.id
)
SELECT note.id, coalesce(nullif(author.display_name, ''), author.username, 'former member'),
       note.body_html, array_length(tree.path, 1) - 1
FROM tree
JOIN groups_note note ON note.id = tree.id
LEFT JOIN groups_user author ON author.id = note.author_id
ORDER BY tree.path
LIMIT %(limit)s
"""

# Deletes the vote if there is one, else inserts it. The final SELECT sees the table as it was
# before the statement, hence the arithmetic for the new count.
VOTE_SQL = """
WITH removed AS (
    DELETE FROM groups_vote WHERE nomination_id = %(nomination)s AND user_id = %(user)s
    RETURNING 1
), added AS (
    INSERT INTO groups_vote (nomination_id, user_id, created_at)
    SELECT %(nomination)s, %(user)s, now() WHERE NOT EXISTS (SELECT 1 FROM removed)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM added),
       (SELECT count(*) FROM groups_vote WHERE nomination_id = %(nomination)s)
       + (SELECT count(*) FROM added) - (SELECT count(*) FROM removed)
"""

Query = dict[str, list[str]]


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
    )


def ballot(slug: str, query: Query) -> str:
    with connection.cursor() as cursor:
        cursor.execute(BALLOT_SQL, {"slug": slug, "limit": int(query["limit"][0])})
        rows = cursor.fetchall()
    parts = ['<ol class="ballot">']
    for rank, (pk, title, authors_json, arxiv_id, pitch, nominator, votes, voters) in enumerate(
        rows, start=1
    ):
        authors = json.loads(authors_json)
        byline = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
        parts.append(
            f'<li class="ballot-row" id="nomination-{pk}"><span class="rank">{rank}</span>'
            f'<h3><a href="/g/{html.escape(slug)}/n/{pk}/">{html.escape(title)}</a></h3>'
            f'<p class="meta">{html.escape(byline)} · <a href="https://arxiv.org/abs/'
            f'{html.escape(arxiv_id)}">arXiv {html.escape(arxiv_id)}</a></p>'
        )
        if pitch:
            pitch_html = html.escape(pitch).replace("\n", "<br>")
            parts.append(f'<blockquote class="pitch">{pitch_html}</blockquote>')
        parts.append(
            f'<p class="meta">Nominated by {html.escape(nominator or "a former member")}</p>'
            f'<p class="vote-count">{votes} vote{"" if votes == 1 else "s"}</p>'
        )
        if voters:
            parts.append(f'<p class="voters">{html.escape(voters)}</p>')
        parts.append("</li>")
    parts.append("</ol>")
    return _page("Ballot", "".join(parts))


def thread(nomination_id: str, query: Query) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            THREAD_SQL, {"nomination": int(nomination_id), "limit": int(query["limit"][0])}
        )
        rows = cursor.fetchall()
    parts = ['<ol class="note-list">']
    for pk, author, body_html, depth in rows:
        # body_html is sanitized when the note is stored, as the thread template trusts it.
        parts.append(
            f'<li id="note-{pk}" class="note depth-{min(depth, 6)}"><article>'
            f'<span class="note-author">{html.escape(author)}</span>'
            f'<div class="note-body">{body_html}</div></article></li>'
        )
    parts.append("</ol>")
    return _page("Notes", "".join(parts))


def vote(nomination_id: str, query: Query) -> str:
    with connection.cursor() as cursor:
        cursor.execute(VOTE_SQL, {"nomination": int(nomination_id), "user": int(query["user"][0])})
        voted, count = cursor.fetchone()
    label = "voted" if voted else "vote withdrawn"
    return f'<div class="vote-box"><p class="vote-count">{count} votes</p><p>{label}</p></div>'


HANDLERS: dict[tuple[str, str], Callable[[str, Query], str]] = {
    ("GET", "ballot"): ballot,
    ("GET", "thread"): thread,
    ("POST", "vote"): vote,
}


def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/raw/"):
        return django_application(environ, start_response)
    parts = path.split("/")  # "/raw/ballot/<slug>/" -> ["", "raw", "ballot", "<slug>", ""]
    handler = HANDLERS.get((environ["REQUEST_METHOD"], parts[2])) if len(parts) > 3 else None
    if handler is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"No such raw endpoint.\n"]
    body = handler(parts[3], parse_qs(environ.get("QUERY_STRING", ""))).encode()
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
