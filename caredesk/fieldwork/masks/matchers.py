"""What a masking rule may silence: Alertmanager's matchers, checked before anything is saved.

Pure functions, no database. A matcher is Alertmanager's `{name, value, isRegex, isEqual}`
(a regex is anchored at both ends, as Alertmanager anchors it). Refused, each with its reason:

- no matcher at all, or only negative ones (`name!=v`, `name!~re`): such a silence mutes every
  alarm but a few — the night shift's "mask it all" of seed case 5;
- a positive regex that matches the empty string, or has no character it must contain (`.*`,
  `.+`, `\\S+`, `(.*)|x`): a bare broad regex is the same "everything" in disguise;
- an equality with an empty value (it matches every alarm without that label);
- a regex that does not compile, or uses what Alertmanager's RE2 has not (look-arounds,
  back-references), which Alertmanager would refuse after CareDesk had said yes.

A rule passes when at least one positive matcher narrows it: an exact value, or a regex with a
character every match must contain.
"""

import re
import re._constants as sre
import re._parser as sre_parse
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MAX_MATCHERS = 20
MAX_VALUE = 1000
# The text form of one matcher, as amtool and the upload write it: name=value, name!=value,
# name=~regex, name!~regex (values may be quoted).
TEXT_FORM = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")
_NOT_RE2 = {sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS}


@dataclass(frozen=True)
class Problem:
    """One reason a list of matchers is refused: `index` is the matcher's (None: the whole
    list), `code` a stable name, `message` the words."""

    index: int | None
    code: str
    message: str


def _walk(items) -> tuple[bool, bool]:
    """(has a required literal, uses something RE2 has not) of a parsed pattern."""
    required = False
    unsupported = False
    for op, av in items:
        if op in _NOT_RE2:
            unsupported = True
        elif op is sre.LITERAL:
            required = True
        elif op is sre.IN:
            # A class of plain characters ([abc]) is as good as a literal; a range or a
            # negated class ([0-9], [^x]) matches too much to narrow anything.
            if av and all(o is sre.LITERAL for o, _v in av):
                required = True
        elif op is sre.SUBPATTERN:
            req, uns = _walk(av[-1])
            required |= req
            unsupported |= uns
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            req, uns = _walk(sub)
            required |= req and low >= 1
            unsupported |= uns
        elif op is sre.BRANCH:
            results = [_walk(b) for b in av[1]]
            required |= all(r for r, _u in results)
            unsupported |= any(u for _r, u in results)
        elif op is sre.ATOMIC_GROUP:
            unsupported = True
    return required, unsupported


def regex_problem(value: str) -> tuple[str, str] | None:
    """(code, message) when `value` is not a regex Alertmanager would take, else None."""
    try:
        parsed = sre_parse.parse(value)
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        return "regex_invalid", str(_("The regular expression does not compile: %(why)s.")) % {
            "why": getattr(exc, "msg", str(exc))
        }
    _required, unsupported = _walk(parsed.data if hasattr(parsed, "data") else parsed)
    if unsupported:
        return "regex_unsupported", str(
            _("Alertmanager's regular expressions have no look-arounds or back-references.")
        )
    return None


def is_broad_regex(value: str) -> bool:
    """A regex (anchored, as Alertmanager anchors it) that matches the empty string or has no
    character every match must contain."""
    if re.fullmatch(value, ""):
        return True
    parsed = sre_parse.parse(value)
    required, _unsupported = _walk(parsed.data if hasattr(parsed, "data") else parsed)
    return not required


def _shape(matcher: Any) -> dict[str, Any] | None:
    if not isinstance(matcher, dict):
        return None
    name, value = matcher.get("name"), matcher.get("value")
    is_regex, is_equal = matcher.get("isRegex", False), matcher.get("isEqual", True)
    if not isinstance(name, str) or not isinstance(value, str):
        return None
    if not isinstance(is_regex, bool) or not isinstance(is_equal, bool):
        return None
    return {"name": name, "value": value, "isRegex": is_regex, "isEqual": is_equal}


def normalised(matchers: list[Any]) -> list[dict[str, Any]]:
    """The matchers in Alertmanager's exact shape (isEqual defaults to true), ordered by name
    so the same silence always reads the same; only for lists `problems` passed."""
    return sorted((_shape(m) for m in matchers), key=lambda m: (m["name"], m["value"]))


# The words of each refusal, by code.
MESSAGES = {
    "match_everything": _("A rule needs at least one matcher: without one it masks every alarm."),
    "negative_only": _(
        "Only negative matchers: the rule would mask every other alarm. Add one that names what "
        "to mask."
    ),
    "too_many_matchers": _("At most %(n)d matchers."),
    "matcher_shape": _("A matcher is {name, value, isRegex, isEqual}: name and value as text."),
    "label_name": _("A label name is letters, digits and underscores, not starting with a digit."),
    "value_too_long": _("At most %(n)d characters."),
    "broad_regex": _("%(value)s matches (almost) anything: name the values to mask."),
    "empty_value": _("An empty value matches every alarm without this label."),
}


def _problem(index: int | None, code: str, **values) -> Problem:
    return Problem(index, code, str(MESSAGES[code]) % values if values else str(MESSAGES[code]))


def _matcher_problem(i: int, m: dict[str, Any] | None) -> tuple[Problem | None, bool]:
    """(what is wrong with one matcher, whether it narrows the rule)."""
    if m is None:
        return _problem(i, "matcher_shape"), False
    if not LABEL_NAME.match(m["name"]):
        return _problem(i, "label_name"), False
    if len(m["value"]) > MAX_VALUE:
        return _problem(i, "value_too_long", n=MAX_VALUE), False
    if m["isRegex"]:
        if problem := regex_problem(m["value"]):
            return Problem(i, *problem), False
        if m["isEqual"] and is_broad_regex(m["value"]):
            return _problem(i, "broad_regex", value=m["value"] or '""'), False
        return None, m["isEqual"]
    if m["isEqual"] and m["value"] == "":
        return _problem(i, "empty_value"), False
    return None, m["isEqual"]


def problems(matchers: list[Any]) -> list[Problem]:
    """Every reason these matchers may not become a silence; empty when they may."""
    if not isinstance(matchers, list) or not matchers:
        return [_problem(None, "match_everything")]
    found: list[Problem] = []
    if len(matchers) > MAX_MATCHERS:
        found.append(_problem(None, "too_many_matchers", n=MAX_MATCHERS))
    narrowing = 0
    for i, raw in enumerate(matchers):
        problem, narrows = _matcher_problem(i, _shape(raw))
        if problem is not None:
            found.append(problem)
        narrowing += narrows
    if not found and narrowing == 0:
        found.append(_problem(None, "negative_only"))
    return found


def parse_text(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Matchers from their text form, separated by ';' or new lines
    (`ne="OTN-07"; alarm=~"LOS|LOF"`). Returns (matchers, the first part that is not a
    matcher, or None)."""
    found = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        m = TEXT_FORM.match(part)
        if m is None:
            return found, part.strip()
        name, op, value = m.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found.append({"name": name, "value": value, "isRegex": "~" in op, "isEqual": "!" not in op})
    return found, None


def as_text(matchers: list[dict[str, Any]]) -> str:
    """The text form of matchers (as parse_text reads it), for pages and messages."""
    ops = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}
    return ", ".join(
        f'{m["name"]}{ops[(m["isRegex"], m["isEqual"])]}"{m["value"]}"' for m in matchers
    )
