"""Every page of the groups app, one include per area (see ARCHITECTURE.md)."""

from django.urls import include, path

urlpatterns = [
    path("", include("groups.accounts.urls")),
    path("", include("groups.notifications.urls")),
    path("", include("groups.membership.urls")),
    path("", include("groups.voting.urls")),
    path("", include("groups.discussions.urls")),
    path("", include("groups.questions.urls")),
    path("", include("groups.notes.urls")),
    path("", include("groups.moderation.urls")),
    path("", include("groups.history.urls")),
    path("", include("groups.similar.urls")),
]
