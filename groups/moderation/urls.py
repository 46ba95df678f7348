"""Moderation on the group's pages (flags, locks, bans). Site moderation is in the admin."""

from django.urls import path

from groups.moderation import views
from groups.notes import urls as note_urls  # noqa: F401  (registers the <notesubject:...> converter)

urlpatterns = [
    path("g/<slug:slug>/notes/<int:note_id>/flag/", views.flag, name="note_flag"),
    path(
        "g/<slug:slug>/<notesubject:kind>/<int:subject_id>/notes/lock/",
        views.lock,
        name="thread_lock",
    ),
    path(
        "g/<slug:slug>/<notesubject:kind>/<int:subject_id>/notes/unlock/",
        views.unlock,
        name="thread_unlock",
    ),
    path("g/<slug:slug>/moderation/", views.group_moderation, name="group_moderation"),
    path("g/<slug:slug>/moderation/ban/", views.ban, name="group_ban"),
    path("g/<slug:slug>/moderation/bans/<int:pk>/lift/", views.unban, name="group_unban"),
]
