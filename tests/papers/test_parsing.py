import copy
import datetime as dt

import pytest

from papers.clients.http import SourceError
from papers.parsing import (
    UNWANTED,
    PaperRecord,
    RecordError,
    clean_text,
    hf_item_to_record,
    hf_raw_item_deferred,
    parse_arxiv_id,
    parse_atom,
    parse_hf_json,
    parse_saved_file,
    split_arxiv_id,
)
from tests.papers.conftest import arxiv_feed, arxiv_fixture_path, hf_fixture_path, hf_items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2606.13392", "2606.13392"),
        ("2606.13392v3", "2606.13392"),
        ("  arXiv:2606.13392v2 ", "2606.13392"),
        ("0704.0001", "0704.0001"),
        ("1501.0001", "1501.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("https://arxiv.org/abs/2606.13392", "2606.13392"),
        ("http://arxiv.org/abs/2606.13392v1", "2606.13392"),
        ("https://arxiv.org/pdf/2606.13392v2.pdf", "2606.13392"),
        ("https://arxiv.org/pdf/2606.13392", "2606.13392"),
        ("https://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("arxiv.org/abs/2606.13392", "2606.13392"),
        ("https://huggingface.co/papers/2606.13392", "2606.13392"),
    ],
)
def test_it_parses_arxiv_ids_and_urls(text: str, expected: str) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2606.123",  # too short
        "2613.12345",  # month 13
        "2606.123456",
        "https://example.org/abs/2606.13392",
        "javascript:alert(1)//2606.13392",
        "ftp://arxiv.org/abs/2606.13392",
        "HEP-TH/9901001",
        "2606.13392 extra",
    ],
)
def test_it_rejects_what_is_not_an_arxiv_id(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_it_keeps_the_version_apart() -> None:
    assert split_arxiv_id("2606.13392v12") == ("2606.13392", 12)
    assert split_arxiv_id("2606.13392") == ("2606.13392", None)


def test_it_normalises_a_daily_papers_item() -> None:
    item = next(i for i in hf_items() if i["paper"]["id"] == "2606.13392")
    record = hf_item_to_record(item)
    assert isinstance(record, PaperRecord)
    assert record.arxiv_id == "2606.13392"
    assert record.day == dt.date(2026, 6, 12)
    fields = record.fields
    assert fields["title"] == "MiniMax Sparse Attention"
    assert fields["upvotes"] == 103  # inside "paper"
    assert fields["num_comments"] == 4  # at the top level
    assert fields["github_repo"] == "https://github.com/MiniMax-AI/MSA"
    assert fields["github_stars"] == 251
    assert fields["organization"] == "MiniMax"
    assert fields["thumbnail_url"].startswith("https://cdn-thumbnails.huggingface.co/")
    assert fields["authors"] and all(isinstance(name, str) for name in fields["authors"])
    assert fields["published_at"].tzinfo is not None
    assert fields["ai_keywords"]


def test_it_collapses_line_breaks_in_titles() -> None:
    item = copy.deepcopy(hf_items()[0])
    item["paper"]["title"] = "On the Limits\n  of LLM\tAdaptability "
    record = hf_item_to_record(item)
    assert isinstance(record, PaperRecord)
    assert record.fields["title"] == "On the Limits of LLM Adaptability"


def test_it_removes_every_control_character_and_odd_space_from_ascii_and_other_text() -> None:
    # Plain text is accepted as it is by a quick check (ASCII and other text checked apart):
    # it must never let through what the full cleaning would remove or collapse.
    for code in [*range(0x80), 0x85, 0xA0, 0xAD, 0x2028, 0x202F, 0x3000, 0xD800, 0xE9, 0xFEFF]:
        char = chr(code)
        for text in (f"ab{char}cd", f"{char}ab", f"ab{char}", f"é {char}x"):
            expected = " ".join(UNWANTED.sub("", text).split())
            assert clean_text(text) == expected, (hex(code), text)
            item = copy.deepcopy(hf_items()[0])
            item["paper"]["ai_keywords"] = [text, "plain"]
            record = hf_item_to_record(item)
            assert isinstance(record, PaperRecord)
            assert record.fields["ai_keywords"] == [kept for kept in (expected, "plain") if kept]


def test_it_copes_with_older_answers_lacking_optional_fields() -> None:
    item = copy.deepcopy(hf_items()[1])
    for key in (
        "githubRepo",
        "githubStars",
        "projectPage",
        "organization",
        "ai_summary",
        "ai_keywords",
    ):
        item["paper"].pop(key, None)
    item.pop("organization", None)
    item.pop("thumbnail")
    item["somethingNew"] = {"ignored": True}
    record = hf_item_to_record(item)
    assert isinstance(record, PaperRecord)
    # Absent means unknown: left out, so a re-import keeps what was stored.
    for name in (
        "github_repo",
        "github_stars",
        "project_page",
        "organization",
        "ai_summary",
        "ai_keywords",
        "thumbnail_url",
    ):
        assert name not in record.fields


def test_it_drops_links_that_are_not_http() -> None:
    item = copy.deepcopy(hf_items()[1])
    item["paper"]["githubRepo"] = "javascript:alert(1)"
    item["paper"]["projectPage"] = "data:text/html,<script>alert(1)</script>"
    record = hf_item_to_record(item)
    assert isinstance(record, PaperRecord)
    # Never stored, and never erasing a good link stored before.
    assert "github_repo" not in record.fields
    assert "project_page" not in record.fields


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda item: item["paper"].pop("id"), "no arXiv id"),
        (lambda item: item["paper"].update(id="not-an-id"), "not an arXiv id"),
        (lambda item: (item["paper"].update(title="  "), item.update(title="")), "no title"),
    ],
)
def test_it_explains_a_bad_record(change, reason: str) -> None:
    item = copy.deepcopy(hf_items()[0])
    change(item)
    result = hf_item_to_record(item)
    assert isinstance(result, RecordError)
    assert result.reason.startswith(reason)


