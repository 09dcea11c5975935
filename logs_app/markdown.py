"""Render answers written in Markdown as safe HTML.

Answers come from a model that read untrusted tool output, so they are untrusted
too. Two layers: markdown-it never passes raw HTML through and refuses
javascript:/data: links, then nh3 keeps only an allow-list of tags, attributes
and URL schemes. Images become links, so a page never fetches a remote address
that an answer names.
"""

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _image_as_link(renderer, tokens, index, options, env):
    token = tokens[index]
    src = token.attrGet("src") or ""
    label = token.content or src or "image"
    return f'<a href="{escapeHtml(src)}">[image: {escapeHtml(label)}]</a>'


_markdown.add_render_rule("image", _image_as_link)


def render_markdown(text):
    """Return the answer as HTML that is safe to put in a page (a SafeString)."""
    if not text:
        return mark_safe("")
    html = _markdown.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
    return mark_safe(cleaned)  # nh3 has removed everything outside the allow-list above
