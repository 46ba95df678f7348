"""Pure functions from source documents to normalised paper records. No database, no network.

A document that cannot be read at all (malformed JSON, an HTML error page, an empty body, the
wrong shape) raises SourceError: the whole run fails and nothing is written. One bad record
inside a good document becomes a RecordError: that record is skipped, with its reason.
"""

import datetime as dt
import functools
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urlsplit

import msgspec

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


# Part of every digest: bump it when the reading of an item changes (a new rule, a new field),
# or a paper whose source item did not change would never be read with the new rules.
READER_VERSION = b"13."  # not bumped by the one-pass import digest: see _raw_digests


@dataclass
class RecordError:
    """A record that cannot be imported, and why."""

    record_id: str
    reason: str


class PaperRecord:
    """One paper as a source describes it: only the fields that source knows.

    `digest` names what the source sent for the paper (see `item_digest`): the write knows a
    paper unchanged when its stored digest is the same, without reading or comparing anything.
    A record of a Hugging Face list is *deferred*: its id, day and digest are read at once, its
    fields only when asked for (`resolve()`, `fields`), so an unchanged item is never read.
    """

    __slots__ = (
        "_content",
        "_counters",
        "_digest",
        "_error",
        "_fields",
        "_item",
        "arxiv_id",
        "day",
    )

    def __init__(
        self,
        arxiv_id: str,
        fields: dict[str, Any] | None = None,
        day: dt.date | None = None,
        *,
        digest: str = "",
        item: Any = None,
        counters: dict[str, int] | None = None,
    ) -> None:
        self.arxiv_id = arxiv_id
        self.day = day
        self._digest = digest
        self._fields = fields
        self._item = item  # the source item: a dict, or its raw JSON (bytes or msgspec.Raw)
        self._counters = counters
        self._content: str | None = None
        self._error: RecordError | None = None

    def resolve(self) -> RecordError | None:
        """Reads the fields of a deferred record; the error when its item cannot be used."""
        if self._fields is None and self._error is None:
            item = self._item
            if isinstance(item, bytes | msgspec.Raw):
                try:
                    item = _ITEM.decode(item)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    item = None
            built = hf_item_fields(item, arxiv_id=self.arxiv_id)
            if isinstance(built, RecordError):
                self._error = RecordError(built.record_id or self.arxiv_id, built.reason)
            else:
                self._fields = built
        return self._error

    @property
    def digest(self) -> str:
        """The digest of the source item ("" for a record built from fields, until set)."""
        if not self._digest and isinstance(self._item, bytes | msgspec.Raw):
            # When first asked (while COPY writes): with the content digest, in one pass.
            self._content, self._digest = _raw_digests(self._item)
        return self._digest

    @digest.setter
    def digest(self, value: str) -> None:
        self._digest = value

    def counters(self) -> dict[str, int]:
        """The counts the record carries (upvotes, num_comments, github_stars), read without
        reading the rest of a deferred record."""
        if self._counters is None or self._fields is not None:
            return {
                name: value for name in COUNTERS if (value := self.fields.get(name)) is not None
            }
        return self._counters

    def content_digest(self) -> str:
        """A digest of what the record says less its counts: the same when only counts moved.

        Of the raw item with its counts taken out, for a deferred record (no need to read it);
        of the fields less the counts otherwise."""
        if self._content is None:
            item = self._item
            if isinstance(item, bytes | msgspec.Raw):
                self._content, self._digest = _raw_digests(item)
            else:
                self._content = fields_digest(self.fields, leave_out=COUNTERS)
        return self._content

    @property
    def fields(self) -> dict[str, Any]:
        error = self.resolve()
        if error is not None:
            raise ValueError(f"{self.arxiv_id}: {error.reason}")
        assert self._fields is not None
        return self._fields

    @fields.setter
    def fields(self, value: dict[str, Any]) -> None:
        self._fields, self._error, self._item = value, None, None

    def __repr__(self) -> str:
        return f"PaperRecord({self.arxiv_id!r}, day={self.day!r})"