def test_it_parses_the_recorded_daily_list() -> None:
    document = parse_hf_json(hf_fixture_path().read_bytes())
    assert len(document.records) == 30
    assert document.errors == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b'[{"paper": ', "malformed JSON"),
        (b'{"error": "Invalid date"}', "not a list: Invalid date"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML"),
    ],
)
def test_it_refuses_a_document_it_cannot_read(body: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_hf_json(body)


def test_it_parses_the_recorded_arxiv_answer() -> None:
    document = parse_atom(arxiv_fixture_path().read_bytes())
    assert len(document.records) == 100
    first = document.records[0]
    assert first.arxiv_id == "2202.12139"
    assert first.fields["title"].startswith("Testing Deep Learning Models")
    assert first.fields["authors"] == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert first.fields["categories"] == ["cs.SE", "cs.LG"]
    assert first.fields["latest_version"] == 1
    assert first.day is None
    assert "upvotes" not in first.fields  # arXiv must not blank Hugging Face's counts
    ids = {record.arxiv_id for record in document.records}
    assert {"cs/0503050", "hep-ph/0301050", "gr-qc/0103067"} <= ids


def test_it_puts_the_primary_category_first() -> None:
    text = arxiv_feed(0).replace(
        '<arxiv:primary_category term="cs.SE"/>', '<arxiv:primary_category term="cs.LG"/>'
    )
    assert parse_atom(text).records[0].fields["categories"] == ["cs.LG", "cs.SE"]


def test_it_marks_withdrawn_papers() -> None:
    text = arxiv_feed(0).replace(
        "<arxiv:comment>Artificial", "<arxiv:comment>This paper has been withdrawn. Artificial"
    )
    assert parse_atom(text).records[0].fields["withdrawn"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"<feed><entry>", "malformed XML"),
        (b"<html></html>", "not an Atom feed"),
    ],
)
def test_it_refuses_a_feed_it_cannot_read(body: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_atom(body)


def test_it_tells_saved_files_apart_by_content() -> None:
    assert parse_saved_file(hf_fixture_path().read_bytes())[0] == "hf"
    assert parse_saved_file(arxiv_fixture_path().read_bytes())[0] == "arxiv"
    with pytest.raises(SourceError, match="neither"):
        parse_saved_file(b"title,abstract\n")


def _digests(raw: bytes) -> tuple[str, str]:
    record = hf_raw_item_deferred(raw)
    assert isinstance(record, PaperRecord)
    return record.content_digest(), record.digest


def test_the_content_digest_leaves_the_counts_out_and_the_import_digest_keeps_them() -> None:
    item = (
        b'{"paper": {"id": "2606.00001", "title": "A title: \\"upvotes\\": 3", "upvotes"%s: %s5,'
        b' "githubStars": null}, "numComments": 7}'
    )
    content, whole = _digests(item % (b"", b""))
    assert content != whole
    assert _digests(item % (b"", b"")) == (content, whole)  # the same item, the same digests
    # Only a count moved: the content is the same, not the item (with spaces around it too).
    moved_content, moved_whole = _digests(item.replace(b"5,", b"6,") % (b"", b""))
    assert moved_content == content and moved_whole != whole
    spaced = _digests(item % (b" ", b"\n "))
    assert _digests(item.replace(b"5,", b"6,") % (b" ", b"\n "))[0] == spaced[0]
    # Two counts' values swapped: the same content, another item.
    swapped = item.replace(b"5,", b"7,").replace(b'"numComments": 7', b'"numComments": 5')
    swapped_content, swapped_whole = _digests(swapped % (b"", b""))
    assert swapped_content == content and swapped_whole != whole
    # A count's key inside a string is text: changing it changes the content.
    retitled = item.replace(b'\\"upvotes\\": 3', b'\\"upvotes\\": 4')
    assert _digests(retitled % (b"", b""))[0] != content
