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

A ranked ballot's form (`ranking_html`) is written here too: at 500 nominations it is 500 rows of
a number box each, and Django's widget templates would cost most of the page.
"""

import html
from dataclasses import dataclass

from django.utils.safestring import SafeString

from groups.voting.ballot import BallotRow, BallotUrls
from groups.voting.ranked import Candidate, RankedBallot, RoundLine, Standing
from groups.voting.runoff import Tally


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


@dataclass(frozen=True, slots=True)
class RankingBoxes:
    """What the ranking form's boxes show (from `RankingForm.boxes`): the papers in the ranked
    list, in order; each box's text; each box's error."""

    ranked: list[int]
    numbers: dict[int, str]
    errors: dict[int, str]


def _ranking_row(candidate: Candidate, boxes: RankingBoxes, *, count: int, note: str = "") -> str:
    key = candidate.id
    name = f"rank-{key}"
    title = html.escape(candidate.title)
    error = boxes.errors.get(key, "")
    described = f' aria-invalid="true" aria-describedby="{name}-error"' if error else ""
    badge = f' <span class="badge">{html.escape(note)}</span>' if note else ""
    return (
        f'<li class="rank-row{" invalid" if error else ""}" id="rank-row-{key}" '
        f'data-id="{key}" draggable="true">'
        '<span class="drag-handle" aria-hidden="true">⠿</span>'
        f'<label class="rank-title" for="{name}">{title}'
        f' <span class="meta">arXiv {html.escape(candidate.arxiv_id)}</span>{badge}</label>'
        f'<input type="number" class="rank-input" id="{name}" name="{name}" min="1" '
        f'max="{max(1, count)}" inputmode="numeric" value="{html.escape(boxes.numbers.get(key, ""))}"'
        f' aria-label="Your rank for {title}"{described}>'
        + (
            f'<p class="rank-error" id="{name}-error" role="alert">{html.escape(error)}</p>'
            if error
            else ""
        )
        + "</li>"
    )


def ranking_html(ballot: RankedBallot, boxes: RankingBoxes) -> tuple[SafeString, SafeString]:
    """The two lists of the ranking form: the ranked papers in their order, and the others (the
    member's unranked votes first, then the ballot's order)."""
    count = len(ballot.candidates)
    by_id = ballot.by_id
    ranked = [pk for pk in boxes.ranked if pk in by_id]
    placed = set(ranked)
    voted = set(ballot.unranked_votes)
    rest = [pk for pk in ballot.unranked_votes if pk not in placed] + [
        c.id for c in ballot.candidates if c.id not in placed and c.id not in voted
    ]
    first = "".join(_ranking_row(by_id[pk], boxes, count=count) for pk in ranked)
    others = "".join(
        _ranking_row(
            by_id[pk], boxes, count=count, note="your vote, not ranked" if pk in voted else ""
        )
        for pk in rest
    )
    return SafeString(first), SafeString(others)


def _plural(count: Tally, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _named(standings: list[Standing], *, strong: bool = False) -> str:
    tag = ("<strong>", "</strong>") if strong else ("", "")
    return ", ".join(f"{tag[0]}{html.escape(s.title)}{tag[1]} ({s.ballots})" for s in standings)


def rounds_html(lines: list[RoundLine], winner: str | None) -> SafeString:
    """The count round by round: the standings, who dropped out and where their ballots went.
    Written here because a ranked count at 500 nominations runs a hundred rounds and more."""
    parts = []
    for line in lines:
        parts.append(
            f'<li class="round"><h3>Round {line.number}</h3>\n<p class="meta">'
            f"{_plural(line.active, 'ballot')} counting"
            + (f", {line.exhausted} exhausted" if line.exhausted else "")
            + '. A majority is more than half.</p>\n<ul class="standings">'
        )
        for standing in line.standings:
            parts.append(
                f'<li><span class="standing-title">{html.escape(standing.title)}</span> '
                f'<span class="count">{standing.ballots}</span></li>'
            )
        if line.others:
            parts.append(
                f'<li class="meta">and {_plural(line.others, "more paper")} with '
                f"{_plural(line.others_ballots, 'ballot')} between them</li>"
            )
        parts.append("</ul>\n")
        if line.eliminated:
            parts.append(f'<p class="eliminated">Out: {_named(line.eliminated, strong=True)}')
            if line.eliminated_others:
                parts.append(f" and {line.eliminated_others} more nobody ranked first")
            parts.append(".")
            went = []
            if line.transfers:
                went.append(_named(line.transfers))
            if line.transfers_others:
                went.append(
                    f"{_plural(line.transfers_others, 'more paper')} "
                    f"({line.transfers_others_ballots})"
                )
            if line.newly_exhausted:
                went.append(f"{line.newly_exhausted} exhausted (no other choice left)")
            if went:
                parts.append(f" Their ballots went to: {'; '.join(went)}.")
            parts.append("</p>\n")
        elif line.is_last and winner is not None:
            parts.append(
                f'<p class="eliminated"><strong>{html.escape(winner)}</strong> wins.</p>\n'
            )
        parts.append("</li>\n")
    return SafeString("".join(parts))
