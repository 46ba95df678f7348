"""How allauth creates our users (settings.ACCOUNT_ADAPTER)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest

from groups.models import User


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
