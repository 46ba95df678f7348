"""What tests read off a rendered page's frame."""

import re

GROUP_TABS = '<nav class="tabs" aria-label="Group">'


def current_tab(html: str) -> str:
    """The label of the group tab marked as the current page; fails unless the page has exactly
    one group tab bar with exactly one tab marked."""
    assert html.count(GROUP_TABS) == 1, "no group tab bar (or several)"
    bar = html.split(GROUP_TABS)[1].split("</nav>")[0]
    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', bar)
    assert len(marked) == 1, marked
    return marked[0]


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))
