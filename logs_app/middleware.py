"""Show Unicode direction controls in HTML pages as visible text.

Log text is untrusted. A right-to-left override (U+202E) in a file name or a prompt
makes the browser draw the following characters in reverse, so "gnp.exe" reads as
"exe.png". Escaping does not help, because these characters are not markup. Every
HTML page therefore shows them as a visible code such as "[U+202E]"; the raw JSON
download is not HTML and keeps the original text.
"""

import re

# Embeddings, overrides and isolates: the controls that reorder the text around them.
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def show_direction_controls(text):
    return DIRECTION_CONTROLS.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)


class DirectionControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response

        charset = response.charset or "utf-8"
        text = response.content.decode(charset, errors="replace")
        if DIRECTION_CONTROLS.search(text):
            response.content = show_direction_controls(text).encode(charset)
        return response
