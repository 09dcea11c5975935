"""Helpers for reading an agent's instructions: placeholders, clauses and negations."""

import re

# Instructions that frameworks write when the agent had none.
PLACEHOLDER_RE = re.compile(r"^\s*(<bound method [^>]*>|no system prompt( found)?|none|null)\s*$", re.IGNORECASE)

CLAUSE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+|\n+")
NEGATION_RE = re.compile(
    r"\b(do not|don't|dont|never|must not|should not|shouldn't|cannot|can't|avoid|without|no)\b", re.IGNORECASE
)


def instruction_text(run):
    """Return the run's instructions, or "" when the log holds only a placeholder."""
    text = run.instructions or ""
    if PLACEHOLDER_RE.match(text):
        return ""
    return text


def clauses(text):
    """Split instructions into sentences and lines, the units a request or limit is read from."""
    return [clause.strip() for clause in CLAUSE_SPLIT_RE.split(text) if clause.strip()]


def is_negated(clause, position):
    """Return True when a negation precedes `position` in the clause."""
    return NEGATION_RE.search(clause[:position]) is not None