# The fields that are counts: a re-import where only they moved writes only them.
COUNTERS = frozenset({"upvotes", "num_comments", "github_stars"})
# A count's key and its value, in a Hugging Face item's JSON (the value is group 1). Such a key
# can only be a key: a string inside a value cannot hold an unescaped quote.
COUNTER_VALUE = re.compile(
    rb'"(?:upvotes|numComments|githubStars)"[ \t\r\n]*:[ \t\r\n]*([-+0-9.eE]*)'
)


def _digest(*parts: bytes | memoryview) -> str:
    # SHA-256 (hardware-accelerated on most machines), cut to 32 hex digits.
    digest = hashlib.sha256(READER_VERSION)
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:32]


def _raw_digests(item: bytes | msgspec.Raw) -> tuple[str, str]:
    """An item's raw JSON's two digests, hashing it once: of the JSON with the counts' values
    left out (the content: the same when only counts moved), and of the whole item (the import
    digest: of the content digest and the counts' values as the JSON writes them, in order, which
    tell apart any two items the whole JSON would). A memoryview's slices copy nothing."""
    raw = memoryview(item)
    content = hashlib.sha256(READER_VERSION)
    values = []
    position = 0
    for match in COUNTER_VALUE.finditer(raw):
        start, end = match.span(1)
        content.update(raw[position:start])
        values.append(match[1])
        position = end
    content.update(raw[position:])
    content_digest = content.hexdigest()[:32]
    return content_digest, _digest(b"raw:", content_digest.encode(), b"|", b"|".join(values))


def fields_digest(fields: dict[str, Any], *, leave_out: frozenset[str] = frozenset()) -> str:
    """A digest of a record's fields (and which it has), less `leave_out`."""
    kept = {name: value for name, value in fields.items() if name not in leave_out}
    try:
        data = msgspec.json.encode(kept, order="sorted")
    except (TypeError, ValueError, OverflowError):
        data = json.dumps(kept, sort_keys=True, default=str).encode()
    return _digest(data)


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


# Characters PostgreSQL refuses (NUL) or that have no business in a title or abstract (the
# other C0 controls, DEL, and lone surrogates, which cannot be encoded as UTF-8). Removing them
# also keeps the search highlighter's markers (\x02, \x03) out of the stored text.
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The largest value of the counters' columns (IntegerField: a 32-bit signed integer).
COUNTER_MAX = 2**31 - 1
AUTHOR_MAX = 300


# The ASCII characters that are not printable: the C0 controls and DEL.
ASCII_CONTROLS = bytes(range(0x20)) + b"\x7f"


def _printable(text: str) -> bool:
    """str.isprintable(), faster for ASCII text (nearly all of an import's): bytes.translate
    drops the controls at C speed, where isprintable looks every character up in the Unicode
    tables (a third of the time spent cleaning a daily list's abstracts)."""
    if text.isascii():
        encoded = text.encode()
        return len(encoded.translate(None, ASCII_CONTROLS)) == len(encoded)
    return text.isprintable()


def clean_text(value: Any, *, limit: int | None = None) -> str:
    """Whitespace collapsed to single spaces (titles arrive with line breaks), without the
    characters a database refuses (NUL) or a page should never show (control characters)."""
    if not isinstance(value, str):
        return ""
    if value.isascii():  # _printable, written out: this runs for every text of an import
        encoded = value.encode()
        printable = len(encoded.translate(None, ASCII_CONTROLS)) == len(encoded)
    else:
        printable = value.isprintable()
    if printable and "  " not in value and value[:1] != " " and value[-1:] != " ":
        text = value  # the usual case, at C speed: nothing to remove or collapse
    else:
        text = " ".join(UNWANTED.sub("", value).split())
    return text[:limit] if limit else text


# Most links: http(s), a host name, then printable ASCII without spaces (fast to accept).
PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][!-~]*)?")


def clean_url(value: Any) -> str:
    """An http(s) URL or "": never a javascript: or data: link in our pages."""
    if not isinstance(value, str):
        return ""
    if len(value) <= URL_MAX and PLAIN_URL.fullmatch(value):
        return value
    value = UNWANTED.sub("", value).strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > URL_MAX:
        return ""
    return value


def _int(value: Any, default: int | None = 0) -> int | None:
    """A count, clamped to what the column holds (0 to COUNTER_MAX); `default` when none."""
    if type(value) is int and 0 <= value <= COUNTER_MAX:
        return value
    if isinstance(value, bool):
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int):
        return min(max(value, 0), COUNTER_MAX)
    return default


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return _datetime_text(value)


