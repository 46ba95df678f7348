"""The page title filter of base.html."""

from django import template

register = template.Library()

PRODUCT = "Paper Club"


@register.filter(is_safe=True)
def page_title(value: str) -> str:
    """`<page> · Paper Club`, or the bare name for a page without a title of its own.

    base.html applies it to its rendered `title` block: a template cannot ask whether a block is
    empty (`self.title` is Jinja's, always false in Django's templates). The block's HTML comes
    in escaped and safe, and `is_safe` keeps it so.
    """
    text = value.strip()
    return f"{text} · {PRODUCT}" if text else PRODUCT
