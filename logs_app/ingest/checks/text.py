"""Text helpers shared by the checks: words, sentences, links, list items and term stems."""

import functools
import re

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "once": 1,
    "twice": 2,
}
# A count written as digits or as a word from one to ten (plus once and twice), for use inside a group.
NUMBER = r"\d+|" + "|".join(NUMBER_WORDS)

CODE_BLOCK_RE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
# Fenced blocks that models use for tool calls they failed to make, such as ```tool_code.
TOOL_CODE_BLOCK_RE = re.compile(
    r"```\s*(?:tool_code|tool_call|tool_calls|function_call)\b(.*?)(?:```|$)", re.DOTALL | re.IGNORECASE
)
URL_RE = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
MARKDOWN_LINK_RE = re.compile(r"\[([^\]\n]+)\]\(\s*([^)\s]+)[^)]*\)")
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+\S", re.MULTILINE)
HEADING_RE = re.compile(r"^\s*(?:#{1,6}\s+\S|\*\*[^*\n]{2,80}\*\*:?\s*$|[A-Z][\w /&-]{1,40}:\s*$)", re.MULTILINE)
# A line that opens a list of sources: "Sources:", "## References", "**Sources used**:".
SOURCES_LABEL_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?\**\s*(sources?|references?|citations?|bibliography|further reading)"
    r"(?:\s+\w+){0,2}\s*\**\s*(?::|$)",
    re.IGNORECASE | re.MULTILINE,
)
# CJK full stops end a sentence without a following space.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\n+")
# Scripts written without spaces between words (Chinese, Japanese, Korean syllables).
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either else even ever every few for from
    further get gets got had has have having he her here hers herself him himself his how i if in into is it its
    itself just let like me might more most much must my myself no nor not now of off on once only or other our
    ours ourselves out over own please same shall she should so some such tell than that the their theirs them
    themselves then there these they this those through to too under until up upon us use used using very want
    was we were what when where whether which while who whom whose why will with within without would you your
    yours yourself yourselves explain describe give show know need way ways thing things""".split()
)


def to_number(text):
    text = text.lower()
    return NUMBER_WORDS[text] if text in NUMBER_WORDS else int(text)


def prose(text):
    """Return the text without fenced code blocks and with each URL replaced by a space."""
    return URL_RE.sub(" ", CODE_BLOCK_RE.sub(" ", text))


def words(text):
    """Return the words of the text; CJK text, written without spaces, counts as one word per two characters."""
    found = WORD_RE.findall(text)
    if not CJK_RE.search(text):
        return found
    cjk_characters = sum(len(CJK_RE.findall(word)) for word in found)
    # NOTE: two characters per word is an estimate of average word length in Chinese and Japanese.
    return [word for word in found if not CJK_RE.search(word)] + ["\u3000"] * ((cjk_characters + 1) // 2)


def sentences(text):
    """Split prose into sentences; each line of a list or table counts as one."""
    return [part for part in SENTENCE_END_RE.split(text) if words(part)]


def links(text):
    """Return every URL in the text, markdown link targets included."""
    return URL_RE.findall(text)


def markdown_links(text):
    return MARKDOWN_LINK_RE.findall(text)


def list_items(text):
    return LIST_ITEM_RE.findall(CODE_BLOCK_RE.sub(" ", text))


def headings(text):
    return HEADING_RE.findall(CODE_BLOCK_RE.sub(" ", text))


# Suffixes that stem() strips, longest first, with what replaces them.
SUFFIXES = (
    ("ically", "ic"),
    ("ations", ""),
    ("ation", ""),
    ("ical", "ic"),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
    ("ly", ""),
)
# Stems shorter than this match only in full; "math" starts "mathematic", "cat" does not match "category".
MIN_PREFIX_STEM = 4


# Checks stem the same words many times per run (prompt, answer, instructions).
@functools.lru_cache(maxsize=16384)
def stem(word):
    """Reduce an English word to a rough stem so that plural, verb and noun forms of a term match."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix, replacement in SUFFIXES:
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            # "running" and "stopped": the doubled consonant goes too, except in "fall" or "pass".
            doubled = len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouylsz"
            if suffix in ("ing", "ings", "ed") and doubled:
                word = word[:-1]
            break
    # "generate" and "generating" both become "generat".
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def same_term(first, second):
    """Return whether two stems name one term: equal, or the shorter, of MIN_PREFIX_STEM letters or more,
    starts the longer (a light stand-in for full stemming, as in "math" and "mathematics")."""
    if first == second:
        return True
    short, long = sorted((first, second), key=len)
    return len(short) >= MIN_PREFIX_STEM and short.isalpha() and long.startswith(short)


def terms(text):
    """Return the content words of the text keyed by stem (CJK text by character); URLs are skipped."""
    result = {}
    for word in WORD_RE.findall(URL_RE.sub(" ", text).lower()):
        if CJK_RE.search(word):
            result.update((character, character) for character in CJK_RE.findall(word))
            continue
        stemmed = stem(word)
        if stemmed not in STOPWORDS and word not in STOPWORDS and (len(stemmed) > 2 or word.isdigit()):
            result.setdefault(stemmed, word)
    return result
