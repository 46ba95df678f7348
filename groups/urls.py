"""Reading groups: directory, group pages, ballot and votes, membership. Names start with `group_`."""

from django.urls import path

from groups import membership_views, views

urlpatterns = [
    path("groups/", views.group_directory, name="group_directory"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/mine/", views.group_mine, name="group_mine"),
    path("nominate/<path:arxiv_id>/", views.group_nominate_paper, name="group_nominate_paper"),
    path("join/<str:token>/", membership_views.group_join_link, name="group_join_link"),
    path("g/<slug:slug>/", views.group_home, name="group_home"),
    path("g/<slug:slug>/ballot/", views.group_ballot, name="group_ballot"),
    path("g/<slug:slug>/nominate/", views.group_nominate, name="group_nominate"),
    path("g/<slug:slug>/n/<int:pk>/", views.group_nomination, name="group_nomination"),
    path("g/<slug:slug>/n/<int:pk>/vote/", views.group_vote, name="group_vote"),
    path("g/<slug:slug>/n/<int:pk>/unvote/", views.group_unvote, name="group_unvote"),
    path("g/<slug:slug>/n/<int:pk>/withdraw/", views.group_withdraw, name="group_withdraw"),
    path("g/<slug:slug>/n/<int:pk>/archive/", views.group_archive, name="group_archive"),
    path("g/<slug:slug>/join/", membership_views.group_join, name="group_join"),
    path("g/<slug:slug>/leave/", membership_views.group_leave, name="group_leave"),
    path("g/<slug:slug>/members/", membership_views.group_members, name="group_members"),
    path(
        "g/<slug:slug>/members/<int:pk>/role/",
        membership_views.group_member_role,
        name="group_member_role",
    ),
    path(
        "g/<slug:slug>/members/<int:pk>/remove/",
        membership_views.group_member_remove,
        name="group_member_remove",
    ),
    path("g/<slug:slug>/settings/", membership_views.group_settings, name="group_settings"),
    path(
        "g/<slug:slug>/invitations/",
        membership_views.group_invitations,
        name="group_invitations",
    ),
    path(
        "g/<slug:slug>/invitations/email/",
        membership_views.group_invite_email,
        name="group_invite_email",
    ),
    path(
        "g/<slug:slug>/invitations/<int:pk>/revoke/",
        membership_views.group_invitation_revoke,
        name="group_invitation_revoke",
    ),
    path("g/<slug:slug>/requests/", membership_views.group_requests, name="group_requests"),
    path(
        "g/<slug:slug>/requests/<int:pk>/approve/",
        membership_views.group_request_approve,
        name="group_request_approve",
    ),
    path(
        "g/<slug:slug>/requests/<int:pk>/decline/",
        membership_views.group_request_decline,
        name="group_request_decline",
    ),
]
