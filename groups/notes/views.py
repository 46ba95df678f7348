"""Notes pages and actions. Every action is a plain form POST that redirects (PRG); with htmx the
same URL answers with the partial to swap in place."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from groups.access import (
    get_group_for_member,
    get_group_for_organizer,
    get_group_for_viewer,
    get_note_or_404,
    get_subject_or_404,
    sign_in_to_act,
)
from groups.caching import Memo, cache_read, cache_write
from groups.limits import rate_limit
from groups.models import Membership, Note, ReadingGroup
from groups.models.notes import NOTE_MAX_LENGTH
from groups.notes.layout import thread_context, thread_frame, thread_places
from groups.notes.links import (
    note_urls,
    subject_kind,
    thread_url,
)
from groups.notes.rows import (
    RowView,
    SharedRows,
    content_html,
    counts_html,
    row_html,
    rows_html,
    shared_rows,
    shared_rows_html,
    shared_rows_key,
)
from groups.notes.services import (
    Order,
    Placeholder,
    ShownNote,
    Subject,
    ThreadItem,
    ancestor_places,
    fold_toggle,
    note_create,
    note_delete,
    note_edit,
    note_hide,
    note_unhide,
    parse_ids,
    subject_lock,
    subtree,
    thread_items,
)
from groups.web import AuthenticatedHttpRequest, group_context
from papers.web import HtmxHttpRequest

THREAD = "groups/notes/thread.html"
ROWS_CACHE_SECONDS = 3600  # a thread's shared first page (`_thread_read`), some 200 KB each
# The threads last read in this process, in front of the cache: reading 200 KB from Redis and
# unpickling it was 0.5 ms of a 7 ms page. Keyed as the cache is (the thread's version in it).
ROWS_MEMO = Memo(64)
# The group tab a subject's pages sit under.
SUBJECT_TABS = {"nominations": "ballot", "sessions": "sessions"}
MENTION_OPTIONS = 8  # suggestions under the note box; typing more letters narrows them


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Your note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: **bold**, `code`, lists, tables, > quotes, $math$ and $$display math$$, @handle.",
        error_messages={"required": "Write something first."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@functools.cache
def _blank_note_field() -> SafeString:
    """The empty note box of a thread's form (label, help, textarea): the same on every thread
    page, so rendered once per process. Its form templates were a tenth of a page's time."""
    return SafeString(NoteForm(auto_id="new-note-%s")["body"].as_field_group())


def _new_note_form(context: dict[str, Any]) -> None:
    context["form"] = NoteForm(auto_id="new-note-%s")
    context["blank_note_field"] = _blank_note_field()


def _view_state(data: dict) -> dict:
    """The reader's view of the thread (order, folded notes) carried through a form or link."""
    return {
        "order": data.get("order", "oldest"),
        "collapsed": parse_ids(data.get("collapsed")),
    }


def _row_view(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    subject: Subject,
    *,
    order: str = "",
    collapsed: str = "",
    standalone: bool = False,
    highlight: int | None = None,
    shared: bool = False,
) -> RowView:
    """How this reader's rows of the subject's thread are written (groups/notes/rows.py);
    `shared`: as for no reader in particular (`rows.shared_rows`)."""
    organizer = membership is not None and membership.is_organizer
    return RowView(
        thread_url=thread_url(group, subject),
        note_urls=note_urls(group),
        order=order,
        collapsed=collapsed,
        viewer_id=None if shared else request.user.pk,
        member=membership is not None,
        organizer=organizer,
        locked=subject_lock(subject) is not None,
        csrf_token=get_token(request) if organizer else "",
        standalone=standalone,
        highlight=highlight,
        paper_version=subject.paper.latest_version,  # the paper comes with its subject
        arxiv_id=subject.paper.arxiv_id,
    )


