"""Search results' highlighted words: escaped first, then marked."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from papers.models import MARK_START, MARK_STOP

register = template.Library()


@register.filter
def marked(value: str) -> SafeString:
    """Text from the search (a title or snippet whose matching words the database put between
    MARK_START and MARK_STOP) as HTML: the whole text escaped, then each marked stretch in a
    <mark>. The markers are control characters that imports strip from every text, so nothing
    from the data can open or close a mark, and no HTML from the data survives the escaping."""
    html = str(escape(value)).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    # A stray marker (text not written by an import) must not leave a <mark> open.
    opened = html.count("<mark>") - html.count("</mark>")
    return mark_safe(html + "</mark>" * max(opened, 0))  # noqa: S308 (escaped above)


@register.filter
def has_mark(value: object) -> bool:
    """Whether a search snippet marks a match (else the card shows its usual summary)."""
    return isinstance(value, str) and MARK_START in value
