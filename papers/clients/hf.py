"""Hugging Face Daily Papers: the daily list of a day, page by page."""

import datetime as dt

import httpx
from django.conf import settings

from papers.clients.http import HttpClient, Sleep
from papers.parsing import ParsedDocument, parse_hf_json

BASE_URL = "https://huggingface.co"
MAX_PAGES = 50


class HuggingFaceClient:
    def __init__(self, *, transport: httpx.BaseTransport | None = None, sleep: Sleep | None = None):
        self.http = HttpClient(name="Hugging Face", transport=transport, sleep=sleep)
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
