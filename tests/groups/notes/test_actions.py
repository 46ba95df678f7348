"""The notes actions, both as plain form posts (PRG) and as htmx requests answered in place."""

import pytest
from django.urls import reverse

from groups.models import Note, NoteRevision
from groups.notes.services import note_create, note_delete, note_edit
from tests.concurrency import at_once, postgres_threads
from tests.people import client_for

HTMX = {"HX-Request": "true"}


def thread_url(cast, kind: str = "nominations") -> str:
    subject = cast.nomination if kind == "nominations" else cast.session
    return reverse("note_thread", args=[cast.group.slug, kind, subject.pk])


def post_url(cast, kind: str = "nominations") -> str:
    subject = cast.nomination if kind == "nominations" else cast.session
    return reverse("note_post", args=[cast.group.slug, kind, subject.pk])


def test_it_posts_a_note_and_redirects_to_it(private) -> None:
    response = client_for(private.member).post(post_url(private), {"body": "What is $\\alpha$?"})
    note = Note.objects.get()
    assert response.status_code == 302
    assert response.url == f"{thread_url(private)}#note-{note.pk}"
    page = client_for(private.other_member).get(thread_url(private)).content.decode()
    assert '<span class="math inline">\\alpha</span>' in page
    assert f'id="note-{note.pk}"' in page


def test_it_posts_on_a_session_thread(private) -> None:
    client = client_for(private.other_member)
    response = client.post(post_url(private, "sessions"), {"body": "Bring questions"})
    assert response.status_code == 302
    assert Note.objects.get().session == private.session
    page = client.get(thread_url(private, "sessions")).content.decode()
    assert "Bring questions" in page and "Session" in page


def test_it_answers_htmx_with_the_thread_and_the_new_note_marked(private) -> None:
    response = client_for(private.member).post(post_url(private), {"body": "Hello"}, headers=HTMX)
    note = Note.objects.get()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#thread"
    assert response["HX-Reswap"] == f"outerHTML show:#note-{note.pk}:top"
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="thread"')
    assert "<html" not in body
    assert "is-new" in body


def test_it_shows_a_clear_error_and_keeps_nothing_for_an_empty_note(private) -> None:
    client = client_for(private.member)
    response = client.post(post_url(private), {"body": "   "})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    response = client.post(post_url(private), {"body": ""}, headers=HTMX)
    assert response["HX-Retarget"] == "#new-note-form"
    assert "Write something first." in response.content.decode()
    assert not Note.objects.exists()


def test_it_keeps_a_too_long_note_in_the_form(private) -> None:
    text = "x" * 20_001
    response = client_for(private.member).post(post_url(private), {"body": text})
    assert response.status_code == 400
    assert text in response.content.decode()  # nothing the writer typed is lost
    assert not Note.objects.exists()


def test_it_posts_a_double_click_once(private) -> None:
    client = client_for(private.member)
    first = client.post(post_url(private), {"body": "Only once"})
    second = client.post(post_url(private), {"body": "Only once"})
    assert first.url == second.url
    assert Note.objects.count() == 1


@postgres_threads
def test_it_posts_two_identical_requests_at_once_as_one_note(private) -> None:
    def post() -> Note:
        return note_create(author=private.member, subject=private.nomination, body="Same time")

    results, errors = at_once([post, post])
    assert errors == []
    assert len(results) == 2
    assert Note.objects.count() == 1


def test_it_replies_in_place_and_without_javascript(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Question?")
    url = reverse("note_reply", args=[private.group.slug, parent.pk])
    client = client_for(private.other_member)
    form = client.get(url, headers=HTMX).content.decode()
    assert form.lstrip().startswith(f'<form id="reply-form-{parent.pk}"')
    assert "data-notes-cancel" in form
    page = client.get(url).content.decode()
    assert "<html" in page and "Question?" in page and "Cancel" in page

    response = client.post(url, {"body": "Answer.", "order": "newest"}, headers=HTMX)
    reply = Note.objects.get(parent=parent)
    # Only the new row, placed after its parent's row; the reply form's slot is emptied.
    assert (response["HX-Retarget"], response["HX-Reswap"]) == (f"#note-{parent.pk}", "afterend")
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<li id="note-{reply.pk}" class="note depth-1 is-new is-reply"'
    )
    assert body.count('class="note ') == 1
    assert f'<div id="reply-slot-{parent.pk}" class="reply-slot" hx-swap-oob="true"></div>' in body

    response = client.post(url, {"body": "Another.", "order": "newest", "collapsed": "5,x"})
    assert response.status_code == 302
    second = Note.objects.exclude(pk=reply.pk).get(parent=parent)
    assert response.url == f"{thread_url(private)}?order=newest&collapsed=5#note-{second.pk}"


