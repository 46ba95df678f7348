"""Ballot rows and vote boxes as HTML, written here rather than in a template.

The ballot page prints 50 rows and is the hottest page of the app: a template partial per row cost
more than everything else the page does (bench/pages.py measures it against a raw-SQL endpoint).
So rows are joined from `BallotRow` fields, which `groups.voting.ballot.rows_for` escaped once
when it built them (each is a SafeString); the only other values printed are constants and
`RowView` fields escaped here. Nothing else may go into these strings.

The markup is the page's (see the comment in templates/groups/voting/ballot.html): every button
is a submit button of the list form, or of the nomination page's vote form, with its own
`formaction`, so it all works without JavaScript; static/js/ballot.js reads the ids, the
`data-rank` and the vote buttons.
"""

import html
from dataclasses import dataclass

from django.utils.safestring import SafeString

from groups.voting.ballot import BallotRow, BallotUrls


@dataclass(frozen=True, slots=True)
class RowView:
    """What rows show that depends on who looks, the same for every row of a page."""

    member: bool  # members see the vote buttons and the voters
    signed_in: bool  # others who signed in see counts only; the signed-out a sign-in link
    organizes: bool  # organizers see Schedule and Archive
    urls: BallotUrls
    error: str = ""  # a refused vote's reason, under its button (vote answers only)


def vote_box_html(row: BallotRow, view: RowView) -> SafeString:
    """The count, the member's vote button (or the row's status) and the voters."""
    key = row["key"]
    parts = [
        f'<div class="vote-box{" voted" if row["my_vote"] else ""}" id="vote-{key}">\n'
        f'<p class="vote-count"><span class="count">{row["count_text"]}</span> '
        f'<span class="count-label">{row["count_label"]}</span></p>\n'
    ]
    if view.member:
        if not row["is_open"]:
            parts.append(f'<p class="meta">{row["status_label"]}</p>\n')
        elif row["my_vote"]:
            parts.append(
                f'<button type="submit" id="vote-button-{key}" class="vote-button voted" '
                f'formaction="{row["base"]}unvote/" hx-post="{row["base"]}unvote/" '
                f'aria-pressed="true" aria-label="Take back your vote for {row["title"]}" '
                'title="Take back your vote">✓ Voted</button>\n'
            )
        else:
            parts.append(
                f'<button type="submit" id="vote-button-{key}" class="vote-button" '
                f'formaction="{row["base"]}vote/" hx-post="{row["base"]}vote/" '
                f'aria-pressed="false" aria-label="Vote for {row["title"]}">Vote</button>\n'
            )
        if view.error:
            parts.append(f'<p class="vote-error" role="alert">{html.escape(view.error)}</p>\n')
        if row["voters_line"]:
            parts.append(
                '<p class="voters"><span class="visually-hidden">Voters: </span>'
                f"{row['voters_line']}</p>\n"
            )
    elif not view.signed_in:
        parts.append(
            f'<a class="small" href="{html.escape(view.urls.sign_in)}">Sign in to vote</a>\n'
        )
    parts.append("</div>")
    return SafeString("".join(parts))


def row_html(row: BallotRow, view: RowView) -> SafeString:
    """One `<li>` of the ballot: rank, paper, pitch, who nominated it, actions, vote box."""
    key, base, rank = row["key"], row["base"], row["rank_text"]
    parts = [
        f'<li class="ballot-row{"" if row["is_open"] else " closed"}" id="nomination-{key}" '
        f'data-rank="{rank}" data-arxiv="{row["arxiv_id"]}">\n',
        f'<span class="rank" aria-label="Rank {rank}">{rank}</span>'
        if rank
        else '<span class="rank" aria-label="Not on the ballot">–</span>',  # noqa: RUF001 (an en dash, as printed)
        f'\n<div class="ballot-paper">\n<h3><a href="{base}">{row["title"]}</a></h3>\n'
        f'<p class="meta">{row["authors_line"]}{" · " if row["authors_line"] else ""}'
        f'<a href="{row["abs_url"]}" rel="noopener">arXiv {row["arxiv_id"]}</a></p>\n',
    ]
    if row["pitch_html"]:
        parts.append(f'<blockquote class="pitch">{row["pitch_html"]}</blockquote>\n')
    parts.append(f'<p class="meta">Nominated by {row["nominator"]} on {row["nominated_on"]}')
    if row["discussed_on"]:
        parts.append(f' <span class="badge warn">Discussed {row["discussed_on"]}</span>')
    parts.append("</p>\n")
    if row["is_open"] and (row["can_withdraw"] or view.organizes):
        parts.append('<div class="row-actions">')
        if row["can_withdraw"]:
            parts.append(
                f'<button type="submit" class="link small" formaction="{base}withdraw/">'
                "Withdraw</button>"
            )
        if view.organizes:
            parts.append(
                f'<a class="small" href="{html.escape(view.urls.schedule)}?nomination={key}">'
                "Schedule</a>"
                f'<button type="submit" class="link small" formaction="{base}archive/">'
                "Archive</button>"
            )
        parts.append("</div>\n")
    parts.append(f"</div>\n{vote_box_html(row, view)}</li>")
    return SafeString("".join(parts))


def rows_html(rows: list[BallotRow], view: RowView) -> SafeString:
    return SafeString("\n".join(row_html(row, view) for row in rows))
