"""The tools an agent had and the calls it made, as the checks count them."""

import re
from collections import Counter

from ..run import TOOL_RETURN
from .instructions import clauses, instruction_text

SEARCH_WORD = "search"
SEARCH_WORD_RE = re.compile(r"\bsearch", re.IGNORECASE)


def agent_tools(run):
    """Return the names of the agent's tools: those the log lists and those the run called."""
    names = {name for name in run.tools if name}
    names.update(part.tool_name for part in run.tool_calls if part.tool_name)
    return names


def search_tools(run):
    """Return the agent's search tools: any tool whose name contains "search", else the one the instructions
    name in a sentence about searching."""
    tools = agent_tools(run)
    named = {name for name in tools if SEARCH_WORD in name.lower()}
    if named:
        return named

    for clause in clauses(instruction_text(run)):
        if SEARCH_WORD_RE.search(clause):
            named.update(name for name in tools if re.search(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", clause))
    return named


def call_counts(run):
    """Count the calls of each tool: its call parts, or its returns when the log kept more of those.

    A hand-written log may record only what a tool returned; each return still stands for one call.
    """
    calls = Counter(part.tool_name for part in run.tool_calls)
    returns = Counter(part.tool_name for part in run.parts if part.kind == TOOL_RETURN and part.tool_name)
    return calls | returns
