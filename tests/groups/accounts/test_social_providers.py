"""Social sign-in switches on from the environment; settings are read once, so check in a child."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import django; django.setup()
from django.conf import settings
from django.core.management import call_command
call_command('migrate', verbosity=0)
from django.test import Client
print(sorted(settings.SOCIALACCOUNT_PROVIDERS))
page = Client().get('/accounts/login/').content.decode()
print('GitHub' in page, 'Orcid.org' in page, 'Google' in page)
from groups.models import User
client = Client()
client.force_login(User.objects.create(username='ada', email='ada@example.org'))
print(
    'Connected accounts' in client.get('/accounts/profile/').content.decode(),
    'Add a Third-Party Account' in client.get('/accounts/3rdparty/').content.decode(),
)
"""


def _login_page_with(env: dict[str, str], tmp_path: Path) -> list[str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith(("_CLIENT_ID", "_SECRET"))}
    base.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'social.sqlite3'}",
            "REDIS_URL": "",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-3:]


def test_it_offers_no_provider_without_credentials(tmp_path: Path) -> None:
    assert _login_page_with({}, tmp_path) == ["[]", "False False False", "False False"]


def test_it_offers_the_providers_whose_credentials_are_set(tmp_path: Path) -> None:
    env = {
        "GITHUB_CLIENT_ID": "gh-id",
        "GITHUB_SECRET": "gh-secret",
        "ORCID_CLIENT_ID": "orcid-id",
        "ORCID_SECRET": "orcid-secret",
    }
    assert _login_page_with(env, tmp_path) == [
        "['github', 'orcid']",
        "True True False",
        "True True",  # and Connected accounts offers them
    ]


def test_it_hides_connected_accounts_when_no_provider_is_configured(user_client) -> None:
    """The test settings have no provider: nothing could be added, so nothing offers it."""
    profile = user_client.get("/accounts/profile/").content.decode()
    assert "Connected accounts" not in profile
    connections = user_client.get("/accounts/3rdparty/")
    assert connections.status_code == 200
    assert "Add a Third-Party Account" not in connections.content.decode()
