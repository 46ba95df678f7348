"""Crafted math in notes, typeset by KaTeX in Chromium with and without the Content-Security-Policy
header (issue 17): no handler runs, the page asks no other host for anything, the CSP reports no
violation, the page stays responsive, and the note around the math can still be read.

The options that make this true are set in static/js/notes.js (trust off, strict, maxSize,
maxExpand, errors shown by us, styled by app.css rather than by an inline style the CSP refuses).
"""

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from groups.notes.services import note_create
from tests.browser.conftest import screenshot
from tests.browser.test_sessions import sign_in
from tests.groups.notes.conftest import make_discussed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each vector is a note's whole body: the math between the words "Before" and "after", which
# must stay readable. Handlers would set window.__ran; URLs point at a host that must never be
# asked.
VECTORS = {
    "textcolor-attribute": r'$\textcolor{red" onmouseover="window.__ran=1}{x}$',
    "color-css-url": r"$\color{red;background:url(https://evil.invalid/c.png)}x$",
    "tag-href-javascript": r"$$\tag{\href{javascript:window.__ran=1}{x}} y$$",
    "tag-img-onerror": r'$$\tag{<img src=x onerror="window.__ran=1">} y$$',
    "href-javascript": r"$\href{javascript:window.__ran=1}{click}$",
    "includegraphics": r"$\includegraphics[height=1em]{https://evil.invalid/i.png}$",
    "html-style": r"$\htmlStyle{background:url(https://evil.invalid/s.png)}{x}$",
    "huge-rule": r"$\rule{100000em}{100000em}$",
    "negative-space-rule": r"$\hspace{-12em}\rule{10em}{10em}$",
    "recursive-def": r"$\def\x{\x}\x$",
    "recursive-edef": r"$\edef\a{\a\a}\a$",
    "exponential-macros": r"$\def\a{xx}\def\b{\a\a\a\a}\def\c{\b\b\b\b}\def\d{\c\c\c\c}\d\d\d\d$",
    "gdef-leak": r"$\gdef\frac{LEAKED}$",
}
# Loading the thread, typesetting every note and answering a script call: far below what a
# runaway expansion or a page-sized layout would take.
TIME_BOUND_SECONDS = 5.0

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
"""


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "without-csp"])
@pytest.mark.parametrize("name", list(VECTORS))
def test_it_typesets_crafted_math_harmlessly(browser, live_server, settings, name, csp) -> None:
    if not csp:
        settings.SECURE_CSP = {}
    cast = make_discussed("private")
    note_create(author=cast.member, subject=cast.nomination, body=f"Before {VECTORS[name]} after")
    # A later note's \frac must not be redefined by the \gdef above.
    note_create(author=cast.member, subject=cast.nomination, body=r"Control $\frac{1}{2}$")
    origin = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    # Every request to another host is recorded and refused (it never leaves the machine).
    context.route(
        lambda url: urlsplit(url).netloc != origin and not url.startswith("data:"),
        lambda route: foreign.append(route.request.url) or route.abort(),
    )
    sign_in(context, live_server, cast.other_member)
    page = context.new_page()
    page.add_init_script(WATCH)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}") or d.dismiss())

    started = time.monotonic()
    response = page.goto(f"/g/{cast.group.slug}/nominations/{cast.nomination.pk}/notes/")
    assert response is not None
    assert ("content-security-policy" in response.headers) is csp
    page.wait_for_function(
        "() => [...document.querySelectorAll('.math')].every(el => el.dataset.typeset)"
    )
    page.evaluate("1 + 1")  # the page still answers a script call
    assert time.monotonic() - started < TIME_BOUND_SECONDS

    note = page.locator("li.note", has=page.locator(".note-body", has_text="Before"))
    body = note.locator(".note-body")
    expect(body).to_contain_text("Before")
    expect(body).to_contain_text("after")
    # Pointing at and clicking any part of the math runs nothing either.
    body.hover()
    page.evaluate(
        """() => document.querySelectorAll('.note-body .math, .note-body .math *').forEach(el => {
             for (const type of ['mouseover', 'mouseenter', 'focus', 'click'])
               el.dispatchEvent(new MouseEvent(type, {bubbles: true}));
           })"""
    )
    page.wait_for_timeout(100)

    assert page.evaluate("window.__ran") is None
    assert problems == []
    assert foreign == []
    assert page.evaluate("window.__violations") == []
    dangerous = page.evaluate(
        """() => [...document.querySelectorAll('.note-body *')].flatMap(el => [
             ...[...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name),
             ...(el.matches('a[href], img, svg image, iframe, object') ? [el.tagName] : []),
             ...(/url\\(/.test(el.getAttribute('style') || '') ? ['style url'] : []),
           ])"""
    )
    assert dangerous == []
    # The math stays inside the note: it covers neither the page nor the notes beside it.
    card = note.bounding_box()
    assert card is not None
    assert card["height"] < 400 and card["width"] <= 1200
    # Where the math's boxes reach beyond their note (a negative \hspace), nothing of the note is
    # painted there: a point of each such box outside the note hits the page, not the note.
    painted_outside = page.evaluate(
        """() => [...document.querySelectorAll('.note-body')].flatMap(body => {
             const box = body.getBoundingClientRect(), margin = 8;  // overflow-clip-margin: .4em
             // Leaves only: the glyphs and rules KaTeX paints (its positioning spans are empty).
             return [...body.querySelectorAll('.math *:not(:has(*))')].flatMap(el => {
               const r = el.getBoundingClientRect();
               if (!r.width || !r.height) return [];
               const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
               const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
               const outside = x < box.left - margin || x > box.right + margin
                 || y < box.top - margin || y > box.bottom + margin;
               const hit = document.elementFromPoint(x, y);
               return outside && hit && hit.closest('.note-body') === body ? [el.className] : [];
             });
           })"""
    )
    assert painted_outside == []
    header = page.locator("header").first.bounding_box()
    assert header is not None
    at_header = page.evaluate(
        "([x, y]) => !document.elementFromPoint(x, y).closest('.note-body')",
        [header["x"] + 5, header["y"] + 5],
    )
    assert at_header
    control = page.locator("li.note", has=page.locator(".note-body", has_text="Control"))
    expect(control.locator(".katex .mfrac")).to_be_visible()
    expect(control.locator(".note-body")).not_to_contain_text("LEAKED")
    if csp:
        screenshot(page, f"math-safety-{name}")
    context.close()


def test_it_shows_refused_math_as_its_source_styled_by_our_stylesheet(browser, live_server) -> None:
    cast = make_discussed("private")
    note_create(author=cast.member, subject=cast.nomination, body=r"Loop $\def\x{\x}\x$ here")
    context = browser.new_context(base_url=live_server.url)
    sign_in(context, live_server, cast.member)
    page = context.new_page()
    page.goto(f"/g/{cast.group.slug}/nominations/{cast.nomination.pk}/notes/")
    error = page.locator(".math-error")
    expect(error).to_have_text(r"\def\x{\x}\x")
    expect(error).to_have_attribute(
        "title",
        "KaTeX parse error: Too many expansions: infinite loop or need to increase maxExpand setting",
    )
    assert error.get_attribute("style") is None
    assert error.evaluate("el => getComputedStyle(el).color") == "rgb(180, 35, 24)"  # --bad
    context.close()
