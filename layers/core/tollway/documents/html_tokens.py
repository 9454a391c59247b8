"""A linear-time HTML tokenizer: the start tags, end tags and text of a page, in one forward pass.

The standard library's `html.parser` rescans the rest of the input for every construct that does
not end (`<a` without `>`, `<!--` without `-->`): 150 KB of them take seconds to tokenize
(CVE-2025-6069, fixed only in later Pythons), and some malformed input makes it raise
AssertionError. Here the HTML standard's rules are followed where they matter for text: a tag
runs to the first `>` outside a quoted attribute value, a comment to `-->`, the content of script
and style to their end tag, and a construct that never ends swallows the rest of the input, as
in a browser. Every search starts where the previous one stopped, so each character is read a
bounded number of times whatever the input.

    >>> list(html_tokens("<p title='a>b'>Fish &amp; chips<br/></p>"))
    [('start', 'p'), ('text', 'Fish & chips'), ('startend', 'br'), ('end', 'p')]
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Literal

Token = tuple[Literal["start", "end", "startend", "text"], str]

_RAW_TEXT = ("script", "style")  # their content is text up to their end tag, never markup
_RAW_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in _RAW_TEXT}
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_EQUALS_OR_END = re.compile(r"[=>]")
_SPACE = re.compile(r"[\t\n\f\r ]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
# A numeric character reference with more digits than any code point has: html.unescape would
# convert it with int(), which refuses more than 4300 digits (ValueError) and is quadratic below.
_LONG_REFERENCE = re.compile(r"&#(?:([xX])([0-9a-fA-F]{9,})|([0-9]{9,}));?")


def _shorten(match: re.Match[str]) -> str:
    digits = (match.group(2) or match.group(3)).lstrip("0")
    if len(digits) > 8:
        return "\ufffd"  # beyond U+10FFFF: what a browser shows
    return f"&#{match.group(1) or ''}{digits or '0'};"


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return html.unescape(_LONG_REFERENCE.sub(_shorten, text))


def _after(text: str, marker: str, start: int) -> int:
    """The position after the next `marker`, or the end of the text if there is none."""
    found = text.find(marker, start)
    return len(text) if found < 0 else found + len(marker)


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """The position after what `pattern` (which may match nothing) matches at `position`."""
    match = pattern.match(text, position)
    return match.end() if match else position


def _tag_end(text: str, position: int) -> int:
    """The position after the `>` that ends the tag whose attributes start at `position`, or -1 if
    the input ends first. Quotes only matter around an attribute value, right after its `=`."""
    while True:
        mark = _EQUALS_OR_END.search(text, position)
        if mark is None:
            return -1
        if text[mark.start()] == ">":
            return mark.end()
        position = _skip(_SPACE, text, mark.end())
        quote = text[position:position + 1]
        if quote in ("'", '"'):
            close = text.find(quote, position + 1)
            if close < 0:
                return -1
            position = close + 1
        else:
            position = _skip(_UNQUOTED, text, position)


def _is_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def html_tokens(text: str) -> Iterator[Token]:
    i, n = 0, len(text)
    while i < n:
        lt = text.find("<", i)
        if lt < 0:
            yield "text", _unescape(text[i:])
            return
        if lt > i:
            yield "text", _unescape(text[i:lt])
        following = text[lt + 1:lt + 2]
        if _is_letter(following) or (following == "/" and _is_letter(text[lt + 2:lt + 3])):
            start = lt + 1 if following != "/" else lt + 2
            name_end = _skip(_TAG_NAME, text, start)
            end = _tag_end(text, name_end)
            if end < 0:
                return  # the input ends inside a tag: a browser drops it
            name = text[start:name_end].lower()
            if following == "/":
                yield "end", name
            elif end - 2 >= name_end and text[end - 2] == "/":
                yield "startend", name
            else:
                yield "start", name
                if name in _RAW_END:
                    close = _RAW_END[name].search(text, end)
                    stop = n if close is None else close.start()
                    if stop > end:
                        yield "text", text[end:stop]
                    end = stop
            i = end
        elif following == "/":
            i = lt + 3 if text.startswith(">", lt + 2) else _after(text, ">", lt + 2)  # `</>`, or a bogus comment
        elif text.startswith("<!--", lt):
            if text.startswith(">", lt + 4) or text.startswith("->", lt + 4):
                i = _after(text, ">", lt + 4)  # `<!-->` and `<!--->` are empty comments
            else:
                i = _after(text, "-->", lt + 4)
        elif following in ("!", "?"):
            i = _after(text, ">", lt + 2)  # doctype, CDATA, processing instruction: nothing to read
        else:
            yield "text", "<"
            i = lt + 1
