"""Cut a sentence into tokens: lower-case words and punctuation marks, with their places.

Contractions split as the GloVe vectors' corpus split them ("don't" → "do" + "n't", "it's" →
"it" + "'s"), so negations get a vector of their own. Each token keeps the character offsets of
its text in the sentence, so a view can highlight an n-gram in what the student typed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Token", "characters", "tokenize"]

# letters/digits are [^\W_]; a word before "n't" stops short of the n; an apostrophe starts a
# clitic ('s, 're, 'll …); any other non-space character is a token of its own
_TOKEN = re.compile(r"[^\W_]+(?=n['’]t\b)|n['’]t\b|['’](?:s|re|ll|ve|d|m)\b|[^\W_]+|\S",
                    re.IGNORECASE)


class Token(NamedTuple):
    """One token: its normalised ``text`` and where it stands, ``sentence[start:end]``."""

    text: str
    start: int
    end: int


def tokenize(sentence: str) -> list[Token]:
    """The words and punctuation marks of ``sentence``, lower-cased, in order."""
    if not isinstance(sentence, str):
        raise ValueError(f"a sentence must be text, not {type(sentence).__name__}")
    return [Token(m.group().lower().replace("’", "'"), m.start(), m.end())
            for m in _TOKEN.finditer(sentence)]


def characters(sentence: str) -> list[Token]:
    """Every character of ``sentence`` as a token, lower-cased; runs of spaces count once."""
    if not isinstance(sentence, str):
        raise ValueError(f"a sentence must be text, not {type(sentence).__name__}")
    out: list[Token] = []
    end = len(sentence.rstrip())
    for i, ch in enumerate(sentence[:end]):
        if ch.isspace():
            if not out or out[-1].text == " ":
                continue
            out.append(Token(" ", i, i + 1))
        else:
            out.append(Token(ch.lower(), i, i + 1))
    return out
