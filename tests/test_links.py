"""Every page, as every role, over a small seeded world: no empty links, no link that answers 404,
405 or 500, and every page whose htmx answer differs from the full page says `Vary: HX-Request`
(else a cache, or the browser's back button, can hand one answer to the other request).

The walk starts at the home page and the pages of each group, then follows every same-site
`href` and `hx-get` it finds. Failures are collected and reported together.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse

from groups.models import DiscussionSession, Membership, ReadingGroup, User
from groups.notes.services import note_create
from papers.models import DailyListing
from tests.factories import (
    InvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    NominationFactory,
    PaperFactory,
    ReadingGroupFactory,
    UserFactory,
    VoteFactory,
)

ROLES = ["anonymous", "outsider", "member", "organizer", "owner", "staff"]
# Distinct URLs visited per URL name: enough for query variants, not every page of a list.
PER_ROUTE = 4
MAX_PAGES = 250  # per role; the walk stops there (and says so) rather than run for minutes
# Links that change state on GET, or lead outside the app's own pages.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
URL_TAG = re.compile(r"""{%\s*url\s+['"]([\w:-]+)['"]""")
# What differs on every render: the masked CSRF token and the CSP nonce.
PER_RENDER = re.compile(r'\b[A-Za-z0-9]{64}\b|nonce="[^"]*"')


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value); value "" when empty

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "hx-get"}:
                self.links.append((f"<{tag} {name}>", (value or "").strip()))


def links_of(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@dataclass
class World:
    public: ReadingGroup
    private: ReadingGroup
    people: dict[str, User | None]
    seeds: list[str] = field(default_factory=list)
    member_seeds: list[str] = field(default_factory=list)  # the private group's pages

    def seeds_for(self, who: str) -> list[str]:
        members = {"member", "organizer", "owner"}
        return self.seeds + (self.member_seeds if who in members else [])


def make_world() -> World:
    owner, organizer, member = UserFactory(), UserFactory(), UserFactory(username="mia")
    people: dict[str, User | None] = {
        "anonymous": None,
        "outsider": UserFactory(),
        "member": member,
        "organizer": organizer,
        "owner": owner,
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    public = ReadingGroupFactory(visibility=ReadingGroup.Visibility.PUBLIC, created_by=owner)
    # Asked to join (not open) so that outsiders get the "Ask to join" page.
    public.join_policy = ReadingGroup.JoinPolicy.REQUEST
    public.save(update_fields=["join_policy"])
    private = ReadingGroupFactory(
        visibility=ReadingGroup.Visibility.PRIVATE,
        join_policy=ReadingGroup.JoinPolicy.REQUEST,
        created_by=owner,
    )
    day = date(2026, 6, 11)
    seeds = ["/", reverse("papers:day", kwargs={"day": day.isoformat()})]
    member_seeds: list[str] = []
    for group in (public, private):
        MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
        MembershipFactory(group=group, user=organizer, role=Membership.Role.ORGANIZER)
        MembershipFactory(group=group, user=member)
        paper = PaperFactory()
        DailyListing.objects.create(paper=paper, day=day)
        nomination = NominationFactory(group=group, paper=paper, nominated_by=member)
        VoteFactory(nomination=nomination, user=member)
        VoteFactory(nomination=nomination, user=organizer)
        NominationFactory(group=group, nominated_by=organizer)
        session = DiscussionSession.objects.create(
            group=group,
            paper=paper,
            nomination=nomination,
            starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
            duration=timedelta(hours=1),
            created_by=organizer,
        )
        for subject in (nomination, session):
            note = note_create(author=organizer, subject=subject, body="Read §3 first, @mia.")
            note_create(author=member, subject=subject, body="Agreed, **§3**.", parent=note)
        invitation = InvitationFactory(group=group, created_by=owner)
        JoinRequestFactory(group=group)
        seeds.append(reverse("group_join_link", args=[invitation.token]))
        (seeds if group.is_public else member_seeds).extend(
            [
                reverse("group_home", args=[group.slug]),
                reverse("note_thread", args=[group.slug, "nominations", nomination.pk]),
                reverse("note_detail", args=[group.slug, note.pk]),
            ]
        )
    return World(public, private, people, seeds, member_seeds)


def _normalized(body: bytes) -> bytes:
    return PER_RENDER.sub("x", body.decode(errors="replace")).encode()


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def walk(client: Client, seeds: list[str], who: str) -> list[str]:
    """Visits the pages reachable from `seeds`; returns what is wrong, one line each."""
    problems: list[str] = []
    queue: deque[tuple[str, str]] = deque((seed, "the start") for seed in seeds)
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    visited = 0
    while queue:
        url, found_on = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        if path.startswith("/static/"):
            if not finders.find(path.removeprefix("/static/")):
                problems.append(f"{who}: {url} (linked from {found_on}) is no static file")
            continue
        route = _route(path)
        if route is None:
            problems.append(f"{who}: {url} (linked from {found_on}) matches no URL")
            continue
        if per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        visited += 1
        if visited > MAX_PAGES:
            problems.append(f"{who}: stopped after {MAX_PAGES} pages; raise MAX_PAGES or PER_ROUTE")
            break
        response = client.get(url)
        status = response.status_code
        if status in {404, 405} or status >= 500:
            problems.append(f"{who}: {url} (linked from {found_on}) answers {status}")
            continue
        if status in {301, 302, 303, 307, 308}:
            queue.append((urljoin(url, response["Location"]), f"{url} (redirect)"))
            continue
        if status != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        for attribute, value in links_of(html):
            if not value:
                problems.append(f"{who}: {url} has an empty {attribute}")
                continue
            target = urlsplit(urljoin(url, value))
            same_site = target.netloc in {"", "testserver"}
            if target.scheme not in {"", "http", "https"} or not same_site:
                continue
            if target.path.startswith(SKIP_PREFIXES):
                continue
            queue.append((target.path + (f"?{target.query}" if target.query else ""), url))
        partial = client.get(url, headers={"HX-Request": "true"})
        if partial.status_code == 200 and _normalized(partial.content) != _normalized(
            response.content
        ):
            varies = [
                "hx-request" in answer.get("Vary", "").lower() for answer in (response, partial)
            ]
            if not all(varies):
                problems.append(f"{who}: {url} answers htmx with another body, without Vary")
    return problems


@pytest.fixture
def world(db) -> World:
    return make_world()


def test_it_finds_no_broken_links_as_anyone(world: World) -> None:
    problems: list[str] = []
    for who in ROLES:
        client = Client(raise_request_exception=False)
        if world.people[who] is not None:
            client.force_login(world.people[who])
        problems += walk(client, world.seeds_for(who), who)
    assert problems == [], "\n" + "\n".join(problems)


def test_it_names_only_urls_that_exist_in_templates() -> None:
    """`{% url 'x' as var %}` swallows a wrong name, leaving a link that is never shown."""
    resolver = get_resolver()
    problems = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for name in URL_TAG.findall(template.read_text()):
            namespace, _, short = name.rpartition(":")
            names = resolver.namespace_dict[namespace][1] if namespace else resolver
            if short not in names.reverse_dict:
                problems.append(f"{template.relative_to(TEMPLATES)}: no URL is named {name!r}")
    assert problems == [], "\n" + "\n".join(problems)