def _with_rows(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """A `thread_context` with its rows written (`rows_html`) and the new-note form."""
    view = _row_view(
        request,
        context["group"],
        context["membership"],
        context["subject"],
        order=context["order"],
        collapsed=context["collapsed"],
        highlight=context["highlight"],
    )
    context["rows_html"] = rows_html(context["items"], view)
    _new_note_form(context)
    return context


def _thread_read(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    subject: Subject,
    state: dict,
) -> dict[str, Any]:
    """`_with_rows(request, thread_context(...))` for a reader opening the thread.

    Members and visitors who fold nothing all see the same first page, but for the actions on
    their own notes and how long ago each was written: it is written once per change of the
    thread (the subject's `notes_version`) and kept in the cache (`rows.SharedRows`), and a
    reader's page is put together from it. Organizers (hide forms with their CSRF token), folded
    views and readers with a hidden note of their own in the thread get theirs written.
    """
    if state["collapsed"] or (membership is not None and membership.is_organizer):
        return _with_rows(
            request, thread_context(group=group, membership=membership, subject=subject, **state)
        )
    context = thread_frame(group=group, membership=membership, subject=subject, **state)
    view = _row_view(request, group, membership, subject, order=context["order"])
    key = shared_rows_key(subject, view)
    rows: SharedRows | None = ROWS_MEMO.get(key) or cache_read(key)
    if rows is None or view.viewer_id in rows.hidden_authors:
        full = thread_context(group=group, membership=membership, subject=subject, **state)
        if view.viewer_id in full["hidden_authors"]:
            return _with_rows(request, full)  # their hidden note shows: not the shared page
        shared_view = _row_view(
            request, group, membership, subject, order=context["order"], shared=True
        )
        rows = shared_rows(
            full["items"],
            shared_view,
            hidden_authors=full["hidden_authors"],
            note_count=full["note_count"],
            next_after=full["next_after"],
        )
        # Under the version the layout was read with (thread_context may have moved it on).
        cache_write(key, rows, ROWS_CACHE_SECONDS)
    ROWS_MEMO.put(key, rows)
    context["note_count"] = rows.note_count
    context["next_after"] = rows.next_after
    context["rows_html"] = shared_rows_html(rows, view)
    _new_note_form(context)
    return context


def _thread_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The whole thread page, in the group's frame under its subject's tab."""
    context["tab"] = SUBJECT_TABS[context["subject_kind"]]
    return render(request, THREAD, context, status=status)


def _thread_redirect(group: ReadingGroup, note: Note, state: dict) -> HttpResponse:
    query = []
    if state["order"] == "newest":
        query.append("order=newest")
    if state["collapsed"]:
        query.append("collapsed=" + ",".join(map(str, state["collapsed"])))
    suffix = ("?" + "&".join(query)) if query else ""
    return redirect(f"{thread_url(group, note.subject)}{suffix}#note-{note.pk}")


def _thread_partial(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership | None,
    note: Note,
    state: dict,
) -> HttpResponse:
    """The whole thread partial, re-read, with the given note highlighted and scrolled to."""
    context = thread_context(
        group=group,
        membership=membership,
        subject=note.subject,
        highlight=note.pk,
        fresh=True,  # after a write
        **state,
    )
    response = render(request, f"{THREAD}#thread", _with_rows(request, context))
    retarget(response, "#thread")
    return reswap(response, f"outerHTML show:#note-{note.pk}:top")  # type: ignore[arg-type]  # a swap with a modifier: django-htmx's SwapMethod lists the bare styles only


def _reply_row(
    request: HttpRequest,
    group: ReadingGroup,
    membership: Membership,
    note: Note,
    state: dict,
) -> HttpResponse:
    """A new reply's row alone, placed right after the row it follows in the thread.

    Cheaper than re-rendering 200 rows; the thread's tree is still read (one query: the reply
    made its layout new) to know the reply's depth and place. Falls back to the whole thread when the place is not on the page (a
    folded parent).
    """
    order: Order = "newest" if state["order"] == "newest" else "oldest"
    places = thread_places(
        note.subject,
        order=order,
        show_hidden=membership.is_organizer,
        collapsed=state["collapsed"],
        viewer_id=membership.user_id,
        fresh=True,
    )
    index = next((i for i, place in enumerate(places) if place.note_id == note.pk), 0)
    if index == 0:
        return _thread_partial(request, group, membership, note, state)
    # The rows above it count one reply more: their fold links come along, out of band.
    *ancestors, item = thread_items([*ancestor_places(places, note.parent_id), places[index]])
    view = _row_view(
        request,
        group,
        membership,
        note.subject,
        order=order,
        collapsed=",".join(map(str, state["collapsed"])),
        highlight=note.pk,
    )
    # The reply's row, its parent's reply slot emptied, and the counts (all out of band but the row).
    response = HttpResponse(
        f"{row_html(item, view)}\n"
        f'<div id="reply-slot-{note.parent_id}" class="reply-slot" hx-swap-oob="true"></div>\n'
        f"{counts_html(len(places), _with_toggles(ancestors, state), view)}"
    )
    retarget(response, f"#note-{places[index - 1].note_id}")
    return reswap(response, "afterend")


def _with_toggles(items: list[ThreadItem], state: dict) -> list[ThreadItem]:
    for item in items:
        item.toggle = fold_toggle(state["collapsed"], item.note.pk)
    return items


def _content_partial(
    request: HttpRequest, group: ReadingGroup, membership: Membership | None, note: Note
) -> HttpResponse:
    placeholder: Placeholder = ""
    if note.is_deleted:
        placeholder = "deleted"
    elif note.is_hidden and not (
        membership and (membership.is_organizer or note.author_id == membership.user_id)
    ):
        placeholder = "hidden"
    view = _row_view(request, group, membership, note.subject)
    return HttpResponse(content_html(ShownNote.of(note), placeholder, view))


def _note_page_context(group: ReadingGroup, membership: Membership, note: Note) -> dict[str, Any]:
    """What a page about one note (editing it, deleting it) shows around its form."""
    return {
        "group": group,
        "membership": membership,
        "note": note,
        "subject": note.subject,
        "thread_url": thread_url(group, note.subject),
    }


@require_GET
@vary_on_headers("HX-Request")
def thread(request: HtmxHttpRequest, slug: str, kind: str, subject_id: int) -> HttpResponse:
    """A subject's notes; `?order=newest`, `?collapsed=<ids>`; htmx gets the thread partial."""
    group, membership = get_group_for_viewer(request, slug)
    subject = get_subject_or_404(group, kind, subject_id)
    context = _thread_read(request, group, membership, subject, _view_state(request.GET))
    if request.htmx:
        return render(request, f"{THREAD}#thread", context)
    return _thread_page(request, context)


