from groups.notes.markdown import mention_candidates, render_markdown


def html(text: str, **kwargs) -> str:
    return render_markdown(text, **kwargs).html


def test_it_renders_commonmark_with_tables_code_lists_and_quotes() -> None:
    out = html(
        "# Title\n\n**bold** _it_ ~~gone~~\n\n- one\n- two\n\n3. three\n\n> quoted\n\n"
        "```python\nprint('<hi>')\n```\n\n| a | b |\n|--:|:-:|\n| 1 | 2 |\n"
    )
    assert "<h1>Title</h1>" in out
    assert "<strong>bold</strong> <em>it</em> <s>gone</s>" in out
    assert "<ul>\n<li>one</li>" in out
    assert '<ol start="3">' in out
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in out
    assert "<pre><code>print('&lt;hi&gt;')\n</code></pre>" in out
    assert '<th class="align-right">a</th>' in out
    assert '<td class="align-center">2</td>' in out
    assert "style=" not in out


def test_it_keeps_math_as_escaped_tex_for_katex() -> None:
    out = html("Inline $a<b$ here.\n\n$$\n\\sum_i x_i < \\infty\n$$\n")
    assert '<span class="math inline">a&lt;b</span>' in out
    assert '<div class="math block">\n\\sum_i x_i &lt; \\infty\n</div>' in out
    assert html("so $$y>0$$ here") == '<p>so <span class="math block">y&gt;0</span> here</p>\n'


def test_it_keeps_display_math_inside_a_paragraph_in_a_span() -> None:
    assert html("so $$y>0$$ here") == '<p>so <span class="math block">y&gt;0</span> here</p>\n'


def test_it_shows_raw_html_as_text() -> None:
    out = html('<b onclick="x()">bold?</b> <script>alert(1)</script>')
    assert "<b" not in out
    assert "<script" not in out
    assert '&lt;b onclick="x()"&gt;bold?&lt;/b&gt;' in out


def test_it_gives_links_safe_rel_and_drops_other_schemes() -> None:
    out = html("[ok](https://example.org) [mail](mailto:a@example.org) [bad](javascript:alert(1))")
    assert '<a href="https://example.org" rel="nofollow noopener ugc">ok</a>' in out
    assert '<a href="mailto:a@example.org" rel="nofollow noopener ugc">mail</a>' in out
    assert "javascript:" not in out.replace("[bad](javascript:alert(1))", "")
    assert 'href="javascript' not in out


def test_it_keeps_same_site_paths_but_no_other_relative_links() -> None:
    out = html("[here](/g/club/) [there](//evil.example/x) [odd](evil.html) [back](\\\\evil)")
    assert '<a href="/g/club/" rel="nofollow noopener ugc">here</a>' in out
    assert out.count("href=") == 1


def test_it_turns_images_into_links() -> None:
    out = html("![a chart](https://example.org/chart.png) ![x](data:image/png;base64,AAAA)")
    assert "<img" not in out
    assert '<a href="https://example.org/chart.png" rel="nofollow noopener ugc">a chart</a>' in out
    assert "data:" not in out


def test_it_links_mentions_of_the_people_given_only() -> None:
    rendered = render_markdown(
        "Hi @Ada, @ada again and @nobody. Mail ada@example.org; `@ada` in code.",
        mentionable={"ada": "ada"},
        mention_url=lambda handle: f"/people/{handle}",
    )
    assert rendered.html.count('<a class="mention" href="/people/ada"') == 2
    assert "@nobody" in rendered.html and "/people/nobody" not in rendered.html
    assert "<code>@ada</code>" in rendered.html
    assert "ada@example.org" in rendered.html
    assert rendered.mentioned == ["ada"]


def test_it_finds_mention_candidates_without_trailing_punctuation() -> None:
    assert mention_candidates("thanks @Ada. and @bob_1, (@c.d) x@y") == {"ada", "bob_1", "c.d"}
