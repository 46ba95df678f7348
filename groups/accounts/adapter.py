"""allauth's account adapter (settings.ACCOUNT_ADAPTER): how it creates our users, and its emails
naming the product and its address."""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest

from groups.models import User


@dataclass(frozen=True)
class ProductSite:
    """What allauth's email templates read of a Site: `name` and `domain`."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        # The sign-up form's time_zone is already a known zone or UTC (SignupForm.clean_time_zone);
        # set before allauth's save, so the new account is written once.
        time_zone = form.cleaned_data.get("time_zone")
        if isinstance(user, User) and time_zone:
            user.time_zone = time_zone
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites allauth names the request's host ("Hello from
        # 127.0.0.1:8000!"); its templates print the site's name and, to sign off, its domain.
        site = ProductSite(name=settings.SITE_NAME, domain=settings.SITE_URL)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
