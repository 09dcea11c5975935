"""Read limits on tool calls ("at most 6 searches", "do not call X more than 3 times") from instructions.

The parsing is shallow on purpose: it recognises common phrasings and skips what it
cannot attach to a tool, because a check that invents a limit is worse than one that
does not apply.
"""

import re
from dataclasses import dataclass

from .instructions import clauses, is_negated
from .text import NUMBER, to_number

SEARCH = "search"
ANY_TOOL = "*"

MIN_WORDS = r"at least|no fewer than|not fewer than|a minimum of|minimum of|min\."
MAX_WORDS = r"at most|no more than|not more than|a maximum of|maximum of|max\.|up to|only"
LIMIT_RE = re.compile(
    rf"\b(?:{MIN_WORDS})\s+(?P<low>{NUMBER})\s*(?:,|and|but|to)?\s*(?:{MAX_WORDS})\s+(?P<high>{NUMBER})\b"
    rf"|\bbetween\s+(?P<between_low>{NUMBER})\s+and\s+(?P<between_high>{NUMBER})\b"
    rf"|\b(?P<kind>{MIN_WORDS}|{MAX_WORDS}|more than|fewer than|less than|exactly)\s+(?P<count>{NUMBER})\b"
    rf"|\b(?P<bare>{NUMBER})[- ](?P<noun>search|tool[- ]call|call|query)(?:es|s)?[- ]limit\b"
    rf"|\blimit of\s+(?P<limit>{NUMBER})\b",
    re.IGNORECASE,
)
# Words that may sit between a count and what it counts, as in "at least 3 distinct searches".
FILLER = r"(?:(?:distinct|different|separate|broad|specific|focused|targeted|unique|more|additional|total|`)\s*)*"
SEARCH_NOUN_RE = re.compile(r"\s*" + FILLER + r"(searches|search calls|search queries|queries|lookups)\b", re.I)
CALL_NOUN_RE = re.compile(r"\s*" + FILLER + r"(calls|tool calls|function calls|times|attempts)\b", re.I)
TOOL_CALL_NOUN_RE = re.compile(r"\s*" + FILLER + r"(tool|function) calls\b", re.I)
# In "at most twice" the count word itself shows that calls are counted.
ONCE_TWICE_RE = re.compile(r"\b(once|twice)$", re.I)
SEARCH_VERB_RE = re.compile(r"\bsearch(?:es|ing)?\b", re.I)
TOOLS_WORD_RE = re.compile(r"\b(tools?|functions?)\b", re.I)


@dataclass(frozen=True)
class Limit:
    """A bound on the number of calls to one tool, to search tools (SEARCH) or to any tool (ANY_TOOL)."""

    target: str
    minimum: int | None
    maximum: int | None
    phrase: str

    def describe(self):
        if self.minimum is not None and self.maximum is not None:
            if self.minimum == self.maximum:
                return f"exactly {self.minimum}"
            return f"between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f"at least {self.minimum}"
        return f"at most {self.maximum}"

    def allows(self, count):
        if self.minimum is not None and count < self.minimum:
            return False
        return self.maximum is None or count <= self.maximum


def find_limits(text, tool_names):
    """Return the distinct limits that the instructions set on calls to the tools in `tool_names`."""
    limits = {}
    for clause in clauses(text):
        for match in LIMIT_RE.finditer(clause):
            limit = _limit_from_match(clause, match, tool_names)
            if limit is not None:
                limits.setdefault((limit.target, limit.minimum, limit.maximum), limit)
    return list(limits.values())


def _limit_from_match(clause, match, tool_names):
    if match.group("bare") or match.group("limit"):
        maximum = to_number(match.group("bare") or match.group("limit"))
        noun = (match.group("noun") or "").lower()
        target = SEARCH if noun.startswith((SEARCH, "query")) else _target_named_before(clause, match, tool_names)
        return Limit(target, None, maximum, match.group(0)) if target else None

    minimum = maximum = None
    if match.group("low") or match.group("between_low"):
        minimum = to_number(match.group("low") or match.group("between_low"))
        maximum = to_number(match.group("high") or match.group("between_high"))
    else:
        kind = match.group("kind").lower()
        count = to_number(match.group("count"))
        if kind == "more than":
            # "more than 3" only limits in a negated clause: "do not call X more than 3 times".
            if not is_negated(clause, match.start()):
                return None
            maximum = count
        elif kind in ("fewer than", "less than"):
            maximum = count - 1
        elif kind == "exactly":
            minimum = maximum = count
        elif re.fullmatch(MIN_WORDS, kind):
            minimum = count
        else:
            maximum = count

    target = _target_after_count(clause, match, tool_names)
    return Limit(target, minimum, maximum, match.group(0)) if target else None


def _target_after_count(clause, match, tool_names):
    """Return what the count in `match` counts: a tool name, SEARCH, ANY_TOOL, or "" for anything else."""
    after = clause[match.end() :]
    for name in sorted(tool_names, key=len, reverse=True):
        if re.match(r"\s*" + FILLER + r"`?" + re.escape(name) + r"(?!\w)", after, re.I):
            return name
    if SEARCH_NOUN_RE.match(after):
        return SEARCH
    if TOOL_CALL_NOUN_RE.match(after):
        return _target_named_before(clause, match, tool_names) or ANY_TOOL
    if CALL_NOUN_RE.match(after) or ONCE_TWICE_RE.search(match.group(0)):
        return _target_named_before(clause, match, tool_names)
    return ""


def _target_named_before(clause, match, tool_names):
    """Return the tool named last before the count, else SEARCH or ANY_TOOL by the words used, else ""."""
    before = clause[: match.start()]
    positions = {name: _last_mention(before, name) for name in tool_names}
    named = [name for name, position in positions.items() if position >= 0]
    if named:
        return max(named, key=positions.get)
    if SEARCH_VERB_RE.search(before):
        return SEARCH
    if TOOLS_WORD_RE.search(before):
        return ANY_TOOL
    return ""


def _last_mention(text, name):
    found = list(re.finditer(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", text, re.I))
    return found[-1].start() if found else -1
