"""Text cues in the customer's own words: anger, urgency, loss of trust, a threat to complain.

Chinese is cut into words by jieba (its own tokenizer instance, with the lexicon's terms added
so that they stay whole); English by a regular expression. Then, clause by clause:

- a cue preceded by a negator, with only filler words between, is dropped ("并不着急",
  "not angry at all");
- an intensifier just before a cue multiplies it ("非常生气", "extremely upset"); a message
  with "!!!" / "！！" or a word in capitals is sharper as a whole;
- a clause that names a third party and not us ("供电局挖断了光缆，太气人了") keeps a fifth of
  its anger and threats: the customer is angry, but not with us.

`cues(text)` returns, per kind, a strength in 0..1 and the words that triggered it.
"""

import functools
import re
from dataclasses import dataclass

from . import lexicon

_CLAUSE = re.compile(r"[，。！？；：,.!?;:\n]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
_SHOUT = re.compile(r"[!！]{2,}")
_CAPS = re.compile(r"\b[A-Z]{3,}\b")
THIRD_PARTY_SHARE = 0.2


@dataclass(frozen=True)
class Cue:
    kind: str
    strength: float  # 0..1
    words: tuple[str, ...]


@functools.cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)  # its "Building prefix dict" chatter is not ours to print
    tk = jieba.Tokenizer()
    words = {w for kind in lexicon.CUES.values() for w in kind if _HAN.search(w)}
    words |= {w for w in lexicon.THIRD_PARTIES | lexicon.US | lexicon.CALM if _HAN.search(w)}
    words |= {w for w in lexicon.NEGATORS | set(lexicon.INTENSIFIERS) if _HAN.search(w)}
    for word in sorted(words):
        tk.add_word(word, freq=200000)
    return tk


@functools.cache
def _en_phrases() -> dict[tuple[str, ...], list[tuple[str, float]]]:
    out: dict[tuple[str, ...], list[tuple[str, float]]] = {}
    for kind, terms in lexicon.CUES.items():
        for term, weight in terms.items():
            if not _HAN.search(term):
                out.setdefault(tuple(term.split()), []).append((kind, weight))
    return out


def _tokens(clause: str) -> list[str]:
    """Lower-case tokens: jieba's for Chinese runs, words for Latin ones, digits whole."""
    out: list[str] = []
    for piece in _tokenizer().lcut(clause.lower()):
        piece = piece.strip()
        if not piece:
            continue
        if _HAN.search(piece):
            out.append(piece)
        else:
            out.extend(_EN_TOKEN.findall(piece))
    return out


def _negated(tokens: list[str], start: int) -> bool:
    i = start - 1
    while i >= 0 and start - i <= 4:
        if tokens[i] in lexicon.NEGATORS:
            return True
        if tokens[i] not in lexicon.FILLERS and tokens[i] not in lexicon.INTENSIFIERS:
            return False
        i -= 1
    return False


def _intensity(tokens: list[str], start: int) -> float:
    for i in (start - 1, start - 2):
        if i >= 0 and tokens[i] in lexicon.INTENSIFIERS:
            return lexicon.INTENSIFIERS[tokens[i]]
    return 1.0


def _phrase(text: str, terms: set[str]) -> bool:
    low = text.lower()
    return any(
        (t in low) if _HAN.search(t) else re.search(rf"\b{re.escape(t)}\b", low) for t in terms
    )


def _target(clause: str, previous: str) -> str:
    """Whom a clause is about: "us", "third" (a third party and not us), else the previous
    clause's target ("供电局挖断了光缆，真是气死人": the second clause is still about them)."""
    if _phrase(clause, lexicon.US):
        return "us"
    if _phrase(clause, lexicon.THIRD_PARTIES):
        return "third"
    return previous


def _clause_hits(clause: str, target: str) -> list[tuple[str, float, str]]:
    tokens = _tokens(clause)
    zh = {w: (k, wt) for k, terms in lexicon.CUES.items() for w, wt in terms.items()}
    en = _en_phrases()
    hits = []
    i = 0
    while i < len(tokens):
        found = None
        for length in (4, 3, 2, 1):
            key = tuple(tokens[i : i + length])
            if len(key) == length and key in en:
                found = (length, en[key], " ".join(key))
                break
        if found is None and tokens[i] in zh:
            kind, weight = zh[tokens[i]]
            found = (1, [(kind, weight)], tokens[i])
        if found is None:
            i += 1
            continue
        length, kinds, word = found
        if not _negated(tokens, i):
            boost = _intensity(tokens, i)
            hits.extend((kind, weight * boost, word) for kind, weight in kinds)
        i += length
    if target == "third":
        hits = [
            (k, w * THIRD_PARTY_SHARE if k in (lexicon.ANGER, lexicon.THREAT) else w, word)
            for k, w, word in hits
        ]
    return hits


@functools.lru_cache(maxsize=65536)
def cues(text: str) -> tuple[Cue, ...]:
    """The cues in one message, strongest kind first; kinds without a hit are left out."""
    if not text:
        return ()
    sharp = 1.0
    if _SHOUT.search(text):
        sharp = 1.3
    elif _CAPS.search(text):
        sharp = 1.2
    by_kind: dict[str, list[tuple[float, str]]] = {}
    target = "us"
    for clause in _CLAUSE.split(text):
        target = _target(clause, target)
        for kind, weight, word in _clause_hits(clause, target):
            by_kind.setdefault(kind, []).append((weight, word))
    out = []
    for kind, hits in by_kind.items():
        # Two clear words are a full sign; more of them change nothing.
        strength = min(1.0, sum(w for w, _ in hits) * sharp / 1.5)
        words = tuple(dict.fromkeys(word for _, word in hits))
        out.append(Cue(kind, round(strength, 3), words))
    return tuple(sorted(out, key=lambda c: -c.strength))


def is_calm(text: str) -> bool:
    """A message with a calm word and no cue at all ("好的，谢谢", "thanks, all good")."""
    return bool(text) and not cues(text) and _phrase(text, lexicon.CALM)
