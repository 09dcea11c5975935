"""Checks on the final answer alone: present, clear, on topic, cited, complete, free of tool-call markup."""

import re

from .instructions import instruction_text
from .registry import check, failed, not_applicable, passed
from .run_tools import agent_tools
from .text import (
    CODE_BLOCK_RE,
    SOURCES_LABEL_RE,
    TOOL_CODE_BLOCK_RE,
    URL_RE,
    headings,
    links,
    list_items,
    prose,
    same_term,
    sentences,
    terms,
    words,
)

MIN_WORDS = 5
LONG_SENTENCE_WORDS = 40
MAX_AVERAGE_SENTENCE_WORDS = 30
# Share of sentences that may not be long before answer_clear fails.
MIN_SHORT_SENTENCE_SHARE = 0.8
MIN_QUESTION_OVERLAP = 0.4
SUBSTANTIVE_WORDS = 80
STRUCTURED_WORDS = 30

SOURCE_WORD_RE = re.compile(r"\b(cite|citations?|references?|sources?)\b", re.I)
# Markup that models emit when a tool call ends up in the text instead of a tool-call part.
TOOL_MARKUP_RE = re.compile(
    r"<\s*/?\s*(?:function(?:_calls)?|tool_call|tool_use|invoke)\b[^>]*>"
    r"|<\|(?:python_tag|tool_call|tool_calls_begin|tool▁calls▁begin|call)\|>"
    r"|\[TOOL_CALLS\]"
    r"|\bto=functions\.\w+"
    r"|\{\s*\"(?:name|tool|function)\"\s*:\s*\"[\w.-]+\"\s*,\s*\"(?:arguments|parameters|args|input)\"\s*:",
    re.IGNORECASE,
)


def _no_answer():
    return failed("the run has no answer")


@check("answer_not_empty")
def answer_not_empty(run):
    count = len(words(run.answer or ""))
    if count == 0:
        return failed("the answer is empty")
    return passed(f"the answer has {count} words")


@check("answer_clear")
def answer_clear(run):
    """Pass an answer of enough words whose sentences are mostly of readable length."""
    answer = run.answer or ""
    text = prose(answer)
    total = len(words(text))
    if total == 0:
        if words(answer):
            return not_applicable("the answer is only code or links, with no prose to assess")
        return _no_answer()
    if total < MIN_WORDS:
        return failed(f"the answer has only {total} words", score=total / MIN_WORDS / 2)

    lengths = [len(words(sentence)) for sentence in sentences(text)]
    average = sum(lengths) / len(lengths)
    long_count = sum(length > LONG_SENTENCE_WORDS for length in lengths)
    score = 1 - long_count / len(lengths)
    details = (
        f"{total} words in {len(lengths)} sentences, {average:.0f} words on average, "
        f"{long_count} longer than {LONG_SENTENCE_WORDS} words"
    )
    if score >= MIN_SHORT_SENTENCE_SHARE and average <= MAX_AVERAGE_SENTENCE_WORDS:
        return passed(details, score=score)
    return failed(details, score=score)


@check("answer_match")
def answer_match(run):
    """Score the share of the question's content terms that the answer uses."""
    question = terms(run.user_prompt or "")
    if not question:
        return not_applicable("the run has no question with content words")
    if not words(run.answer or ""):
        return _no_answer()

    answer_terms = terms(run.answer).keys()
    shared = {
        term for term in question if term in answer_terms or any(same_term(term, other) for other in answer_terms)
    }
    score = len(shared) / len(question)
    missing = sorted(question[stem] for stem in question.keys() - shared)
    details = f"the answer uses {len(shared)} of the question's {len(question)} terms"
    if missing:
        details += f"; missing: {', '.join(missing[:10])}"
    if score >= MIN_QUESTION_OVERLAP:
        return passed(details, score=score)
    return failed(details, score=score)


@check("answer_citations")
def answer_citations(run):
    """Pass an answer that links to or lists its sources, when the agent had something to cite."""
    requested = SOURCE_WORD_RE.search(instruction_text(run))
    if not agent_tools(run) and not requested:
        return not_applicable("the agent has no tools and its instructions ask for no sources")
    if not words(run.answer or ""):
        return _no_answer()

    found_links = links(run.answer)
    section = SOURCES_LABEL_RE.search(CODE_BLOCK_RE.sub(" ", run.answer))
    if found_links:
        return passed(f"the answer contains {len(found_links)} links")
    if section:
        return passed(f"the answer has a {section.group(1).lower()} section without links", score=0.5)
    return failed("the answer has no links and no sources section")


@check("completeness")
def completeness(run):
    """Pass a substantive answer: long enough, or structured with lists, headings or code."""
    answer = run.answer or ""
    # Code counts: an answer that is a working snippet can be complete.
    total = len(words(URL_RE.sub(" ", answer)))
    if total == 0:
        return _no_answer()

    structure = []
    if len(list_items(answer)) >= 2:
        structure.append(f"{len(list_items(answer))} list items")
    if headings(answer):
        structure.append(f"{len(headings(answer))} headings")
    if CODE_BLOCK_RE.search(answer):
        structure.append("code")
    score = min(1.0, total / SUBSTANTIVE_WORDS + (0.25 if structure else 0))
    details = f"{total} words" + (f", {', '.join(structure)}" if structure else ", no lists, headings or code")

    if total >= SUBSTANTIVE_WORDS or (structure and total >= STRUCTURED_WORDS):
        return passed(details, score=score)
    return failed(details, score=score)


@check("tool_call_text_leak")
def tool_call_text_leak(run):
    """Fail an answer that contains tool-call markup or a call written out as text."""
    answer = run.answer or ""
    if not answer.strip():
        return not_applicable("the run has no answer")

    markup = TOOL_MARKUP_RE.search(answer)
    if markup:
        return failed(f"the answer contains tool-call markup: {markup.group(0)[:80]!r}")
    fenced = TOOL_CODE_BLOCK_RE.search(answer)
    if fenced:
        return failed(f"the answer contains a tool-call code block: {' '.join(fenced.group(0).split())[:80]!r}")
    for name in sorted(agent_tools(run)):
        call = re.search(r"(?<![\w.])" + re.escape(name) + r"\(\s*(?:\w+\s*=|\{|\")", prose(answer))
        if call:
            return failed(f"the answer writes out a call to the tool {name!r}: {call.group(0)!r}")
    return passed("no tool-call markup in the answer")
