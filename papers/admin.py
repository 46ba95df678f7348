from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from papers.indexing import search_index_soon
from papers.models import DailyListing, ImportRun, ImportSkip, Paper
from papers.tasks import import_run_repeat


class DailyListingInline(admin.TabularInline):
    model = DailyListing
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = (
        "arxiv_id",
        "title",
        "organization",
        "upvotes",
        "num_comments",
        "published_at",
        "hidden",
    )
    search_fields = ("arxiv_id", "title", "organization")
    list_filter = (
        ("listings__day", admin.DateFieldListFilter),
        "hidden",
        "withdrawn",
        "organization",
    )
    readonly_fields = ("created_at", "updated_at")
    inlines = [DailyListingInline]
    show_full_result_count = False

    # Moderators hold change_paper only to hide papers (the groups app's moderation admin adds
    # those actions, which write the audit log); the fields stay the imports' and superusers'.
    def get_readonly_fields(self, request: HttpRequest, obj: Paper | None = None) -> list[str]:
        if request.user.is_superuser:
            return list(self.readonly_fields)
        return [field.name for field in Paper._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Paper | None = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Paper, form: Any, change: bool) -> None:
        # A superuser may have edited the text: index it again, after the commit.
        obj.search_indexed_at = None
        super().save_model(request, obj, form, change)
        search_index_soon()


class ImportSkipInline(admin.TabularInline):
    model = ImportSkip
    extra = 0
    can_delete = False
    readonly_fields = ("record_id", "reason")

    def has_add_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "source",
        "request",
        "status",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "error",
    )
    list_filter = ("source", "status")
    search_fields = ("request", "error")
    readonly_fields = [field.name for field in ImportRun._meta.fields]
    inlines = [ImportSkipInline]
    actions = ["rerun"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Run the selected imports again")
    def rerun(self, request: HttpRequest, queryset: QuerySet[ImportRun]) -> None:
        run_ids = list(queryset.values_list("pk", flat=True))
        for run_id in run_ids:
            transaction.on_commit(partial(import_run_repeat.delay, run_id))
        self.message_user(
            request,
            f"Queued {len(run_ids)} import(s) again; their new runs appear in this list.",
            messages.SUCCESS,
        )
