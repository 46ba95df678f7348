"""Discussion sessions, RSVPs and calendar feeds, under /g/<slug>/sessions/ and /g/<slug>/calendar."""

from django.urls import path

from groups.discussions import views

urlpatterns = [
    path("g/<slug:slug>/sessions/", views.session_list, name="session_list"),
    path("g/<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path("g/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("g/<slug:slug>/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("g/<slug:slug>/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path(
        "g/<slug:slug>/sessions/<int:pk>/done/", views.session_mark_done, name="session_mark_done"
    ),
    path("g/<slug:slug>/sessions/<int:pk>/move/", views.session_move, name="session_move"),
    path("g/<slug:slug>/sessions/<int:pk>/rsvp/", views.session_rsvp, name="session_rsvp"),
    path(
        "g/<slug:slug>/sessions/<int:pk>/readiness/",
        views.session_readiness,
        name="session_readiness",
    ),
    path("g/<slug:slug>/sessions/<int:pk>/session.ics", views.session_ics, name="session_ics"),
    path("g/<slug:slug>/calendar.ics", views.session_feed, name="session_feed"),
    path(
        "g/<slug:slug>/calendar/token/",
        views.session_feed_token_regenerate,
        name="session_feed_token_regenerate",
    ),
    path(
        "g/<slug:slug>/calendar/<str:token>.ics",
        views.session_feed_token,
        name="session_feed_token",
    ),
    path("g/<slug:slug>/polls/new/", views.poll_create, name="poll_create"),
    path("g/<slug:slug>/polls/<int:pk>/", views.poll_detail, name="poll_detail"),
    path(
        "g/<slug:slug>/polls/<int:pk>/slots/<int:slot>/answer/",
        views.poll_answer,
        name="poll_answer",
    ),
    path("g/<slug:slug>/polls/<int:pk>/pick/", views.poll_pick, name="poll_pick"),
    path("g/<slug:slug>/polls/<int:pk>/cancel/", views.poll_cancel, name="poll_cancel"),
]
