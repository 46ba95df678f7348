"""Questions in the admin: find them by group and state, hide or show them (audited)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from groups.models import Question, User
from groups.questions.services import question_hide, question_unhide


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "session", "agenda_position", "created_at", "hidden_at")
    list_filter = ("hidden_at", "session__group", "created_at")
    search_fields = ("text", "author__username", "author__display_name")
    list_select_related = ("author", "session__group", "session__paper")
    raw_id_fields = ("session", "author", "hidden_by", "agenda_by", "note")
    readonly_fields = ("text_html", "created_at", "hidden_at", "hidden_by", "note")
    actions = ("hide", "unhide")

    @admin.action(description="Hide the selected questions")
    def hide(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        user: User = request.user  # type: ignore[assignment]  # the admin's user has signed in
        changed = sum(question_hide(question=q, by=user) for q in queryset)
        self.message_user(request, f"{changed} hidden.", messages.SUCCESS)

    @admin.action(description="Show the selected questions again")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        user: User = request.user  # type: ignore[assignment]  # the admin's user has signed in
        changed = sum(question_unhide(question=q, by=user) for q in queryset)
        self.message_user(request, f"{changed} shown again.", messages.SUCCESS)
