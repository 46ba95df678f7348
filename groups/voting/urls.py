"""The ballot: nominations and votes. Names start with `group_`."""

from django.urls import path

from groups.voting import views

urlpatterns = [
    path("nominate/<path:arxiv_id>/", views.group_nominate_paper, name="group_nominate_paper"),
    path("g/<slug:slug>/ballot/", views.group_ballot, name="group_ballot"),
    path("g/<slug:slug>/ballot/rank/", views.group_rank, name="group_rank"),
    path("g/<slug:slug>/nominate/", views.group_nominate, name="group_nominate"),
    path("g/<slug:slug>/n/<int:pk>/", views.group_nomination, name="group_nomination"),
    path("g/<slug:slug>/n/<int:pk>/vote/", views.group_vote, name="group_vote"),
    path("g/<slug:slug>/n/<int:pk>/unvote/", views.group_unvote, name="group_unvote"),
    path("g/<slug:slug>/n/<int:pk>/withdraw/", views.group_withdraw, name="group_withdraw"),
    path("g/<slug:slug>/n/<int:pk>/archive/", views.group_archive, name="group_archive"),
]
