"""Find checkable requests in instructions: citations, a link format, a sources section,
a word limit, a list, JSON output, an answer language, no emojis.

Like limits.py, this recognises common phrasings and skips the rest.
"""

import re
from dataclasses import dataclass

from .instructions import clauses, is_negated
from .text import NUMBER, to_number

CITATIONS = "citations"
MARKDOWN_LINKS = "markdown_links"
SECTION = "section"
WORDS = "words"
BULLETS = "bullets"
JSON = "json"
LANGUAGE = "language"
EMOJI = "emoji"

LANGUAGES = (
    "english",
    "spanish",
    "french",
    "german",
    "portuguese",
    "italian",
    "russian",
    "ukrainian",
    "greek",
    "chinese",
    "japanese",
    "korean",
    "arabic",
)

# A link template such as [LINK TITLE](FULL_GITHUB_LINK).
MARKDOWN_LINK_TEMPLATE_RE = re.compile(r"\[[^\]\n]{1,60}\]\([^)\n]{1,80}\)")
# "include references", "add a sources section", "cite the url", "citing the filename"; but not
# "cite specific details from the docs", where cite means quote.
CITATION_ASK_RE = re.compile(
    r"\b(include|add|list|provide|give|mention|end with)\b[^.\n]{0,60}\b(citations?|references?|sources?)\b"
    r"|\b(cite|citing)\b\s+(?:[\w-]+\s+){0,3}?(citations?|references?|sources?|urls?|links?|file ?names?|files?"
    r"|pages?|page titles?|titles?|documents?|articles?)\b",
    re.IGNORECASE,
)
# A line that is only a section title: "Sources:", "## References".
SECTION_LINE_RE = re.compile(
    r"^\s*(?:#{1,4}\s*)?\**(sources|references|citations|bibliography)\**\s*:?\s*$", re.IGNORECASE | re.MULTILINE
)
WORD_LIMIT_RE = re.compile(
    rf"\b(?P<kind>under|fewer than|less than|at most|no more than|not more than|maximum of|max(?:imum)?|within"
    rf"|up to|at least|no fewer than|minimum of|min(?:imum)?)\s+(?P<count>{NUMBER})\s+words\b"
    rf"|\b(?P<count_first>{NUMBER})\s+words\s+(?P<after>or less|or fewer|max(?:imum)?|at most|or more|minimum"
    rf"|at least)\b",
    re.IGNORECASE,
)
BULLETS_RE = re.compile(
    r"\b(bullet(?:ed)?(?: points?| list)?|bullets|numbered list|as a list|in a list|list format)\b", re.IGNORECASE
)
# "respond in JSON", "output valid JSON", "Just the raw JSON"; a tool "returns JSON" is not a request.
JSON_ASK_RE = re.compile(
    r"\b(respond|reply|answer|output|format(?:ted)?)\b[^.\n]{0,30}\bjson\b|\b(only|raw|valid|pure)\s+json\b",
    re.IGNORECASE,
)
LANGUAGE_RE = re.compile(
    r"\b(?:answer|respond|reply|write|speak|use)\b[^.\n]{0,30}\bin\s+(?P<language>" + "|".join(LANGUAGES) + r")\b",
    re.IGNORECASE,
)
EMOJI_RE = re.compile(r"\bemojis?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    """One checkable request found in the instructions."""

    kind: str
    phrase: str
    # WORDS: (minimum, maximum); LANGUAGE: the language; SECTION: the section title; else None.
    value: object = None
    # True when the instructions ask for the opposite, as in "do not use bullet points".
    negated: bool = False


def find_requests(text):
    """Return the checkable requests in the instructions, one per kind and value."""
    requests = {}

    def add(request):
        requests.setdefault((request.kind, request.value), request)

    template = MARKDOWN_LINK_TEMPLATE_RE.search(text)
    if template:
        add(Request(MARKDOWN_LINKS, template.group(0)))
    for match in SECTION_LINE_RE.finditer(text):
        add(Request(SECTION, match.group(0).strip(), value=match.group(1).lower()))
    for clause in clauses(text):
        for request in _clause_requests(clause):
            add(request)

    return list(requests.values())


def _clause_requests(clause):
    citation = CITATION_ASK_RE.search(clause)
    if citation and not is_negated(clause, citation.start()):
        yield Request(CITATIONS, clause)

    for match in WORD_LIMIT_RE.finditer(clause):
        yield Request(WORDS, match.group(0), value=_word_bounds(match))

    bullets = BULLETS_RE.search(clause)
    if bullets:
        yield Request(BULLETS, clause, negated=is_negated(clause, bullets.start()))

    json_ask = JSON_ASK_RE.search(clause)
    if json_ask:
        yield Request(JSON, clause, negated=is_negated(clause, json_ask.start()))

    language = LANGUAGE_RE.search(clause)
    if language and not is_negated(clause, language.start()):
        yield Request(LANGUAGE, clause, value=language.group("language").lower())

    emoji = EMOJI_RE.search(clause)
    if emoji and is_negated(clause, emoji.start()):
        yield Request(EMOJI, clause, negated=True)


def _word_bounds(match):
    kind = (match.group("kind") or match.group("after")).lower()
    count = to_number(match.group("count") or match.group("count_first"))
    if kind in ("fewer than", "less than"):
        return (None, count - 1)
    if kind.startswith(("at least", "no fewer", "min", "or more")):
        return (count, None)
    return (None, count)
