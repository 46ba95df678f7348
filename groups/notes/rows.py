"""Thread rows as HTML, written here rather than in a template.

A thread opens with 200 rows. As template partials they cost about 1 ms each, ten times what
the rest of the page costs and more than a raw-SQL endpoint needs for the whole page (bench/pages.py
measures it). So a row is joined from strings: every value from the data is escaped here with
`html.escape` (names) or was sanitized before it was stored (`body_html`: groups/notes/markdown.py
renders Markdown with raw HTML off and cleans the result with an nh3 allowlist); the rest are
ids, constants and the `RowView`'s addresses, escaped once when the view is made.

The markup: each row is `<li id="note-<id>">` with the note's content (`#note-<id>-content`, which
edit, delete and hide swap), its fold link (`#fold-<id>`, swapped out of band when its replies
change) and a reply slot. Every action is a real link or form (pages that work without
JavaScript), with htmx attributes that do the same in place; static/js/notes.js adds math.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

from groups.models import Nomination
from groups.notes.services import Placeholder, ShownNote, Subject, ThreadItem

# A row is written as parts: strings, and the times whose "ago" text (`RowView.ago`) fills in
# their place when the row is served.
Part = str | datetime


@dataclass(frozen=True, slots=True)
class RowView:
    """What rows show that depends on the page and the reader, the same for every row of it."""

    thread_url: str
    note_urls: str  # "/g/<slug>/notes/": a note's pages are <note_urls><id>/...
    order: str  # "oldest" | "newest", or "" where no thread order applies
    collapsed: str  # the folded note ids, "1,2"
    viewer_id: int | None  # the signed-in reader
    member: bool  # members see the actions
    organizer: bool  # organizers also hide and unhide
    locked: bool  # a locked thread takes no replies
    csrf_token: str = ""  # for the organizers' hide forms
    standalone: bool = False  # a note's own page: no fold links, replies open the reply page
    highlight: int | None = None  # the note just written, marked "is-new"
    # The subject's paper's latest arXiv version and its arXiv id: notes written about an older
    # version are marked "written about v1; v3 is out" (0: mark none).
    paper_version: int = 0
    arxiv_id: str = ""
    # The reader's zone (the active one), its name and the month abbreviations, looked up once:
    # Django's date formatting per row was a third of the rows' time.
    zone: tzinfo = field(init=False)
    zone_name: str = field(init=False)
    months: tuple[str, ...] = field(init=False)
    # The reader's view of the thread as a query, for links that come back to it; `back_state`
    # only when it differs from the default view (plain links stay short). Made once, used by
    # every row's actions.
    state: str = field(init=False)
    back_state: str = field(init=False)
    # "3 minutes ago", once per distinct text: see `ago`.
    now: datetime = field(init=False)
    agos: dict[tuple[str, int], str] = field(init=False)

    def __post_init__(self) -> None:
        # Escaped once: these are printed in every row.
        for name in ("thread_url", "note_urls", "order", "collapsed", "csrf_token", "arxiv_id"):
            object.__setattr__(self, name, html.escape(getattr(self, name)))
        object.__setattr__(self, "zone", timezone.get_current_timezone())
        object.__setattr__(self, "zone_name", html.escape(timezone.get_current_timezone_name()))
        # As the date filter's "M": "Jan" ... "Dec", translated.
        months = ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))
        object.__setattr__(self, "months", months)
        state = f"?order={self.order}&amp;collapsed={self.collapsed}"
        object.__setattr__(self, "state", state)
        changed = self.order == "newest" or bool(self.collapsed)
        object.__setattr__(self, "back_state", state if changed else "")
        object.__setattr__(self, "now", timezone.now())
        object.__setattr__(self, "agos", {})

    def time(self, value: datetime) -> str:
        """ "3 Dec 2026, 14:05" in the reader's zone (the date filter's "j M Y, H:i")."""
        local = value.astimezone(self.zone)
        return f"{local.day} {self.months[local.month]} {local.year}, {local.hour:02}:{local.minute:02}"

    def ago(self, value: datetime) -> str:
        """`naturaltime(value)`, escaped: "now", "5 minutes ago", "2 days, 3 hours ago".

        It was a third of a row's time. Its text depends only on how long ago, to the second
        under a minute, the minute under an hour, the hour beyond (up to four weeks; past that
        calendar months count): so it is worked out once per page for each such span, and the
        rows of a busy thread mostly share a few.
        """
        delta = self.now - value
        seconds = delta.days * 86400 + delta.seconds
        if delta.days < 0 or delta.days >= 28:  # to come (clocks differ), or months ago
            return html.escape(naturaltime(value))
        if seconds < 60:
            span = ("second", seconds)
        elif seconds < 3600:
            span = ("minute", seconds // 60)
        else:
            span = ("hour", seconds // 3600)
        text = self.agos.get(span)
        if text is None:
            text = self.agos[span] = html.escape(naturaltime(value))
        return text


def content_html(note: ShownNote, placeholder: Placeholder, view: RowView) -> str:
    """A note's content: who wrote it and when, the body and the reader's actions; or the
    placeholder left where a deleted (or, for this reader, hidden) note has replies."""
    parts: list[Part] = []
    _content_parts(note, placeholder, view, parts)
    return _joined(parts, view)


def _content_parts(
    note: ShownNote, placeholder: Placeholder, view: RowView, parts: list[Part]
) -> int | None:
    """Appends `content_html`'s parts, its "ago" as the time itself; answers where its actions
    are (one part), None without."""
    pk = note.pk
    classes = "note-content"
    if placeholder:
        classes += " is-placeholder"
    elif note.is_hidden:
        classes += " is-hidden"
    opening = f'<div id="note-{pk}-content" class="{classes}">\n'
    if placeholder == "deleted":
        parts.append(f'{opening}<p class="note-gone">[deleted]</p>\n</div>')
        return None
    if placeholder == "hidden":
        parts.append(f'{opening}<p class="note-gone">[hidden by a moderator]</p>\n</div>')
        return None
    zone = view.zone_name
    link = f"{view.note_urls}{pk}/"
    created_at = note.created_at
    parts.append(
        f"{opening}"
        '<header class="note-meta">\n'
        f'<span class="note-author" id="note-{pk}-by">{html.escape(note.author_name)}</span>\n'
        # The machine-readable time in UTC (as stored); people read the title and the text.
        f'<a class="note-time" href="{link}" title="Link to this note"><time datetime="'
        f'{created_at.isoformat()}" title="{view.time(created_at)} {zone}">'
    )
    parts.append(created_at)  # its "ago" text, filled in when the page is served
    meta = ["</time></a>\n"]
    if note.edited_at:
        meta.append(
            f'<a class="note-edited" href="{link}" title="Edited {view.time(note.edited_at)} '
            f'{zone}">edited</a>\n'
        )
    if note.paper_version and note.paper_version < view.paper_version:
        meta.append(_version_mark(note.paper_version, view))
    if note.is_hidden:
        meta.append('<span class="badge note-hidden-badge">hidden from members</span>\n')
    # Sanitized before it was stored (see the module docstring): printed as it is.
    meta.append(f'</header>\n<div class="note-body prose">{note.body_html}</div>\n')
    parts.append("".join(meta))
    actions = None
    if view.member:
        actions = len(parts)
        parts.append(_actions(pk, view, own=_own(note, view), hidden=note.is_hidden))
    parts.append("</div>")
    return actions


def _version_mark(version: int, view: RowView) -> str:
    """ "written about v1; v3 is out", linking to the new version's abstract page on arXiv."""
    latest = view.paper_version
    return (
        f'<a class="tag note-version" href="https://arxiv.org/abs/{view.arxiv_id}v{latest}" '
        f'title="This note was written when v{version} was the latest version of the paper">'
        f"written about v{version}; v{latest} is out</a>\n"
    )


