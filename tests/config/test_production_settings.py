"""Production mode (DJANGO_DEBUG=0) is checked in a child process: settings are read once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Vq3-production-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    clean.pop("ALLOWED_HOSTS", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key() -> None:
    result = _run({"DJANGO_DEBUG": "0", "ALLOWED_HOSTS": "example.org"}, "manage.py", "check")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts() -> None:
    result = _run({"DJANGO_DEBUG": "0", "SECRET_KEY": SECRET}, "manage.py", "check")
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_it_passes_the_deploy_checks() -> None:
    result = _run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", ["/no-such-page/", "/accounts/login/?next=%ff"])
def test_it_never_shows_a_debug_page(path: str, tmp_path: Path) -> None:
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('collectstatic', verbosity=0, interactive=False)\n"
        "from django.test import Client\n"
        f"r = Client().get({path!r}, secure=True, headers={{'host': 'example.org'}})\n"
        "body = r.content.decode()\n"
        "print(r.status_code, 'Traceback' in body or 'DEBUG = True' in body)\n"
        "print(r.headers.get('Content-Security-Policy'))\n"
        "print(r.headers.get('Strict-Transport-Security'))\n"
    )
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "REDIS_URL": "",
    }
    result = _run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    status_line, csp, hsts = result.stdout.strip().splitlines()[-3:]
    status, debug_shown = status_line.split()
    assert status in {"200", "404"}
    assert debug_shown == "False"
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "max-age=31536000" in hsts
