"""@mention suggestions: the members a note form offers while someone types "@al" (note_mentions,
read by static/js/mentions.js). The browser side is in tests/browser/test_mentions.py."""

import re

import pytest
from django.urls import reverse

from groups.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.people import client_for

OPTION = re.compile(r'<li class="mention-option"[^>]*data-handle="([^"]+)"')


def mentions_url(cast, query: str = "") -> str:
    return f"{reverse('note_mentions', args=[cast.group.slug])}?q={query}"


def handles(response) -> list[str]:
    assert response.status_code == 200
    return OPTION.findall(response.content.decode())


class TestMatches:
    def test_it_finds_members_by_handle(self, private) -> None:
        response = client_for(private.member).get(mentions_url(private, "bo"))
        assert handles(response) == ["bob"]
        assert "Bob Member" in response.content.decode()
        assert "@bob" in response.content.decode()

    def test_it_finds_members_by_display_name_in_any_case(self, private) -> None:
        response = client_for(private.member).get(mentions_url(private, "oRGaNiZer"))
        # Otto organizes another group and Oscar is an outsider: neither is offered.
        assert handles(response) == ["olga"]
        assert "Olga Organizer" in response.content.decode()

    def test_it_lists_those_whose_handle_or_name_starts_with_it_first(self, private) -> None:
        # "o" starts owen and olga (handle and name); it is inside "Bob Member".
        response = client_for(private.member).get(mentions_url(private, "o"))
        assert handles(response) == ["olga", "owen", "bob"]

    def test_it_takes_the_at_sign_too(self, private) -> None:
        assert handles(client_for(private.member).get(mentions_url(private, "%40ali"))) == ["alice"]

    def test_it_offers_nobody_for_no_letters(self, private, django_assert_num_queries) -> None:
        client = client_for(private.member)
        client.get(mentions_url(private, "x"))  # the session is read
        # session, user, the membership with its group: no member search
        with django_assert_num_queries(3):
            assert handles(client.get(mentions_url(private, ""))) == []

    def test_it_shows_the_handle_alone_without_a_display_name(self, private) -> None:
        MembershipFactory(group=private.group, user__username="zoe", user__display_name="")
        response = client_for(private.member).get(mentions_url(private, "zo"))
        assert handles(response) == ["zoe"]
        assert "mention-name" not in response.content.decode()

    def test_it_leaves_out_deactivated_accounts(self, private) -> None:
        MembershipFactory(group=private.group, user__username="zed", user__is_active=False)
        assert handles(client_for(private.member).get(mentions_url(private, "zed"))) == []

    def test_it_offers_eight_at_most(self, private) -> None:
        for n in range(12):
            MembershipFactory(group=private.group, user__display_name=f"Zed {n}")
        assert len(handles(client_for(private.member).get(mentions_url(private, "zed")))) == 8

    @pytest.mark.parametrize("extra", [2, 20])
    def test_it_reads_the_matches_in_one_query(
        self, private, extra: int, django_assert_num_queries
    ) -> None:
        for n in range(extra):
            MembershipFactory(group=private.group, user__display_name=f"Zed {n}")
        client = client_for(private.member)
        client.get(mentions_url(private, "x"))
        # The session, the user, the viewer's membership with its group, then the members found.
        with django_assert_num_queries(4):
            assert len(handles(client.get(mentions_url(private, "zed")))) == min(extra, 8)

    def test_it_escapes_names(self, private) -> None:
        MembershipFactory(
            group=private.group,
            user__username="mallory",
            user__display_name='<script>alert("x")</script>',
        )
        response = client_for(private.member).get(mentions_url(private, "mal"))
        body = response.content.decode()
        assert "<script>" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body

    def test_it_answers_htmx_with_the_same_list(self, private) -> None:
        client = client_for(private.member)
        plain = client.get(mentions_url(private, "bo"))
        htmx = client.get(mentions_url(private, "bo"), headers={"HX-Request": "true"})
        assert plain.content == htmx.content
        assert "hx-request" not in plain.get("Vary", "").lower()


class TestAccess:
    @pytest.mark.parametrize("role", ["anonymous", "outsider", "staff"])
    def test_it_hides_a_private_groups_members_from_outsiders(self, private, role: str) -> None:
        response = client_for(private.user(role)).get(mentions_url(private, "bo"))
        assert response.status_code == 404
        assert b"bob" not in response.content

    def test_it_sends_anonymous_visitors_of_a_public_group_to_sign_in(self, public) -> None:
        response = client_for(None).get(mentions_url(public, "bo"))
        assert response.status_code == 302
        assert response.url.split("?")[0] == reverse("account_login")

    @pytest.mark.parametrize("role", ["outsider", "staff"])
    def test_it_refuses_outsiders_of_a_public_group(self, public, role: str) -> None:
        response = client_for(public.user(role)).get(mentions_url(public, "bo"))
        assert response.status_code == 403
        assert b"pub_bob" not in response.content

    @pytest.mark.parametrize("role", ["member", "organizer", "owner"])
    def test_it_answers_every_member(self, public, role: str) -> None:
        response = client_for(public.user(role)).get(mentions_url(public, "bo"))
        assert handles(response) == ["pub_bob"]

    def test_it_refuses_the_wrong_method(self, private) -> None:
        assert client_for(private.member).post(mentions_url(private, "bo")).status_code == 405

    def test_it_offers_only_this_groups_members(self, private, public) -> None:
        Membership.objects.create(group=public.group, user=UserFactory(username="bobby"))
        assert handles(client_for(private.member).get(mentions_url(private, "bo"))) == ["bob"]


def test_the_note_forms_name_where_suggestions_come_from(private) -> None:
    thread = reverse("note_thread", args=[private.group.slug, "nominations", private.nomination.pk])
    html = client_for(private.member).get(thread).content.decode()
    assert f'data-mentions="{reverse("note_mentions", args=[private.group.slug])}"' in html
    assert "js/mentions.js" in html