@functools.lru_cache(maxsize=4096)
def _datetime_text(value: str) -> dt.datetime | None:
    # Cached: a daily list names the same few days for all its papers (datetimes are immutable).
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _plain(values: list[Any], limit: int) -> bool:
    """Whether `values` are strings clean_text keeps as they are, none empty or longer than
    `limit`: one check for the whole list (the usual case), "|" between them for it."""
    try:
        joined = "|".join(values)
    except TypeError:  # not all of them strings
        return False
    return (
        _printable(joined)
        and "  " not in joined
        and " |" not in joined
        and "| " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
        and all(values)
        and (len(joined) <= limit or max(map(len, values)) <= limit)
    )


def _strings(values: Any, *, limit: int = 300) -> list[str] | None:
    """The non-empty strings of a list, cleaned; None (unknown) when it is no list."""
    if not isinstance(values, list):
        return None
    if values and _plain(values, limit):
        return list(values)
    return [text for value in values if (text := clean_text(value, limit=limit))]


def _author_name(author: Any) -> str:
    if isinstance(author, str):
        return clean_text(author, limit=AUTHOR_MAX)
    if isinstance(author, dict):
        user: dict[str, Any] = author["user"] if isinstance(author.get("user"), dict) else {}
        for name in (author.get("name"), author.get("fullname"), user.get("fullname")):
            if text := clean_text(name, limit=AUTHOR_MAX):
                return text
    return ""


def _authors(value: Any) -> list[str] | RecordError:
    """Author names from every shape the API has sent: objects with a name (today), plain
    strings (older answers), or one string of names separated by commas."""
    if isinstance(value, str):
        value = [name for part in value.split(",") if (name := part.strip())]
    if not isinstance(value, list):
        return RecordError("", f"authors in a shape Paper Club cannot read: {type(value).__name__}")
    try:  # objects with a name (today's shape; a string or a list here has no "name")
        given = [author["name"] for author in value]
    except (TypeError, KeyError):
        given = []
    if given:
        if _plain(given, AUTHOR_MAX):
            return given
        if all(type(name) is str and name for name in given):
            return _strings(given, limit=AUTHOR_MAX) or []
    names = [name for author in value if (name := _author_name(author))]
    if value and not names:
        return RecordError("", "authors in a shape Paper Club cannot read: no names in them")
    return names


def _checked_id(raw: Any) -> tuple[str, int | None] | RecordError:
    raw_text = clean_text(str(raw)) if isinstance(raw, str | int | float) else ""
    if not raw_text:
        return RecordError("", "no arXiv id")
    parsed = split_arxiv_id(raw_text)
    if not parsed:
        return RecordError(raw_text[:200], f"not an arXiv id: {raw_text[:80]!r}")
    return parsed


def _given(key: str, *places: dict[str, Any]) -> Any:
    """The first value of `key` that is not null in `places`, else None (unknown)."""
    for place in places:
        value = place.get(key)
        if value is not None:
            return value
    return None


def hf_item_to_record(
    item: Any, *, day: dt.date | None = None, arxiv_id: str | None = None
) -> PaperRecord | RecordError:
    """A Hugging Face daily-papers item (or a /api/papers/{id} answer) as a record.

    Field notes: `upvotes` is inside `paper`, `numComments` at the top level; the optional
    fields come and go between days and schema versions. The rule for every field:

    - an absent key, or a key whose value is null, means "unknown": the field is left out of
      the record, so the stored value stays (older answers lack keys; null is how the API says
      "not computed yet", e.g. an AI summary still pending);
    - an empty value ("" or []) is the source saying "none": it is stored;
    - a value that cannot be used (a link that is not http(s), a count that is no number) is
      unknown too: never stored, never erasing what was.

    Unknown fields are ignored. A record without id or title is an error; so are authors in
    a shape that has no names in it. `arxiv_id`, when given, is the id already read from this
    very item (a deferred record's): it is not read again.
    """
    if not isinstance(item, dict):
        return RecordError("", "not a JSON object")
    paper: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    if arxiv_id is None:  # else read from this very item already (a deferred record)
        checked = _checked_id(paper.get("id"))
        if isinstance(checked, RecordError):
            return checked
        arxiv_id = checked[0]
    fields = hf_item_fields(item, arxiv_id=arxiv_id)
    if isinstance(fields, RecordError):
        return fields
    if day is None:
        listed_on = _datetime(paper.get("submittedOnDailyAt"))
        day = listed_on.date() if listed_on else None
    return PaperRecord(arxiv_id, fields, day=day)


