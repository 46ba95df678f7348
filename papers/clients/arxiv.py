"""arXiv's query API (Atom): papers by id and the newest papers of a category.

arXiv asks API clients for at most one request every three seconds; the client waits its turn.
A client for a page a person waits on (`interactive=True`) tries once, for at most
PAPERS_INTERACTIVE_TIMEOUT seconds per step of the request.
"""

import httpx
from django.conf import settings

from papers.clients.http import HttpClient, Sleep, SourceError
from papers.parsing import ParsedDocument, RecordError, atom_error, atom_root, parse_atom

QUERY_URL = "https://export.arxiv.org/api/query"
IDS_PER_REQUEST = 100


def explain(response: httpx.Response) -> str | None:
    """The text of the error entry arXiv refuses a request with (a 400 carries one)."""
    try:
        return atom_error(atom_root(response.content))
    except SourceError:
        return None


class ArxivClient:
    def __init__(
        self,
        *,
        interactive: bool = False,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep | None = None,
    ):
        self.http = HttpClient(
            name="arXiv",
            transport=transport,
            min_interval=settings.PAPERS_ARXIV_MIN_INTERVAL,
            timeout=settings.PAPERS_INTERACTIVE_TIMEOUT if interactive else 30.0,
            attempts=1 if interactive else 4,
            sleep=sleep,
            explain=explain,
        )

    def by_ids(self, arxiv_ids: list[str]) -> ParsedDocument:
        """The papers of `arxiv_ids` (without versions). An id arXiv does not answer for is a
        skipped record, "arXiv has no paper <id>": arXiv answers an id it does not know with
        an empty feed, not an error."""
        document = ParsedDocument()
        for start in range(0, len(arxiv_ids), IDS_PER_REQUEST):
            chunk = arxiv_ids[start : start + IDS_PER_REQUEST]
            response = self.http.get(
                QUERY_URL, params={"id_list": ",".join(chunk), "max_results": len(chunk)}
            )
            parsed = parse_atom(response.content)
            document.records.extend(parsed.records)
            document.errors.extend(parsed.errors)
            answered = {record.arxiv_id for record in parsed.records}
            said = " ".join(error.reason for error in parsed.errors)
            document.errors.extend(
                RecordError(arxiv_id, f"arXiv has no paper {arxiv_id}")
                for arxiv_id in chunk
                if arxiv_id not in answered and arxiv_id not in said
            )
        return document

    def category(self, category: str, *, max_results: int = 100) -> ParsedDocument:
        """The newest `max_results` submissions in a category such as cs.CL."""
        response = self.http.get(
            QUERY_URL,
            params={
                "search_query": f"cat:{category}",
                "sortBy": "submittedDate",
                "sortOrder": "descending",
                "max_results": max_results,
            },
        )
        return parse_atom(response.content)
