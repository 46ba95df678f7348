"""The group's history and its exports, under /g/<slug>/history/."""

from django.urls import path

from groups.history import views

base = "g/<slug:slug>/history/"

urlpatterns = [
    path(base, views.history, name="group_history"),
    path(f"{base}export.json", views.export_json, name="history_export_json"),
    path(f"{base}export-csv.zip", views.export_csv, name="history_export_csv"),
    path(f"{base}export-markdown.zip", views.export_markdown, name="history_export_markdown"),
    path(f"{base}my-notes.json", views.my_notes_json, name="history_my_notes_json"),
    path(f"{base}my-notes.md", views.my_notes_markdown, name="history_my_notes_markdown"),
]
