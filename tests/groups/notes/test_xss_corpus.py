"""Every payload of two public XSS lists, posted as a note, must come out inert."""

from html.parser import HTMLParser

import pytest

from groups.notes.markdown import render_markdown
from tests.shared import shared_file

BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class Audit(HTMLParser):
    """Collects every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "iframe", "object", "embed", "svg", "math", "img", "link",
                   "meta", "base", "form", "input", "frame", "frameset", "applet", "xss"}:  # fmt: skip
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}")
            if name == "style":
                self.problems.append("style attribute")
            compact = "".join((value or "").split()).lower()
            is_url = name in {"href", "src", "action", "formaction", "background", "lowsrc"}
            if is_url and (
                compact.startswith(BAD_SCHEMES)
                or not compact.startswith(("http:", "https:", "mailto:", "/"))
                or compact.startswith("//")
            ):
                self.problems.append(f"{name}={value!r}")


def payloads(name: str) -> list[str]:
    text = shared_file("fixtures", "xss", name).read_bytes().decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 50
    return lines


@pytest.mark.parametrize("name", ["IntrudersXSS.txt", "RSNAKE_XSS.txt"])
def test_it_renders_every_payload_inert(name: str) -> None:
    failures = []
    for line in payloads(name):
        # Each payload alone, inside a link, and as a mention-laden paragraph.
        for body in (line, f"[click]({line})", f"> {line}\n\n- {line}\n\n`{line}` $ {line} $"):
            out = render_markdown(body, mentionable={"ada": "ada"}, mention_url=lambda h: "/m").html
            audit = Audit()
            audit.feed(out)
            audit.close()
            if "<script" in out.lower() or audit.problems:
                failures.append((body, out, audit.problems))
    assert failures == []
