"""allauth's account adapter: its emails name the product and its address."""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class ProductSite:
    """What allauth's email templates read of a Site: `name` and `domain`."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites allauth names the request's host ("Hello from
        # 127.0.0.1:8000!"); its templates print the site's name and, to sign off, its domain.
        site = ProductSite(name=settings.SITE_NAME, domain=settings.SITE_URL)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
