"""Pure functions from source documents to normalised paper records. No database, no network.

A document that cannot be read at all (malformed JSON, an HTML error page, an empty body, the
wrong shape) raises SourceError: the whole run fails and nothing is written. One bad record
inside a good document becomes a RecordError: that record is skipped, with its reason.
"""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from papers.clients.http import SourceError

NEW_ID = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}"
ID_RE = re.compile(rf"(?P<id>{NEW_ID}|{OLD_ID})(?:v(?P<version>\d{{1,3}}))?")
ID_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "huggingface.co", "hf.co"}
ID_PATH_RE = re.compile(r"/(?:abs|pdf|html|papers)/(?P<rest>.+?)(?:\.pdf)?/?$")

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

# Paper fields an import may set; which of them a record carries depends on its source.
TITLE_MAX = 1000
URL_MAX = 500
ORG_MAX = 300


@dataclass
class PaperRecord:
    """One paper as a source describes it: only the fields that source knows."""

    arxiv_id: str
    fields: dict[str, Any]
    day: dt.date | None = None


@dataclass
class RecordError:
    """A record that cannot be imported, and why."""

    record_id: str
    reason: str


@dataclass
class ParsedDocument:
    records: list[PaperRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def split_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """(id without version, version or None) from an id, "arXiv:" id or arXiv/HF URL."""
    text = text.strip()
    if text.lower().startswith("arxiv:"):
        text = text[len("arxiv:") :].strip()
    if "://" in text or text.startswith(("arxiv.org/", "www.arxiv.org/", "huggingface.co/")):
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.scheme not in {"http", "https"} or (parts.hostname or "") not in ID_HOSTS:
            return None
        path_match = ID_PATH_RE.match(parts.path)
        if not path_match:
            return None
        text = path_match.group("rest")
    match = ID_RE.fullmatch(text)
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def parse_arxiv_id(text: str) -> str | None:
    """The arXiv id (without version) in an id, "arXiv:" id or arXiv/HF URL, else None.

    Accepts new-style ids (2606.12345, 0704.0001v2) and old-style ones (hep-th/9901001).
    """
    parsed = split_arxiv_id(text)
    return parsed[0] if parsed else None


def clean_text(value: Any, *, limit: int | None = None) -> str:
    """Whitespace collapsed to single spaces (titles arrive with line breaks)."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text[:limit] if limit else text


def clean_url(value: Any) -> str:
    """An http(s) URL or "": never a javascript: or data: link in our pages."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > URL_MAX:
        return ""
    return value


def _int(value: Any, default: int | None = 0) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _strings(values: Any, *, limit: int = 300) -> list[str]:
    if not isinstance(values, list):
        return []
    return [text for value in values if (text := clean_text(value, limit=limit))]


def _checked_id(raw: Any) -> tuple[str, int | None] | RecordError:
    raw_text = str(raw).strip() if isinstance(raw, str | int | float) else ""
    if not raw_text:
        return RecordError("", "no arXiv id")
    parsed = split_arxiv_id(raw_text)
    if not parsed:
        return RecordError(raw_text[:200], f"not an arXiv id: {raw_text[:80]!r}")
    return parsed


def hf_item_to_record(item: Any, *, day: dt.date | None = None) -> PaperRecord | RecordError:
    """A Hugging Face daily-papers item (or a /api/papers/{id} answer) as a record.

    Field notes: `upvotes` is inside `paper`, `numComments` at the top level; the optional
    fields come and go, and older answers lack several of them. Unknown fields are ignored.
    """
    if not isinstance(item, dict):
        return RecordError("", "not a JSON object")
    paper: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    checked = _checked_id(paper.get("id"))
    if isinstance(checked, RecordError):
        return checked
    arxiv_id, _version = checked
    title = clean_text(paper.get("title") or item.get("title"), limit=TITLE_MAX)
    if not title:
        return RecordError(arxiv_id, "no title")
    authors = [
        name
        for author in paper.get("authors") or []
        if isinstance(author, dict) and (name := clean_text(author.get("name"), limit=300))
    ]
    organization = paper.get("organization") or item.get("organization")
    org_name = ""
    if isinstance(organization, dict):
        org_name = clean_text(organization.get("fullname") or organization.get("name"))
    thumbnail = clean_url(item.get("thumbnail"))
    fields: dict[str, Any] = {
        "title": title,
        "abstract": clean_text(paper.get("summary") or item.get("summary")),
        "authors": authors,
        "published_at": _datetime(paper.get("publishedAt") or item.get("publishedAt")),
        "upvotes": _int(paper.get("upvotes")),
        "github_repo": clean_url(paper.get("githubRepo")),
        "github_stars": _int(paper.get("githubStars"), default=None),
        "project_page": clean_url(paper.get("projectPage")),
        "ai_summary": clean_text(paper.get("ai_summary")),
        "ai_keywords": _strings(paper.get("ai_keywords")),
        "organization": org_name[:ORG_MAX],
    }
    # Only the daily list carries these; the single-paper API would blank them otherwise.
    if "numComments" in item:
        fields["num_comments"] = _int(item.get("numComments"))
    if thumbnail:
        fields["thumbnail_url"] = thumbnail
    listed_on = _datetime(paper.get("submittedOnDailyAt"))
    return PaperRecord(arxiv_id, fields, day=day or (listed_on.date() if listed_on else None))


def parse_hf_json(body: bytes | str, *, day: dt.date | None = None) -> ParsedDocument:
    """A Hugging Face daily-papers answer (a JSON list) as records and skipped records."""
    items = _json_list(body, source="Hugging Face")
    document = ParsedDocument()
    for item in items:
        result = hf_item_to_record(item, day=day)
        if isinstance(result, RecordError):
            document.errors.append(result)
        else:
            document.records.append(result)
    return document


def _json_list(body: bytes | str, *, source: str) -> list[Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if not text.strip():
        raise SourceError(f"{source} sent an empty body")
    if text.lstrip()[:1] == "<":
        raise SourceError(f"{source} sent HTML or XML, not JSON: {_snippet(text)}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{source} sent malformed JSON ({exc})") from exc
    if not isinstance(data, list):
        hint = f": {data['error']}" if isinstance(data, dict) and "error" in data else ""
        raise SourceError(f"{source} sent a JSON {type(data).__name__}, not a list{hint}")
    return data


def _snippet(text: str) -> str:
    return " ".join(text.split())[:120]


def atom_entry_to_record(entry: ET.Element) -> PaperRecord | RecordError:
    """An arXiv Atom <entry> as a record (arXiv knows no upvotes or AI summary)."""
    checked = _checked_id(entry.findtext(f"{ATOM}id") or "")
    if isinstance(checked, RecordError):
        return checked
    arxiv_id, version = checked
    title = clean_text(entry.findtext(f"{ATOM}title"), limit=TITLE_MAX)
    if not title:
        return RecordError(arxiv_id, "no title")
    comment = entry.findtext(f"{ARXIV}comment") or ""
    categories = [
        term for cat in entry.findall(f"{ATOM}category") if (term := cat.get("term", "").strip())
    ]
    primary = entry.find(f"{ARXIV}primary_category")
    if primary is not None and primary.get("term") in categories:
        # The primary category first, as arXiv lists it.
        categories.remove(primary.get("term", ""))
        categories.insert(0, primary.get("term", ""))
    fields: dict[str, Any] = {
        "title": title,
        "abstract": clean_text(entry.findtext(f"{ATOM}summary")),
        "authors": [
            name
            for author in entry.findall(f"{ATOM}author")
            if (name := clean_text(author.findtext(f"{ATOM}name"), limit=300))
        ],
        "published_at": _datetime(entry.findtext(f"{ATOM}published")),
        "categories": categories,
        "withdrawn": "withdrawn" in comment.lower(),
    }
    if version:
        fields["latest_version"] = version
    return PaperRecord(arxiv_id, fields)


def parse_atom(body: bytes | str) -> ParsedDocument:
    """An arXiv query API answer (Atom) as records and skipped records."""
    raw = body.encode() if isinstance(body, str) else body
    if not raw.strip():
        raise SourceError("arXiv sent an empty body")
    try:
        root = ET.fromstring(raw)  # noqa: S314 see the import
    except ET.ParseError as exc:
        raise SourceError(f"arXiv sent malformed XML ({exc})") from exc
    if root.tag != f"{ATOM}feed":
        raise SourceError(f"arXiv sent XML that is not an Atom feed (<{root.tag}>)")
    document = ParsedDocument()
    for entry in root.findall(f"{ATOM}entry"):
        # The API answers an unknown id with one entry titled "Error".
        if (entry.findtext(f"{ATOM}title") or "").strip() == "Error":
            document.errors.append(
                RecordError("", f"arXiv error: {clean_text(entry.findtext(f'{ATOM}summary'))}")
            )
            continue
        result = atom_entry_to_record(entry)
        if isinstance(result, RecordError):
            document.errors.append(result)
        else:
            document.records.append(result)
    return document


def parse_saved_file(body: bytes) -> tuple[str, ParsedDocument]:
    """A saved Hugging Face JSON or arXiv Atom file, told apart by its content.

    Returns ("hf" or "arxiv", the parsed document).
    """
    start = body.lstrip()[:200]
    if start.startswith((b"<?xml", b"<feed")) or b"<feed" in start:
        return "arxiv", parse_atom(body)
    if start.startswith((b"[", b"{")):
        return "hf", parse_hf_json(body)
    if not start:
        raise SourceError("the file is empty")
    raise SourceError("the file is neither Hugging Face JSON nor an arXiv Atom feed")
