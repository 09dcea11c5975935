"""Turn a log file's bytes into text.

UTF-8 is expected, with or without a byte order mark. UTF-16 and UTF-32 files
are decoded when they start with a byte order mark, which Windows tools such as
PowerShell's Out-File write. Without a mark, the NUL bytes around the first
character tell UTF-16 and UTF-32 apart from UTF-8, because JSON text starts
with an ASCII character. Invalid text fails with the offset of the first
invalid byte.
"""

import codecs

from logs_app.ingest.run import ParseError

# UTF-32 marks come first because the UTF-32-LE mark starts with the UTF-16-LE one.
BYTE_ORDER_MARKS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]


def encoding_from_nul_pattern(head):
    """Return (codec, label) for the first four bytes of a JSON text without a byte order mark."""
    nul = tuple(byte == 0 for byte in head)
    if nul == (True, True, True, False):
        return "utf-32-be", "UTF-32"
    if nul == (False, True, True, True):
        return "utf-32-le", "UTF-32"
    if nul[:2] == (True, False):
        return "utf-16-be", "UTF-16"
    if nul[:2] == (False, True):
        return "utf-16-le", "UTF-16"
    return "utf-8", "UTF-8"


def decode_log(data):
    """Return the text of a log file without its byte order mark; raise ParseError when it is not text."""
    if not data:
        raise ParseError("empty file")

    encoding, label, start = "utf-8", "UTF-8", 0
    for mark, mark_encoding, mark_label in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            encoding, label, start = mark_encoding, mark_label, len(mark)
            break
    else:
        encoding, label = encoding_from_nul_pattern(data[:4])

    try:
        text = str(data[start:], encoding)
    except UnicodeDecodeError as error:
        offset = start + error.start
        bad = data[offset : offset + 4].hex(" ")
        raise ParseError(
            f"invalid {label} at byte offset {offset} (bytes {bad}): "
            "save the log as UTF-8 and move it back into the folder"
        )

    if not text.strip():
        raise ParseError("empty file")
    return text