def _own(note: ShownNote, view: RowView) -> bool:
    return note.author_id is not None and note.author_id == view.viewer_id


def _actions(pk: int, view: RowView, *, own: bool, hidden: bool) -> str:
    link = f"{view.note_urls}{pk}/"
    parts = ['<div class="note-actions">\n']
    if not hidden and not view.locked:
        in_place = (
            ""
            if view.standalone
            else f' hx-get="{link}reply/{view.state}" hx-target="#reply-slot-{pk}" '
            'hx-swap="innerHTML"'
        )
        parts.append(f'<a href="{link}reply/{view.back_state}"{in_place}>Reply</a>\n')
    if own:
        parts.append(
            f'<a href="{link}edit/" hx-get="{link}edit/" hx-target="#note-{pk}-content" '
            'hx-swap="outerHTML">Edit</a>\n'
            f'<a class="danger-link" href="{link}delete/{view.back_state}" '
            f'hx-get="{link}delete/{view.state}" hx-target="#note-{pk}-content" '
            'hx-swap="outerHTML">Delete</a>\n'
        )
    if not own and not hidden:
        parts.append(
            f'<a href="{link}flag/" hx-get="{link}flag/" hx-target="#reply-slot-{pk}" '
            'hx-swap="innerHTML">Flag</a>\n'
        )
    if view.organizer:
        action, summary, button = (
            ("unhide", "Unhide", "Show to members again")
            if hidden
            else ("hide", "Hide", "Hide from members")
        )
        parts.append(
            f'<details class="moderate">\n<summary>{summary}</summary>\n'
            f'<form class="moderate-form" method="post" action="{link}{action}/" '
            f'hx-post="{link}{action}/" hx-target="#note-{pk}-content" hx-swap="outerHTML" '
            'hx-disabled-elt="find button">\n'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{view.csrf_token}">'
            f'<input type="hidden" name="order" value="{view.order}">'
            f'<input type="hidden" name="collapsed" value="{view.collapsed}">\n'
            f'<label for="reason-{pk}">Reason (optional, for the audit log)</label>\n'
            f'<input type="text" id="reason-{pk}" name="reason" maxlength="2000">\n'
            f'<button type="submit" class="small{"" if hidden else " danger"}">'
            f"{button}</button>\n</form>\n</details>\n"
        )
    parts.append("</div>\n")
    return "".join(parts)