def test_it_updates_the_count_and_the_parents_fold_link_with_an_htmx_reply(private) -> None:
    top = note_create(author=private.member, subject=private.nomination, body="Top")
    parent = note_create(author=private.member, subject=private.nomination, body="Q", parent=top)
    url = reverse("note_reply", args=[private.group.slug, parent.pk])
    body = client_for(private.other_member).post(url, {"body": "A"}, headers=HTMX).content.decode()
    assert '<span id="thread-count" class="count" hx-swap-oob="true">3</span>' in body
    # The parent had no fold link (no replies), the top note's counted one reply: both out of band.
    for note, replies in ((parent, "1 reply"), (top, "2 replies")):
        link = body.split(f'<a id="fold-{note.pk}"', 1)[1].split("</a>", 1)[0]
        assert 'hx-swap-oob="true"' in link and f"Hide {replies}" in link
    page = client_for(private.other_member).get(thread_url(private)).content.decode()
    assert '<span id="thread-count" class="count">3</span>' in page
    assert f'<a id="fold-{parent.pk}"' in page


def test_it_places_a_reply_after_the_last_reply_of_its_parent(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Q")
    first = note_create(
        author=private.other_member, subject=private.nomination, body="A1", parent=parent
    )
    deep = note_create(author=private.member, subject=private.nomination, body="A1x", parent=first)
    url = reverse("note_reply", args=[private.group.slug, parent.pk])
    response = client_for(private.other_member).post(url, {"body": "A2"}, headers=HTMX)
    assert response["HX-Retarget"] == f"#note-{deep.pk}"
    # Under a folded parent there is no row to follow: the whole thread comes back.
    response = client_for(private.other_member).post(
        url, {"body": "A3", "collapsed": str(parent.pk)}, headers=HTMX
    )
    assert response["HX-Retarget"] == "#thread"


def test_it_shows_reply_errors_in_the_form(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Question?")
    url = reverse("note_reply", args=[private.group.slug, parent.pk])
    response = client_for(private.other_member).post(url, {"body": ""}, headers=HTMX)
    assert response["HX-Retarget"] == f"#reply-form-{parent.pk}"
    assert "Write something first." in response.content.decode()
    assert client_for(private.other_member).post(url, {"body": ""}).status_code == 400
    assert Note.objects.count() == 1


def test_it_refuses_replies_to_a_deleted_note(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Question?")
    note_delete(note=parent, user=private.member)
    url = reverse("note_reply", args=[private.group.slug, parent.pk])
    assert client_for(private.other_member).post(url, {"body": "Late"}).status_code == 404
    assert Note.objects.count() == 1


def test_it_edits_in_place_and_keeps_the_history(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Frist")
    url = reverse("note_edit", args=[private.group.slug, note.pk])
    client = client_for(private.member)
    form = client.get(url, headers=HTMX).content.decode()
    assert form.lstrip().startswith(f'<form id="edit-form-{note.pk}"') and "Frist" in form
    response = client.post(url, {"body": "First, *fixed*"}, headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div id="note-{note.pk}-content"')
    assert "<em>fixed</em>" in body and "edited" in body
    assert list(NoteRevision.objects.values_list("body", flat=True)) == ["Frist"]

    response = client.post(url, {"body": "Third"})
    assert response.status_code == 302 and response.url.endswith(f"#note-{note.pk}")
    detail = client_for(private.other_member).get(
        reverse("note_detail", args=[private.group.slug, note.pk])
    )
    assert "Earlier versions" in detail.content.decode()
    assert "Frist" in detail.content.decode()


def test_it_shows_no_history_to_readers_outside_the_group(public) -> None:
    note = note_create(author=public.member, subject=public.nomination, body="Draft")
    note_edit(note=note, user=public.member, body="Final")
    url = reverse("note_detail", args=[public.group.slug, note.pk])
    page = client_for(public.outsider).get(url).content.decode()
    assert "Final" in page and "edited" in page
    assert "Draft" not in page


def test_it_deletes_a_note_without_replies_out_of_the_thread(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Oops")
    url = reverse("note_delete", args=[private.group.slug, note.pk])
    response = client_for(private.member).post(url, headers=HTMX)
    # The row goes; only the count comes, out of band.
    assert response.content.decode().strip() == (
        '<span id="thread-count" class="count" hx-swap-oob="true">0</span>'
    )
    assert (response["HX-Retarget"], response["HX-Reswap"]) == (f"#note-{note.pk}", "delete")
    page = client_for(private.member).get(thread_url(private)).content.decode()
    assert "Oops" not in page and "[deleted]" not in page and "No notes yet." in page
    assert Note.objects.get().deleted_at is not None


def test_it_updates_the_count_and_the_parents_fold_link_when_a_reply_goes(private) -> None:
    parent = note_create(author=private.member, subject=private.nomination, body="Q")
    reply = note_create(author=private.member, subject=private.nomination, body="A", parent=parent)
    url = reverse("note_delete", args=[private.group.slug, reply.pk])
    body = client_for(private.member).post(url, headers=HTMX).content.decode()
    assert '<span id="thread-count" class="count" hx-swap-oob="true">1</span>' in body
    # No reply is left to fold: the link gives way to its empty place.
    assert f'<span id="fold-{parent.pk}" hx-swap-oob="true"></span>' in body


def test_it_leaves_deleted_in_place_of_a_note_with_replies(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Hot take")
    note_create(
        author=private.other_member, subject=private.nomination, body="Disagree", parent=note
    )
    url = reverse("note_delete", args=[private.group.slug, note.pk])
    response = client_for(private.member).post(url, headers=HTMX)
    assert "[deleted]" in response.content.decode()
    assert "Hot take" not in response.content.decode()
    response = client_for(private.member).post(url)
    assert response.status_code == 302
    page = client_for(private.other_member).get(thread_url(private)).content.decode()
    assert "[deleted]" in page and "Disagree" in page and "Hot take" not in page


def test_it_hides_a_note_from_members_and_shows_it_to_organizers(private) -> None:
    note = note_create(author=private.other_member, subject=private.nomination, body="Spoiler")
    url = reverse("note_hide", args=[private.group.slug, note.pk])
    response = client_for(private.organizer).post(url, headers=HTMX)
    assert "hidden from members" in response.content.decode()
    assert "Unhide" in response.content.decode()
    assert "Spoiler" not in client_for(private.member).get(thread_url(private)).content.decode()
    assert "Spoiler" in client_for(private.organizer).get(thread_url(private)).content.decode()
    response = client_for(private.organizer).post(
        reverse("note_unhide", args=[private.group.slug, note.pk])
    )
    assert response.status_code == 302
    assert "Spoiler" in client_for(private.member).get(thread_url(private)).content.decode()


def test_it_collapses_and_expands_a_subtree_with_a_link(private) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="Root")
    note_create(author=private.other_member, subject=private.nomination, body="Child", parent=note)
    client = client_for(private.member)
    page = client.get(thread_url(private)).content.decode()
    assert f'href="{thread_url(private)}?collapsed={note.pk}#note-{note.pk}"' in page
    folded = client.get(f"{thread_url(private)}?collapsed={note.pk}", headers=HTMX)
    assert "Child" not in folded.content.decode()
    assert "Show 1 reply" in folded.content.decode()
    assert f'href="{thread_url(private)}?collapsed=#note-{note.pk}"' in folded.content.decode()


def test_it_orders_newest_first(private) -> None:
    note_create(author=private.member, subject=private.nomination, body="Older")
    note_create(author=private.member, subject=private.nomination, body="Newer")
    page = (
        client_for(private.other_member).get(f"{thread_url(private)}?order=newest").content.decode()
    )
    assert page.index("Newer") < page.index("Older")
    page = client_for(private.other_member).get(thread_url(private)).content.decode()
    assert page.index("Older") < page.index("Newer")


def test_it_loads_more_replies_with_a_real_link_and_htmx(private) -> None:
    from tests.groups.notes.conftest import make_thread

    make_thread(private.nomination, [private.member, private.other_member], 230)
    client = client_for(private.other_member)
    page = client.get(thread_url(private)).content.decode()
    assert page.count('class="note ') == 200
    more = reverse("note_more", args=[private.group.slug, "nominations", private.nomination.pk])
    assert f'href="{more}?after=' in page and "More replies" in page
    cursor = page.split(f'href="{more}?after=')[1].split("&")[0]
    rows = client.get(f"{more}?after={cursor}&order=oldest", headers=HTMX).content.decode()
    assert rows.count('class="note ') == 30
    assert "<section" not in rows and "More replies" not in rows
    page2 = client.get(f"{more}?after={cursor}").content.decode()
    assert "Back to the start of the thread" in page2 and page2.count('class="note ') == 30


def test_it_escapes_html_posted_through_the_form(private) -> None:
    body = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))'
    client_for(private.member).post(post_url(private), {"body": body})
    page = client_for(private.member).get(thread_url(private)).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize("page", ["thread", "more", "detail", "reply", "edit", "flag"])
def test_it_tells_caches_that_note_pages_vary_with_htmx(private, page: str) -> None:
    note = note_create(author=private.member, subject=private.nomination, body="First")
    slug, subject = private.group.slug, private.nomination.pk
    url = {
        "thread": thread_url(private),
        "more": reverse("note_more", args=[slug, "nominations", subject]) + f"?after={note.pk}",
        "detail": reverse("note_detail", args=[slug, note.pk]),
        "reply": reverse("note_reply", args=[slug, note.pk]),
        "edit": reverse("note_edit", args=[slug, note.pk]),
        "flag": reverse("note_flag", args=[slug, note.pk]),
    }[page]
    client = client_for(private.other_member if page == "flag" else private.member)
    full, partial = client.get(url), client.get(url, headers=HTMX)
    assert full.status_code == partial.status_code == 200
    assert full.content != partial.content
    assert "HX-Request" in full.get("Vary", "") and "HX-Request" in partial.get("Vary", "")
