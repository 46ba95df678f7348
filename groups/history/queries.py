"""The history page's read: every session the group held, newest first, with what its row shows
(paper, presenter, how many said they were going, how many notes members can read), searched and
filtered in the database.

Search is a plain case-insensitive substring match on the paper's title, arXiv id, authors and
keywords (each word of the query must match one of them), not papers' full-text search: that
search leaves out papers a moderator hid (a group's history keeps them) and papers not yet
indexed, and on SQLite it is a join `extra()` adds, which cannot be a subquery. A group's history
is hundreds of sessions, read through the (group, starts_at) index, so the scan is cheap. On
SQLite, as everywhere there, case is ignored for ASCII letters only.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from groups.models import DiscussionSession, Note, ReadingGroup, Rsvp
from papers.models import Paper

PER_PAGE = 25
MAX_WORDS = 8


def like_pattern(text: str) -> str:
    """`%text%` for LIKE, with LIKE's own characters in `text` escaped (backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AnyItemContains(models.Lookup):
    """`authors__any_item_icontains="lee"`: some string of a JSON list contains the text, any case.

    Each item is matched alone (never across two names, nor the JSON around them), and on SQLite
    after its escapes are read (`"M\\u00fcller"` is stored for Müller, which a LIKE on the column
    would never find). PostgreSQL: jsonb_array_elements_text; SQLite: json_each.
    """

    lookup_name = "any_item_icontains"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # Only the ORM's own column SQL is written into the statement; the text is a parameter.
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = like_pattern(str(self.rhs))
        if connection.vendor == "postgresql":
            items = f"CASE WHEN jsonb_typeof({lhs}) = 'array' THEN {lhs} ELSE '[]'::jsonb END"
            sql = f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({items}) AS item WHERE item ILIKE %s)"  # noqa: S608
            return sql, (*lhs_params, *lhs_params, pattern)
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value LIKE %s ESCAPE '\\')"  # noqa: S608
        return sql, (*lhs_params, pattern)


for _name in ("authors", "ai_keywords"):
    _field = Paper._meta.get_field(_name)
    assert isinstance(_field, models.JSONField)
    _field.register_lookup(AnyItemContains)


@dataclass(frozen=True)
class HistoryFilter:
    """What the history page was asked for (every part optional)."""

    q: str = ""
    year: int | None = None
    author: str = ""
    keyword: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.year or self.author or self.keyword)


def _count(rows: QuerySet[Any], field: str) -> Coalesce:
    """A correlated COUNT(*) of rows pointing at the outer session (joins would multiply)."""
    counted = (
        rows.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def held_sessions(group: ReadingGroup) -> QuerySet[DiscussionSession]:
    """The group's sessions held, newest first, each with `going_count` (RSVPs "going") and
    `note_count` (its thread's notes that are neither deleted nor hidden)."""
    readable = Note.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
    return (
        DiscussionSession.objects.filter(group=group)
        .past()
        .select_related("paper", "presenter")
        .annotate(
            going_count=_count(Rsvp.objects.filter(answer=Rsvp.Answer.GOING), "session"),
            note_count=_count(readable, "session"),
        )
    )


def _word_matches(word: str) -> Q:
    return (
        Q(paper__title__icontains=word)
        | Q(paper__arxiv_id__icontains=word)
        | Q(paper__authors__any_item_icontains=word)
        | Q(paper__ai_keywords__any_item_icontains=word)
    )


def history_search(
    sessions: QuerySet[DiscussionSession], wanted: HistoryFilter
) -> QuerySet[DiscussionSession]:
    """The sessions that match: every word of `q` in the title, arXiv id, an author or a keyword;
    started in `year` (in the current time zone, the viewer's); an author, a keyword containing
    `author`, `keyword`."""
    for word in wanted.q.split()[:MAX_WORDS]:
        sessions = sessions.filter(_word_matches(word))
    if wanted.year:
        sessions = sessions.filter(starts_at__year=wanted.year)
    if wanted.author:
        sessions = sessions.filter(paper__authors__any_item_icontains=wanted.author)
    if wanted.keyword:
        sessions = sessions.filter(paper__ai_keywords__any_item_icontains=wanted.keyword)
    return sessions


def history_years(group: ReadingGroup) -> list[int]:
    """The years (in the viewer's time zone) the group held sessions in, latest first. One query."""
    starts: list[datetime] = list(
        DiscussionSession.objects.filter(group=group).past().datetimes("starts_at", "year", "DESC")
    )
    return [start.year for start in starts]