@require_GET
@vary_on_headers("HX-Request")
def more(request: HtmxHttpRequest, slug: str, kind: str, subject_id: int) -> HttpResponse:
    """The notes after `?after=<note id>`: a page of its own, or (htmx) the next rows to append."""
    group, membership = get_group_for_viewer(request, slug)
    subject = get_subject_or_404(group, kind, subject_id)
    after = parse_ids(request.GET.get("after"))
    if not after:
        raise Http404("Which notes come next? (?after=<note id>)")
    context = thread_context(
        group=group,
        membership=membership,
        subject=subject,
        after=after[0],
        **_view_state(request.GET),
    )
    _with_rows(request, context)
    context["continued"] = True
    if request.htmx:
        return render(request, f"{THREAD}#items", context)
    return _thread_page(request, context)


@sign_in_to_act
@require_POST
@rate_limit("note")
def post(request: AuthenticatedHttpRequest, slug: str, kind: str, subject_id: int) -> HttpResponse:
    """A new top-level note on a subject (members)."""
    group, membership = get_group_for_member(request, slug)
    subject = get_subject_or_404(group, kind, subject_id)
    form = NoteForm(request.POST, auto_id="new-note-%s")
    state = _view_state(request.POST)
    if form.is_valid():
        try:
            note = note_create(author=request.user, subject=subject, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            if request.htmx:
                return _thread_partial(request, group, membership, note, state)
            return _thread_redirect(group, note, state)
    context = _with_rows(
        request, thread_context(group=group, membership=membership, subject=subject, **state)
    )
    context["form"] = form
    if request.htmx:
        response = render(request, f"{THREAD}#new-note-form", context)
        return reswap(retarget(response, "#new-note-form"), "outerHTML")
    return _thread_page(request, context, status=400)


@sign_in_to_act
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@rate_limit("note")
def reply(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """The reply form under a note (GET), and posting the reply (POST); members only."""
    group, membership = get_group_for_member(request, slug)
    parent = get_note_or_404(group, note_id)
    if parent.is_deleted or (parent.is_hidden and not membership.is_organizer):
        raise Http404("That note is no longer there to reply to.")
    form = NoteForm(request.POST or None, auto_id=f"reply-{parent.pk}-%s")
    state = _view_state(request.POST or request.GET)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                note = note_create(
                    author=request.user,
                    subject=parent.subject,
                    body=form.cleaned_data["body"],
                    parent=parent,
                )
            except ValidationError as error:
                form.add_error("body", error)
            else:
                if request.htmx:
                    return _reply_row(request, group, membership, note, state)
                return _thread_redirect(group, note, state)
        status = 400
    context = {
        "group": group,
        "membership": membership,
        "parent": parent,
        "note": parent,
        "subject": parent.subject,
        "thread_url": thread_url(group, parent.subject),
        "form": form,
        **state,
        "collapsed": ",".join(map(str, state["collapsed"])),
    }
    if request.htmx:
        response = render(request, "groups/notes/reply.html#reply-form", context)
        if request.method == "POST":
            response = reswap(retarget(response, f"#reply-form-{parent.pk}"), "outerHTML")
        return response
    return render(request, "groups/notes/reply.html", context, status=status)


@sign_in_to_act
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def edit(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """Editing one's own note: the form (GET, in place with htmx) and saving it (POST)."""
    group, membership = get_group_for_member(request, slug)
    note = get_note_or_404(group, note_id)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only its author can edit a note.")
    if note.is_deleted:
        raise Http404("This note was deleted.")
    form = NoteForm(request.POST or None, initial={"body": note.body}, auto_id=f"edit-{note.pk}-%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                note = note_edit(note=note, user=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error("body", error)
            else:
                if request.htmx:
                    return _content_partial(request, group, membership, note)
                messages.success(request, "Your note is saved.")
                return _thread_redirect(group, note, _view_state(request.POST))
        status = 400
    context = _note_page_context(group, membership, note) | {"form": form}
    if request.htmx:
        return render(request, "groups/notes/edit.html#edit-form", context)
    return render(request, "groups/notes/edit.html", context, status=status)


@sign_in_to_act
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def delete(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """Deleting one's own note: asking first (GET, in place with htmx), then deleting (POST).

    "[deleted]" stays while replies are shown under it.
    """
    group, membership = get_group_for_member(request, slug)
    note = get_note_or_404(group, note_id)
    if request.method == "GET":
        return _delete_confirm(request, group, membership, note)
    note = note_delete(note=note, user=request.user)
    if not request.htmx:
        messages.success(request, "Your note is deleted.")
        return _thread_redirect(group, note, _view_state(request.POST))
    state = _view_state(request.POST)
    order: Order = "newest" if state["order"] == "newest" else "oldest"
    # The first reads the tree (the delete made a new version); the second finds it cached.
    unfolded, places = (
        thread_places(
            note.subject,
            order=order,
            show_hidden=membership.is_organizer,
            collapsed=collapsed,
            viewer_id=membership.user_id,
            fresh=fresh,
        )
        for collapsed, fresh in (((), True), (state["collapsed"], False))
    )
    if any(place.note_id == note.pk for place in unfolded):
        return _content_partial(request, group, membership, note)
    # The row goes; the count and the fold links of the rows above it change, out of band.
    view = _row_view(request, group, membership, note.subject, order=order)
    ancestors = _with_toggles(thread_items(ancestor_places(places, note.parent_id)), state)
    response = HttpResponse(counts_html(len(places), ancestors, view))
    return reswap(retarget(response, f"#note-{note.pk}"), "delete")


def _delete_confirm(
    request: AuthenticatedHttpRequest, group: ReadingGroup, membership: Membership, note: Note
) -> HttpResponse:
    """The "Delete this note?" prompt: for the author of a note not yet deleted."""
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only its author can delete a note.")
    if note.is_deleted:
        raise Http404("This note was deleted.")
    state = _view_state(request.GET)
    context = _note_page_context(group, membership, note) | {
        "order": state["order"],
        "collapsed": ",".join(map(str, state["collapsed"])),
    }
    if request.htmx:
        return render(request, "groups/notes/delete.html#confirm", context)
    return render(request, "groups/notes/delete.html", context)


def _moderate(
    request: AuthenticatedHttpRequest, slug: str, note_id: int, *, hide: bool
) -> HttpResponse:
    group, membership = get_group_for_organizer(request, slug)
    note = get_note_or_404(group, note_id)
    reason = request.POST.get("reason", "")[:2000]
    if hide:
        changed = note_hide(note=note, by=request.user, reason=reason)
        message = "The note is hidden." if changed else "The note was already hidden."
    else:
        changed = note_unhide(note=note, by=request.user, reason=reason)
        message = "The note is shown again." if changed else "The note was not hidden."
    if request.htmx:
        return _content_partial(request, group, membership, note)
    (messages.success if changed else messages.info)(request, message)
    return _thread_redirect(group, note, _view_state(request.POST))


@sign_in_to_act
@require_POST
def hide(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """Organizers hide a note from members (they still see it, marked hidden)."""
    return _moderate(request, slug, note_id, hide=True)


@sign_in_to_act
@require_POST
def unhide(request: AuthenticatedHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """Organizers show a hidden note again."""
    return _moderate(request, slug, note_id, hide=False)


@require_GET
@vary_on_headers("HX-Request")
def detail(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """A note's own page (its permalink): the note, its replies and, for members, its history.

    With htmx it answers the note's content alone (what "cancel" on the edit form swaps back).
    """
    group, membership = get_group_for_viewer(request, slug)
    note = get_note_or_404(group, note_id)
    if request.htmx:
        return _content_partial(request, group, membership, note)
    is_organizer = membership is not None and membership.is_organizer
    places = subtree(
        thread_places(
            note.subject,
            show_hidden=is_organizer,
            viewer_id=membership.user_id if membership is not None else None,
        ),
        note.pk,
    )
    if not places:
        raise Http404("This note was deleted.")
    base_depth = places[0].depth
    for place in places:
        place.depth -= base_depth
    items: list[ThreadItem] = thread_items(places)
    show_history = membership is not None and not items[0].placeholder
    kind = subject_kind(note.subject)
    view = _row_view(request, group, membership, note.subject, order="oldest", standalone=True)
    context: dict[str, Any] = group_context(group, membership, SUBJECT_TABS[kind]) | {
        "note": note,
        "subject": note.subject,
        "thread_url": thread_url(group, note.subject),
        "rows_html": rows_html(items, view),
        "revisions": list(note.revisions.all()) if show_history and note.edited_at else [],
    }
    return render(request, "groups/notes/note.html", context)


@sign_in_to_act
@require_GET
def mentions(request: HttpRequest, slug: str) -> HttpResponse:
    """The @mention suggestions of a note form (static/js/mentions.js): up to eight members whose
    handle or display name contains `?q=` ("al": @alice, "Alan Turing"), for members only.

    The same small list answers htmx and a plain GET (no Vary): it is a piece of the note form,
    not a page; without JavaScript people type the handle the members page shows.
    """
    group, _membership = get_group_for_member(request, slug)
    query = request.GET.get("q", "").strip().removeprefix("@")[:80]
    members = []
    if query:
        matches = Membership.objects.filter(group=group).mention_matches(query)
        members = [membership.user for membership in matches[:MENTION_OPTIONS]]
    return render(request, "groups/notes/mentions.html#options", {"members": members})