def fold_html(item: ThreadItem, view: RowView, *, oob: bool = False) -> str:
    """The link that folds or unfolds a note's replies (an empty placeholder without replies, so
    a first reply can swap one in out of band); nothing on a note's own page."""
    if view.standalone:
        return ""
    pk = item.note.pk
    swap = ' hx-swap-oob="true"' if oob else ""
    if not item.replies:
        return f'<span id="fold-{pk}"{swap}></span>'
    query = f"?collapsed={item.toggle}{'&amp;order=newest' if view.order == 'newest' else ''}"
    label = "▸ Show" if item.collapsed else "▾ Hide"
    replies = "reply" if item.replies == 1 else "replies"
    return (
        f'<a id="fold-{pk}" class="note-fold" href="{view.thread_url}{query}#note-{pk}" '
        f'hx-get="{view.thread_url}{query}" hx-target="#thread" '
        f'hx-swap="outerHTML show:#note-{pk}:top" '
        f'aria-expanded="{"false" if item.collapsed else "true"}"{swap}>'
        f"{label} {item.replies} {replies}</a>"
    )


def row_html(item: ThreadItem, view: RowView) -> str:
    """One note of the thread, as an `<li>` of its list."""
    parts: list[Part] = []
    _row_parts(item, view, parts)
    return _joined(parts, view)