def hf_item_fields(item: Any, *, arxiv_id: str) -> dict[str, Any] | RecordError:
    """The fields of the Hugging Face item of `arxiv_id` (its id already read), as
    `hf_item_to_record` reads them: a deferred record's, when they are needed."""
    if not isinstance(item, dict):
        return RecordError("", "not a JSON object")
    paper: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    # Written out rather than looped over a table of fields: this runs for every new or
    # changed paper of an import (bench/papers.py).
    in_paper, in_item = paper.get, item.get
    value = in_paper("title")
    title = clean_text(in_item("title") if value is None else value, limit=TITLE_MAX)
    if not title:
        return RecordError(arxiv_id, "no title")
    fields: dict[str, Any] = {"title": title}
    value = in_paper("summary")
    if value is None:
        value = in_item("summary")
    if isinstance(value, str):
        fields["abstract"] = clean_text(value)
    value = in_paper("authors")
    if value is None:
        value = in_item("authors")
    if value is not None:
        names = _authors(value)
        if isinstance(names, RecordError):
            return RecordError(arxiv_id, names.reason)
        fields["authors"] = names
    value = in_paper("publishedAt")
    if published := _datetime(in_item("publishedAt") if value is None else value):
        fields["published_at"] = published
    for name, value in (
        ("upvotes", in_paper("upvotes")),
        # Only the daily list carries the comment count, at its top level.
        ("num_comments", in_item("numComments")),
        ("github_stars", in_paper("githubStars")),
    ):
        if value is not None and (number := _int(value, default=None)) is not None:
            fields[name] = number
    for name, value in (
        ("github_repo", in_paper("githubRepo")),
        ("project_page", in_paper("projectPage")),
        ("thumbnail_url", in_item("thumbnail")),
    ):
        if isinstance(value, str) and ((link := clean_url(value)) or not value.strip()):
            fields[name] = link
    value = in_paper("ai_summary")
    if isinstance(value, str):
        fields["ai_summary"] = clean_text(value)
    value = in_paper("ai_keywords")
    if value is not None and (keywords := _strings(value)) is not None:
        fields["ai_keywords"] = keywords
    organization = in_paper("organization")
    if organization is None:
        organization = in_item("organization")
    if isinstance(organization, dict):
        organization = _given("fullname", organization) or _given("name", organization)
    if isinstance(organization, str):
        fields["organization"] = clean_text(organization, limit=ORG_MAX)
    return fields


# Where a document came from, for its error messages: "Hugging Face sent malformed JSON" for an
# answer, "papers.json holds malformed JSON" for a saved file.
@dataclass(frozen=True)
class Origin:
    name: str
    is_file: bool = False

    def says(self, what: str) -> str:
        return f"{self.name} {'holds' if self.is_file else 'sent'} {what}"


HUGGING_FACE = Origin("Hugging Face")
ARXIV_API = Origin("arXiv")


class _PaperKeys(msgspec.Struct):
    """What is read of a daily item's paper at once; everything else is skipped unread."""

    id: Any = None
    submittedOnDailyAt: Any = None
    upvotes: Any = None
    githubStars: Any = None


class _ItemKeys(msgspec.Struct):
    paper: _PaperKeys | None = None
    numComments: Any = None


class _PaperRead(TypedDict, total=False):
    """What hf_item_to_record reads of a paper (other keys are skipped unread)."""

    id: Any
    title: Any
    summary: Any
    authors: Any
    publishedAt: Any
    submittedOnDailyAt: Any
    upvotes: Any
    githubRepo: Any
    githubStars: Any
    projectPage: Any
    ai_summary: Any
    ai_keywords: Any
    organization: Any


class _ItemRead(_PaperRead, total=False):
    paper: _PaperRead
    numComments: Any
    thumbnail: Any


