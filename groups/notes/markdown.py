"""Markdown for user-written text: render on the server, then sanitize with an allowlist.

`render_markdown()` is the only way user Markdown becomes HTML. Its output is safe to print with
`|safe` because nh3 (ammonia) has removed every tag, attribute, class and URL scheme that is not
on the allowlist below, *after* markdown-it produced it: even a bug in rendering or in a plugin
cannot let a script through.

Rendering: CommonMark with tables and strikethrough, raw HTML off (written HTML is shown as text),
math as `$...$` / `$$...$$` kept as escaped TeX in `<span class="math inline">` and
`<div class="math block">` for KaTeX to typeset in the browser (static/js/notes.js), and
`@handle` mentions of the people given in `mentionable` turned into links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin

# Handles follow Django's username rules (letters, digits and @.+-_); a trailing dot is
# punctuation ("thanks @ada."), so it is not part of the handle.
MENTION_RE = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")
_MENTION_AT_RE = re.compile(r"@([\w.+-]*[\w+-])")

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {
    "span": {"math", "inline", "block", "mention"},
    "div": {"math", "block"},
    "a": {"mention"},
    "th": {"align-left", "align-center", "align-right"},
    "td": {"align-left", "align-center", "align-right"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"


@dataclass
class Rendered:
    html: str
    mentioned: list[str] = field(default_factory=list)


def mention_candidates(text: str) -> set[str]:
    """Every `@handle` in the text, lower-cased (code and math included: callers filter by members)."""
    return {match.group(1).lower() for match in MENTION_RE.finditer(text)}


def render_markdown(
    text: str,
    *,
    mentionable: Mapping[str, str] | None = None,
    mention_url: Callable[[str], str] | None = None,
) -> Rendered:
    """Markdown to sanitized HTML, and the handles of `mentionable` people it mentions.

    `mentionable` maps lower-cased handles to the handle as spelled; `mention_url(handle)` gives
    the link for a mention (without it mentions are highlighted, not linked). Mentions inside
    code or math stay plain text.
    """
    env: dict = {
        "mentionable": dict(mentionable or {}),
        "mention_url": mention_url,
        "mentioned": [],
    }
    html = _markdown().render(text, env)
    return Rendered(html=sanitize(html), mentioned=env["mentioned"])


def sanitize(html: str) -> str:
    """The allowlist: what it does not name is removed (tags keep their text; scripts lose it)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_only_safe_links,
    )


def _only_safe_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already dropped other schemes; this also drops relative links (they could point
    # anywhere after a base change) except same-site paths such as mentions ("/g/...").
    if attribute != "href":
        return value
    if value.lower().startswith(("http://", "https://", "mailto:")):
        return value
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return None


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    dollarmath_plugin(md, allow_labels=False, double_inline=True)
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.core.ruler.push("table_align_classes", _table_align_classes)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("image", _render_image)
    # `$$x$$` inside a paragraph: a div there would break the paragraph apart.
    md.add_render_rule("math_inline_double", _render_display_math_inline)
    return md


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    # A handle starts after a space, punctuation or the start of the text, never inside a word
    # or an email address.
    if state.pos > 0 and re.match(r"[\w@.+-]", state.src[state.pos - 1]):
        return False
    match = _MENTION_AT_RE.match(state.src, state.pos)
    if match is None:
        return False
    handle = state.env.get("mentionable", {}).get(match.group(1).lower())
    if handle is None:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"handle": handle}
        if handle not in state.env["mentioned"]:
            state.env["mentioned"].append(handle)
    state.pos = match.end()
    return True


def _render_mention(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    handle = tokens[idx].meta["handle"]
    url_for = env.get("mention_url")
    if url_for is None:
        return f'<span class="mention">@{escape(handle)}</span>'
    return f'<a class="mention" href="{escape(url_for(handle))}">@{escape(handle)}</a>'


def _render_image(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    # Images from anywhere would track readers (and CSP blocks them): show a link instead.
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(alt)}</a>'


def _render_display_math_inline(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    return f'<span class="math block">{escape(tokens[idx].content)}</span>'


def _table_align_classes(state: StateCore) -> None:
    # markdown-it aligns table cells with style attributes; CSP and the sanitizer allow classes.
    for token in state.tokens:
        if token.type in {"th_open", "td_open"}:
            style = str(token.attrGet("style") or "")
            if style.startswith("text-align:"):
                token.attrs.pop("style", None)
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))
