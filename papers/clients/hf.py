"""Hugging Face: the daily list of a day, page by page, and one paper by its arXiv id."""

import datetime as dt
import json

import httpx
from django.conf import settings

from papers.clients.http import HttpClient, Sleep, SourceError
from papers.parsing import PaperRecord, ParsedDocument, hf_item_to_record, parse_hf_json

BASE_URL = "https://huggingface.co"
MAX_PAGES = 50


def explain(response: httpx.Response) -> str | None:
    """Hugging Face refuses with a JSON object such as {"error": "Invalid date"}."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    return str(data["error"])[:200] if isinstance(data, dict) and "error" in data else None


class HuggingFaceClient:
    def __init__(
        self,
        *,
        interactive: bool = False,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep | None = None,
    ):
        self.http = HttpClient(
            name="Hugging Face",
            transport=transport,
            sleep=sleep,
            explain=explain,
            timeout=settings.PAPERS_INTERACTIVE_TIMEOUT if interactive else 20.0,
            attempts=1 if interactive else 4,
        )
        self.page_size: int = settings.PAPERS_HF_PAGE_SIZE

    def daily_papers(self, day: dt.date) -> ParsedDocument:
        """Every paper listed on `day`: pages of `limit` until an empty page."""
        document = ParsedDocument()
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            response = self.http.get(
                f"{BASE_URL}/api/daily_papers",
                params={"date": day.isoformat(), "limit": self.page_size, "p": page},
            )
            parsed = parse_hf_json(response.content, day=day)
            fresh = [record for record in parsed.records if record.arxiv_id not in seen]
            document.records.extend(fresh)
            document.errors.extend(parsed.errors)
            seen.update(record.arxiv_id for record in fresh)
            # An empty page ends the list; a page of only repeats means paging is ignored.
            if (not parsed.records and not parsed.errors) or (parsed.records and not fresh):
                break
        return document

    def paper(self, arxiv_id: str) -> PaperRecord | None:
        """What Hugging Face knows of one paper (/api/papers/{id}: upvotes, AI summary and
        keywords, links), or None when it does not know the paper or does not answer.

        Never on a daily list: the record has no day.
        """
        try:
            response = self.http.get(f"{BASE_URL}/api/papers/{arxiv_id}")
            data = json.loads(response.content)
        except (SourceError, ValueError):
            return None
        record = hf_item_to_record(data)
        if not isinstance(record, PaperRecord) or record.arxiv_id != arxiv_id:
            return None
        record.day = None
        return record