_RAW_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])
_ITEM_KEYS = msgspec.json.Decoder(_ItemKeys)
_ITEM = msgspec.json.Decoder(_ItemRead)


def _deferred(
    arxiv_raw: Any, listed: Any, day: dt.date | None, *, digest: str, item: Any, counters: Any
) -> PaperRecord | RecordError:
    checked = _checked_id(arxiv_raw)
    if isinstance(checked, RecordError):
        return checked
    listed_on = _datetime(listed) if day is None else None
    return PaperRecord(
        checked[0],
        day=day or (listed_on.date() if listed_on else None),
        digest=digest,
        item=item,
        counters=counters,
    )


def hf_raw_item_deferred(
    raw: bytes | msgspec.Raw, *, day: dt.date | None = None
) -> PaperRecord | RecordError:
    """A daily-papers item, as its raw JSON, as a deferred record: its id, day, counts and
    digest only (see PaperRecord); `hf_item_to_record` reads the rest when it is needed."""
    try:
        keys = _ITEM_KEYS.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        keys = None
    if keys is None or keys.paper is None:
        # Not the daily list's usual shape: read it whole, the slow way.
        try:
            item = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return RecordError("", "malformed JSON")
        return hf_item_deferred(item, day=day)
    paper = keys.paper
    counters = {
        name: number
        for name, value in (
            ("upvotes", paper.upvotes),
            ("github_stars", paper.githubStars),
            ("num_comments", keys.numComments),
        )
        if (number := _int(value, default=None)) is not None
    }
    return _deferred(
        paper.id,
        paper.submittedOnDailyAt,
        day,
        digest="",  # of the raw item, when first asked for (PaperRecord.digest)
        item=raw,  # not copied: a view of the document
        counters=counters,
    )


def hf_item_deferred(item: Any, *, day: dt.date | None = None) -> PaperRecord | RecordError:
    """A daily-papers item (parsed) as a deferred record, as `hf_raw_item_deferred`."""
    if not isinstance(item, dict):
        return RecordError("", "not a JSON object")
    paper: dict[str, Any] = item["paper"] if isinstance(item.get("paper"), dict) else item
    try:
        data = msgspec.json.encode(item)
    except (TypeError, ValueError, OverflowError):  # lone surrogates, say
        data = json.dumps(item, default=str).encode()
    return _deferred(
        paper.get("id"),
        paper.get("submittedOnDailyAt"),
        day,
        digest=_digest(data),
        item=item,
        counters=None,
    )


