"""The groups themselves: directory, creating, a group's home, joining, members, invitations,
requests and settings. Names start with `group_`."""

from django.urls import path

from groups.membership import views

urlpatterns = [
    # The site's front page lives here because, signed in, it is the person's groups.
    path("", views.home, name="home"),
    path("groups/", views.group_directory, name="group_directory"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/mine/", views.group_mine, name="group_mine"),
    path("join/<str:token>/", views.group_join_link, name="group_join_link"),
    path("g/<slug:slug>/", views.group_home, name="group_home"),
    path("g/<slug:slug>/join/", views.group_join, name="group_join"),
    path("g/<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("g/<slug:slug>/members/", views.group_members, name="group_members"),
    path(
        "g/<slug:slug>/members/<int:pk>/role/",
        views.group_member_role,
        name="group_member_role",
    ),
    path(
        "g/<slug:slug>/members/<int:pk>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("g/<slug:slug>/settings/", views.group_settings, name="group_settings"),
    path(
        "g/<slug:slug>/invitations/",
        views.group_invitations,
        name="group_invitations",
    ),
    path(
        "g/<slug:slug>/invitations/email/",
        views.group_invite_email,
        name="group_invite_email",
    ),
    path(
        "g/<slug:slug>/invitations/<int:pk>/revoke/",
        views.group_invitation_revoke,
        name="group_invitation_revoke",
    ),
    path("g/<slug:slug>/requests/", views.group_requests, name="group_requests"),
    path(
        "g/<slug:slug>/requests/<int:pk>/approve/",
        views.group_request_approve,
        name="group_request_approve",
    ),
    path(
        "g/<slug:slug>/requests/<int:pk>/decline/",
        views.group_request_decline,
        name="group_request_decline",
    ),
]
