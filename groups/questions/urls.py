"""A session's question board and agenda, under /g/<slug>/sessions/<id>/questions/."""

from django.urls import path

from groups.questions import views

board = "g/<slug:slug>/sessions/<int:pk>/questions/"
one = "g/<slug:slug>/questions/<int:question_id>/"

urlpatterns = [
    path(board, views.board, name="question_board"),
    path(f"{board}new/", views.ask, name="question_ask"),
    path(f"{board}agenda/", views.agenda, name="question_agenda"),
    path(f"{one}vote/", views.vote, name="question_vote"),
    path(f"{one}hide/", views.hide, name="question_hide"),
    path(f"{one}unhide/", views.unhide, name="question_unhide"),
]
