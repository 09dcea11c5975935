"""Answers render as Markdown, with nothing executable and no remote fetches."""

import pytest

from logs_app.markdown import render_markdown


def test_common_markdown_is_rendered():
    html = render_markdown("# Title\n\n- **bold** and *em*\n- `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")

    for fragment in ("<h1>Title</h1>", "<strong>bold</strong>", "<em>em</em>", "<code>code</code>", "<td>1</td>"):
        assert fragment in html


def test_code_blocks_keep_their_text_and_language():
    html = render_markdown('```python\nprint("<b>hi</b>")\n```')

    assert html == '<pre><code class="language-python">print("&lt;b&gt;hi&lt;/b&gt;")\n</code></pre>\n'


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://example.org></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_raw_html_is_shown_as_text(text):
    html = render_markdown(text)

    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<div" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "text", ["[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,hi)", "[x](vbscript:y)"]
)
def test_dangerous_link_schemes_are_not_links(text):
    html = render_markdown(text)

    assert "href" not in html


def test_safe_links_are_kept_without_opener_access():
    html = render_markdown("[docs](https://example.org/a?b=1)")

    assert html == '<p><a href="https://example.org/a?b=1" rel="noopener noreferrer nofollow">docs</a></p>\n'


def test_images_become_links_so_nothing_is_fetched():
    html = render_markdown("![chart](https://tracker.example/pixel.png)")

    assert "<img" not in html
    assert '<a href="https://tracker.example/pixel.png" rel="noopener noreferrer nofollow">[image: chart]</a>' in html


def test_image_with_a_script_url_stays_text():
    assert "href" not in render_markdown("![x](javascript:alert(1))")


def test_empty_answer():
    assert render_markdown("") == ""
