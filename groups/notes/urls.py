from django.urls import path, register_converter

from groups.notes import views


class SubjectKindConverter:
    """What a thread is about: a nomination or a session of the group."""

    regex = "nominations|sessions"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SubjectKindConverter, "notesubject")

thread = "g/<slug:slug>/<notesubject:kind>/<int:subject_id>/notes/"
one = "g/<slug:slug>/notes/<int:note_id>/"

urlpatterns = [
    path(thread, views.thread, name="note_thread"),
    path(f"{thread}more/", views.more, name="note_more"),
    path(f"{thread}new/", views.post, name="note_post"),
    path(one, views.detail, name="note_detail"),
    path(f"{one}reply/", views.reply, name="note_reply"),
    path(f"{one}edit/", views.edit, name="note_edit"),
    path(f"{one}delete/", views.delete, name="note_delete"),
    path(f"{one}hide/", views.hide, name="note_hide"),
    path(f"{one}unhide/", views.unhide, name="note_unhide"),
    path("g/<slug:slug>/members/mentions/", views.mentions, name="note_mentions"),
]
