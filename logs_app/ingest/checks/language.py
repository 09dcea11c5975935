"""Guess the language of an answer, well enough to tell whether it follows "answer in X"."""

import re

from .text import WORD_RE, prose

SCRIPTS = {
    "chinese": re.compile(r"[\u4e00-\u9fff]"),
    "japanese": re.compile(r"[\u3040-\u30ff]"),
    "korean": re.compile(r"[\uac00-\ud7af]"),
    "russian": re.compile(r"[\u0400-\u04ff]"),
    "ukrainian": re.compile(r"[\u0400-\u04ff]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
}
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")

# Frequent short words that are rare in the other listed languages.
FUNCTION_WORDS = {
    "english": {"the", "and", "is", "are", "of", "to", "with", "this", "that", "for", "you", "it"},
    "spanish": {"el", "los", "las", "y", "es", "son", "del", "con", "para", "que", "una", "por"},
    "french": {"le", "les", "et", "est", "sont", "des", "du", "avec", "pour", "une", "dans", "vous"},
    "german": {"der", "die", "das", "und", "ist", "sind", "mit", "für", "ein", "eine", "nicht", "sie"},
    "portuguese": {"os", "as", "e", "é", "são", "do", "da", "com", "para", "uma", "não", "em"},
    "italian": {"il", "gli", "e", "è", "sono", "della", "con", "per", "una", "che", "non", "nel"},
}


def answer_matches_language(text, language):
    """Return (matches, detail) for whether most of the text is in `language`."""
    body = prose(text)
    letters = LATIN_RE.findall(body)
    if language in SCRIPTS:
        in_script = len(SCRIPTS[language].findall(body))
        share = in_script / max(1, in_script + len(letters))
        return share >= 0.5, f"{share:.0%} of letters are in the {language} script"

    words = [word.lower() for word in WORD_RE.findall(body)]
    counts = {name: sum(word in vocabulary for word in words) for name, vocabulary in FUNCTION_WORDS.items()}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        return False, f"no common {language} words found"
    return best == language, f"the answer reads as {best}"
