"""What a group has read, beside a paper and on the ballot. Names start with `similar_` or `group_`."""

from django.urls import path

from groups.similar import views

urlpatterns = [
    path("similar/<path:arxiv_id>/", views.similar_paper, name="similar_paper"),
    path("g/<slug:slug>/suggested/", views.group_suggested, name="group_suggested"),
    path(
        "g/<slug:slug>/suggested/nominate/",
        views.group_suggested_nominate,
        name="group_suggested_nominate",
    ),
]
