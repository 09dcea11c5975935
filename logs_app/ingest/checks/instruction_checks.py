"""Checks that compare the run with what its instructions ask for and limit."""

import json
import re

from .instructions import instruction_text
from .language import answer_matches_language
from .limits import ANY_TOOL, SEARCH, find_limits
from .registry import check, failed, not_applicable, passed
from .requests import (
    BULLETS,
    CITATIONS,
    EMOJI,
    JSON,
    LANGUAGE,
    MARKDOWN_LINKS,
    SECTION,
    WORDS,
    find_requests,
)
from .run_tools import agent_tools, call_counts, search_tools
from .text import CODE_BLOCK_RE, SOURCES_LABEL_RE, links, list_items, markdown_links, prose, words

EMOJI_CHAR_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff]")
JSON_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


@check("instructions_follow")
def instructions_follow(run):
    """Score the share of checkable requests in the instructions that the answer meets."""
    text = instruction_text(run)
    if not text.strip():
        return not_applicable("the run has no instructions")
    requests = find_requests(text)
    if not requests:
        return not_applicable("the instructions ask for nothing checkable")

    answer = run.answer or ""
    outcomes = [(request, *_meets(request, answer)) for request in requests]
    unmet = [f"{request.kind}: {detail}" for request, met, detail in outcomes if not met]
    score = 1 - len(unmet) / len(outcomes)
    if unmet:
        return failed(f"{len(unmet)} of {len(outcomes)} requests unmet; " + "; ".join(unmet), score=score)
    met = "; ".join(f"{request.kind}: {detail}" for request, _, detail in outcomes)
    return passed(f"{len(outcomes)} requests met; {met}", score=score)


def _meets(request, answer):
    """Return (met, detail) for one request."""
    if request.kind == CITATIONS:
        found = links(answer)
        if found:
            return True, f"{len(found)} links"
        if SOURCES_LABEL_RE.search(CODE_BLOCK_RE.sub(" ", answer)):
            return True, "a sources section"
        return False, "no links and no sources section"

    if request.kind == MARKDOWN_LINKS:
        found = markdown_links(answer)
        if found:
            return True, f"{len(found)} links in the form {request.phrase}"
        return False, f"no link in the form {request.phrase}"

    if request.kind == SECTION:
        pattern = re.compile(r"^\s*(?:#{1,6}\s*)?\**\s*" + re.escape(request.value) + r"\b", re.I | re.M)
        if pattern.search(answer):
            return True, f"a {request.value} section"
        return False, f"no {request.value} section"

    if request.kind == WORDS:
        return _meets_word_bounds(request.value, answer)

    if request.kind == BULLETS:
        items = len(list_items(answer))
        has_list = items >= 2
        if request.negated:
            return not has_list, f"{items} list items where the instructions ask for none"
        return has_list, f"{items} list items"

    if request.kind == JSON:
        is_json = _is_json(answer)
        if request.negated:
            return not is_json, "the answer is JSON" if is_json else "the answer is not JSON"
        return is_json, "the answer is valid JSON" if is_json else "the answer is not valid JSON"

    if request.kind == LANGUAGE:
        return answer_matches_language(answer, request.value)

    if request.kind == EMOJI:
        found = EMOJI_CHAR_RE.findall(answer)
        return not found, f"{len(found)} emojis"

    raise ValueError(f"unknown request kind {request.kind!r}")


def _meets_word_bounds(bounds, answer):
    minimum, maximum = bounds
    count = len(words(prose(answer)))
    if minimum is not None and count < minimum:
        return False, f"{count} words, at least {minimum} requested"
    if maximum is not None and count > maximum:
        return False, f"{count} words, at most {maximum} requested"
    return True, f"{count} words"


def _is_json(answer):
    text = answer.strip()
    fenced = JSON_FENCE_RE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        json.loads(text)
    except ValueError:
        return False
    return bool(text)


@check("instructions_avoid")
def instructions_avoid(run):
    """Score the share of tool-call limits in the instructions that the run respects."""
    text = instruction_text(run)
    if not text.strip():
        return not_applicable("the run has no instructions")
    tools = agent_tools(run)
    limits = find_limits(text, tools)
    if not limits:
        return not_applicable("the instructions set no limit on tool calls")

    counts = call_counts(run)
    searches = search_tools(run)
    outcomes = []
    for limit in limits:
        if limit.target == SEARCH:
            label = "search calls" + (f" ({', '.join(sorted(searches))})" if searches else "")
            count = sum(counts[name] for name in searches)
        elif limit.target == ANY_TOOL:
            label, count = "tool calls", sum(counts.values())
        else:
            label, count = f"{limit.target} calls", counts[limit.target]
        outcomes.append((limit.allows(count), f"{count} {label} where the instructions set {limit.describe()}"))

    score = sum(ok for ok, _ in outcomes) / len(outcomes)
    details = "; ".join(detail for _, detail in outcomes)
    if all(ok for ok, _ in outcomes):
        return passed(details, score=score)
    return failed(details, score=score)