def parse_hf_json(
    body: bytes | str, *, day: dt.date | None = None, origin: Origin = HUGGING_FACE
) -> ParsedDocument:
    """A Hugging Face daily-papers answer (a JSON list) as records and skipped records.

    The records are deferred: an item whose fields cannot be used (no title, say) is found
    when they are read, and skipped then with its reason. The list is split into its items'
    raw JSON without reading them (msgspec); anything unusual (not a list, malformed JSON,
    what msgspec refuses) is read by the standard library instead, which also words the error.
    """
    raw_body = body.encode() if isinstance(body, str) else body
    raw_body = raw_body.removeprefix(b"\xef\xbb\xbf")
    document = ParsedDocument()
    try:
        raws: list[Any] | None = _RAW_ITEMS.decode(raw_body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raws = None
    if raws is not None:
        results = [hf_raw_item_deferred(raw, day=day) for raw in raws]
    else:
        results = [hf_item_deferred(item, day=day) for item in _json_list(body, origin=origin)]
    for result in results:
        if isinstance(result, RecordError):
            document.errors.append(result)
        else:
            document.records.append(result)
    return document


def _json_list(body: bytes | str, *, origin: Origin) -> list[Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(origin.says("an empty body"))
    if text.lstrip()[:1] == "<":
        raise SourceError(origin.says(f"HTML or XML, not JSON: {_snippet(text)}"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(origin.says(f"malformed JSON ({exc})")) from exc
    if not isinstance(data, list):
        hint = f": {data['error']}" if isinstance(data, dict) and "error" in data else ""
        raise SourceError(origin.says(f"a JSON {type(data).__name__}, not a list{hint}"))
    return data


def _snippet(text: str) -> str:
    return " ".join(text.split())[:120]


def atom_entry_to_record(entry: ET.Element) -> PaperRecord | RecordError:
    """An arXiv Atom <entry> as a record (arXiv knows no upvotes or AI summary).

    As for Hugging Face, an element that is absent leaves the stored field alone.
    """
    checked = _checked_id(entry.findtext(f"{ATOM}id") or "")
    if isinstance(checked, RecordError):
        return checked
    arxiv_id, version = checked
    title = clean_text(entry.findtext(f"{ATOM}title"), limit=TITLE_MAX)
    if not title:
        return RecordError(arxiv_id, "no title")
    fields: dict[str, Any] = {"title": title}
    summary = entry.findtext(f"{ATOM}summary")
    if summary is not None:
        fields["abstract"] = clean_text(summary)
    authors = [
        name
        for author in entry.findall(f"{ATOM}author")
        if (name := clean_text(author.findtext(f"{ATOM}name"), limit=AUTHOR_MAX))
    ]
    if authors:
        fields["authors"] = authors
    if published := _datetime(entry.findtext(f"{ATOM}published")):
        fields["published_at"] = published
    categories = [
        term for cat in entry.findall(f"{ATOM}category") if (term := cat.get("term", "").strip())
    ]
    primary = entry.find(f"{ARXIV}primary_category")
    if primary is not None and primary.get("term") in categories:
        # The primary category first, as arXiv lists it.
        categories.remove(primary.get("term", ""))
        categories.insert(0, primary.get("term", ""))
    if categories:
        fields["categories"] = categories
    comment = entry.findtext(f"{ARXIV}comment")
    if comment is not None:
        fields["withdrawn"] = "withdrawn" in comment.lower()
    if version:
        fields["latest_version"] = min(version, 32767)
    return PaperRecord(arxiv_id, fields)


def atom_error(root: ET.Element) -> str | None:
    """The text of the error entry arXiv answers a request it refuses with, if any.

    arXiv says what was wrong in an <entry> titled "Error" (with a 400 status, or a 200 in
    older answers), e.g. "incorrect id format for 1234.5".
    """
    for entry in root.findall(f"{ATOM}entry"):
        if clean_text(entry.findtext(f"{ATOM}title")) == "Error":
            return clean_text(entry.findtext(f"{ATOM}summary")) or "an error without text"
    return None


def atom_root(body: bytes | str, *, origin: Origin = ARXIV_API) -> ET.Element:
    raw = body.encode() if isinstance(body, str) else body
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw.strip():
        raise SourceError(origin.says("an empty body"))
    try:
        root = ET.fromstring(raw)  # noqa: S314 see the import
    except ET.ParseError as exc:
        raise SourceError(origin.says(f"malformed XML ({exc})")) from exc
    if root.tag != f"{ATOM}feed":
        raise SourceError(origin.says(f"XML that is not an Atom feed (<{root.tag}>)"))
    return root


def parse_atom(body: bytes | str, *, origin: Origin = ARXIV_API) -> ParsedDocument:
    """An arXiv query API answer (Atom) as records and skipped records."""
    root = atom_root(body, origin=origin)
    document = ParsedDocument()
    for entry in root.findall(f"{ATOM}entry"):
        if clean_text(entry.findtext(f"{ATOM}title")) == "Error":
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


BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def parse_saved_file(
    body: bytes, *, name: str = "the file", day: dt.date | None = None
) -> tuple[str, ParsedDocument]:
    """A saved Hugging Face JSON or arXiv Atom file, told apart by its first character.

    A byte order mark is dropped first (a UTF-16 file is decoded). `name` names the file in
    the error messages; `day` puts a daily list's papers on that day's list. Returns ("hf" or
    "arxiv", the parsed document).
    """
    origin = Origin(name, is_file=True)
    for bom, encoding in BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            if encoding != "utf-8":
                body = body.decode(encoding, errors="replace").encode()
            break
    first = body.lstrip()[:1]
    if not first:
        raise SourceError(f"{name} is empty")
    if first in (b"[", b"{"):
        return "hf", parse_hf_json(body, day=day, origin=origin)
    if first == b"<":
        return "arxiv", parse_atom(body, origin=origin)
    raise SourceError(f"{name} is neither Hugging Face JSON nor an arXiv Atom feed")
