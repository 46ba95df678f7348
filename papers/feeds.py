"""An Atom feed of each day's papers (and of the latest day)."""

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from papers.models import DailyListing, Paper


class TextSummaryAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are plain text (`type="text"`).

    Django's Atom1Feed marks every summary `type="html"`, which tells a feed reader to render it as
    HTML. Abstracts and AI summaries are text imported from Hugging Face and arXiv, so an imported
    `<script>` would be markup there; as text, a reader shows it as written.
    """

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class DayFeed(Feed):
    feed_type = TextSummaryAtom1Feed

    def get_object(self, request: HttpRequest, day: str | None = None) -> dt.date:
        if day is None:
            latest = DailyListing.objects.order_by("-day").values_list("day", flat=True).first()
            if latest is None:
                raise Http404("No papers yet.")
            return latest
        try:
            return dt.date.fromisoformat(day)
        except ValueError as exc:
            raise Http404("Not a date.") from exc

    def title(self, obj: dt.date) -> str:
        return f"Daily papers, {obj:%B} {obj.day}, {obj.year} · {settings.SITE_NAME}"

    def link(self, obj: dt.date) -> str:
        return reverse("papers:day", kwargs={"day": obj.isoformat()})

    def subtitle(self, obj: dt.date) -> str:
        return "The papers on Hugging Face's daily list, most upvoted first."

    def items(self, obj: dt.date) -> list[Paper]:
        return list(Paper.objects.for_day(obj).cards().sorted_by("upvotes")[:100])

    def item_title(self, item: Paper) -> str:
        return item.title

    def item_description(self, item: Paper) -> str:
        return item.ai_summary or item.abstract

    def item_link(self, item: Paper) -> str:
        return reverse("papers:detail", kwargs={"arxiv_id": item.arxiv_id})

    def item_author_name(self, item: Paper) -> str:
        return item.short_authors

    def item_pubdate(self, item: Paper) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Paper) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Paper) -> list[str]:
        return list(item.ai_keywords[:8])