def _row_parts(item: ThreadItem, view: RowView, parts: list[Part]) -> int | None:
    """Appends the row's parts; answers where its actions are, as `_content_parts`."""
    pk = item.note.pk
    classes = f"note depth-{item.indent}"
    if pk == view.highlight:
        classes += " is-new"
    if item.depth:
        classes += " is-reply"
    labelled = "" if item.placeholder else f' aria-labelledby="note-{pk}-by"'
    replying = ""
    if item.depth:
        hidden = " visually-hidden" if item.depth <= 6 else ""
        replying = (
            f'<p class="note-replying{hidden}">↳ in reply to '
            f"{html.escape(item.parent_author)}</p>\n"
        )
    parts.append(
        f'<li id="note-{pk}" class="{classes}" data-depth="{item.depth}">\n'
        f'<article class="note-card"{labelled}>\n{replying}'
    )
    actions = _content_parts(item.note, item.placeholder, view, parts)
    parts.append(
        f"\n{fold_html(item, view)}\n"
        f'<div id="reply-slot-{pk}" class="reply-slot"></div>\n</article>\n</li>'
    )
    return actions


def rows_html(items: list[ThreadItem], view: RowView) -> SafeString:
    parts: list[Part] = []
    for index, item in enumerate(items):
        if index:
            parts.append("\n")
        _row_parts(item, view, parts)
    return SafeString(_joined(parts, view))


@dataclass(frozen=True, slots=True)
class SharedRows:
    """A page of rows as every member (or every visitor) sees it, kept in the cache: see
    `shared_rows`. A reader's own notes differ only in their actions, swapped in as served."""

    parts: list[Part]
    authored: dict[int, list[tuple[int, int]]]  # author id: (actions part, note id) of each row
    hidden_authors: frozenset[int]  # they see their own hidden notes: not these rows
    note_count: int
    next_after: int | None


def shared_rows_key(subject: Subject, view: RowView) -> str:
    """Where the cache keeps a subject's shared rows: everything they depend on is in it (the
    version changes with every write of a note, and of its author's names: migrations 0012 and
    0018; the paper's latest arXiv version, which an import raises, decides the notes' version
    marks), but the reader, and the time their "ago" texts are worked out for."""
    kind = "n" if isinstance(subject, Nomination) else "s"
    audience = "members" if view.member else "visitors"
    return (
        f"notes:rows:{kind}{subject.pk}:{subject.notes_version}:v{view.paper_version}:"
        f"{view.order}:{audience}:"
        f"{'locked' if view.locked else 'open'}:{view.note_urls}:{view.zone_name}"
    )


def shared_rows(
    items: list[ThreadItem],
    view: RowView,
    *,
    hidden_authors: frozenset[int],
    note_count: int,
    next_after: int | None,
) -> SharedRows:
    """The rows written for no reader in particular (`view.viewer_id` None): everyone's notes
    with the actions members have on others' notes."""
    parts: list[Part] = []
    authored: dict[int, list[tuple[int, int]]] = {}
    for index, item in enumerate(items):
        if index:
            parts.append("\n")
        actions = _row_parts(item, view, parts)
        author_id = item.note.author_id
        if actions is not None and author_id is not None and not item.note.is_hidden:
            authored.setdefault(author_id, []).append((actions, item.note.pk))
    return SharedRows(parts, authored, hidden_authors, note_count, next_after)


def shared_rows_html(rows: SharedRows, view: RowView) -> SafeString:
    """The shared rows as this reader sees them: their own notes with Edit and Delete rather
    than Flag, and every "ago" as of now. What `rows_html` writes for them."""
    parts = rows.parts
    own = rows.authored.get(view.viewer_id) if view.viewer_id is not None else None
    if own:
        parts = parts.copy()
        for index, pk in own:
            parts[index] = _actions(pk, view, own=True, hidden=False)
    return SafeString(_joined(parts, view))


def _joined(parts: list[Part], view: RowView) -> str:
    """The parts as HTML, each time among them as its "ago" text (`RowView.ago`)."""
    ago = view.ago
    return "".join([part if part.__class__ is str else ago(part) for part in parts])  # type: ignore[arg-type]  # a part that is not a str is a datetime


def counts_html(note_count: int, ancestors: list[ThreadItem], view: RowView) -> str:
    """Out of band: the thread's note count and the fold links of the rows whose replies changed."""
    folds = "".join(fold_html(item, view, oob=True) for item in ancestors)
    return f'<span id="thread-count" class="count" hx-swap-oob="true">{note_count}</span>\n{folds}'
