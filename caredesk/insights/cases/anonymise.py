"""Anonymisation of a learning case: the one place a case's words pass through.

People become their role with a letter ("工程师A" / "engineer A", "客户X" / "customer X"),
the same letter for the same person everywhere in one case (the letters are kept on the case,
so a manager's later edits use them too). Organisations become "XX电信" / "XX telecom" (an
operator), "XX分公司" / "XX branch" (a city branch), "XX代表处" / "XX office" (the vendor's) or
"XX合作方" / "XX partner". E-mail addresses, phone numbers and ticket or complaint numbers are
masked.

Free text is searched for every name the directory knows — display names, full names,
usernames, e-mail addresses and phones of every person, the name of every organisation — and
for the shapes of e-mail addresses, numbers (CD-2026-000123, CP-2026-000001) and phone numbers
(runs of seven digits or more, as tickets/services/working.py finds a colleague's number; a
date such as 2026-06-30 is not one). A Chinese surname with a title (王工, 李经理) is the person
when only one person has that surname, otherwise a generic "[name]". jionlp was considered for
phone numbers; the directory already lists the names that matter and the shapes are simple,
so no dependency was added.
"""

import re
from dataclasses import dataclass

from django.utils.translation import get_language, gettext_noop, override
from django.utils.translation import gettext as _

from caredesk.directory.models import Organisation, OrgKind, Person, Role

SYSTEM = "system"
# The label of each role, with its letter. Marked here, translated when told.
ROLE_LABELS = {
    Role.CUSTOMER_CONTACT: gettext_noop("customer %(letter)s"),
    Role.ENGINEER: gettext_noop("engineer %(letter)s"),
    Role.PARTNER_ENGINEER: gettext_noop("partner engineer %(letter)s"),
    Role.SERVICE_MANAGER: gettext_noop("service manager %(letter)s"),
    Role.PRODUCT_LEADER: gettext_noop("product maintenance leader %(letter)s"),
    Role.SPM: gettext_noop("SPM %(letter)s"),
    Role.ACCOUNT_HEAD: gettext_noop("account head %(letter)s"),
    Role.HOTLINE_AGENT: gettext_noop("hotline agent %(letter)s"),
    Role.ADMIN: gettext_noop("administrator %(letter)s"),
}
SYSTEM_LABEL = gettext_noop("CareDesk (automatic)")
STAFF_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVW"
CUSTOMER_LETTERS = "XYZUVW"
LANGUAGES = ("zh-hans", "en")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
RECORD_NUMBER = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,5}-\d{4}-\d{3,}")
PHONE_LIKE = re.compile(r"\+?\d[\d\s-]{5,}\d")
DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
CJK_NAME = re.compile(r"^[\u3400-\u9fff]{2,4}$")
CJK = re.compile(r"[\u3400-\u9fff]")
TITLES = ("工", "经理", "总", "主管", "老师", "先生", "女士", "部长")


def label(actor: dict) -> str:
    """A replay actor ({"role", "letter"}) in the current language."""
    if actor.get("role") == SYSTEM:
        return _(SYSTEM_LABEL)
    template = ROLE_LABELS.get(actor.get("role"), ROLE_LABELS[Role.ENGINEER])
    return _(template) % {"letter": actor.get("letter", "")}


def _org_placeholder(kind: str, has_parent: bool) -> str:
    if kind == OrgKind.CUSTOMER:
        return _("XX branch") if has_parent else _("XX telecom")
    if kind == OrgKind.PARTNER:
        return _("XX partner")
    return _("XX office")


@dataclass(frozen=True)
class _Term:
    kind: str  # "person", "org", "keep", "phone", "name"
    value: object


class Anonymiser:
    """One case's anonymiser. `cast` is the case's {"<person id>": {"role", "letter"}}, grown
    as people are met; pass the stored one back to keep the letters."""

    def __init__(self, cast: dict | None = None):
        self.cast: dict[str, dict] = {k: dict(v) for k, v in (cast or {}).items()}
        self._people = {
            p["pk"]: p
            for p in Person.objects.values(
                "pk",
                "role",
                "display_name",
                "first_name",
                "last_name",
                "username",
                "email",
                "phone",
            )
        }
        self._orgs = list(Organisation.objects.values("pk", "name", "kind", "parent_id"))
        self._pattern: re.Pattern | None = None
        self._terms: dict[str, _Term] = {}

    # ---- people
    def who(self, person_id: int | None) -> dict:
        """The role and letter a person has in this case (given one on first meeting)."""
        if person_id is None or person_id not in self._people:
            return {"role": SYSTEM, "letter": ""}
        key = str(person_id)
        if key not in self.cast:
            role = self._people[person_id]["role"]
            customer = role == Role.CUSTOMER_CONTACT
            pool = CUSTOMER_LETTERS if customer else STAFF_LETTERS
            used = {
                v["letter"]
                for v in self.cast.values()
                if (v["role"] == Role.CUSTOMER_CONTACT) == customer
            }
            letter = next((c for c in pool if c not in used), None)
            if letter is None:  # more people than letters: A2, B2, …
                n = len(used) // len(pool) + 1
                letter = next(f"{c}{n}" for c in pool if f"{c}{n}" not in used)
            self.cast[key] = {"role": role, "letter": letter}
        return dict(self.cast[key])

    # ---- free text
    def _build(self) -> re.Pattern:
        terms: dict[str, _Term] = {}

        def add(text: str | None, term: _Term, minimum: int = 2) -> None:
            text = (text or "").strip()
            if len(text) >= minimum and text not in terms:
                terms[text] = term

        # The labels already in the case stay as they are (an edit passes through again).
        for actor in self.cast.values():
            for language in LANGUAGES:
                with override(language):
                    add(label(actor), _Term("keep", None))
        surnames: dict[str, list[int]] = {}
        for pk, p in self._people.items():
            person = _Term("person", pk)
            add(p["display_name"], person)
            add(f"{p['first_name']} {p['last_name']}", person, 3)
            add(f"{p['last_name']}{p['first_name']}", person, 2)
            add(f"{p['last_name']} {p['first_name']}", person, 3)
            add(p["username"], person, 3)
            add(p["email"], _Term("email", None), 3)
            add(p["phone"], _Term("phone", None), 5)
            name = p["display_name"] or ""
            if CJK_NAME.match(name):
                surnames.setdefault(name[0], []).append(pk)
        for surname, pks in surnames.items():
            term = _Term("person", pks[0]) if len(pks) == 1 else _Term("name", None)
            for title in TITLES:
                add(surname + title, term)
        for o in self._orgs:
            add(o["name"], _Term("org", (o["kind"], o["parent_id"] is not None)))
        self._terms = terms
        alternatives = []
        for text in sorted(terms, key=len, reverse=True):
            escaped = re.escape(text)
            if text.isascii():
                escaped = rf"(?<![\w.@-]){escaped}(?![\w@-])"
            alternatives.append(escaped)
        return re.compile("|".join(alternatives)) if alternatives else re.compile(r"(?!x)x")

    def _known(self, match: re.Match) -> str:
        text = match.group(0)
        term = self._terms[text]
        if term.kind == "keep":
            return text
        if term.kind == "person":
            return label(self.who(term.value))
        if term.kind == "org":
            kind, has_parent = term.value
            return _org_placeholder(kind, has_parent)
        if term.kind == "email":
            return _("[email]")
        if term.kind == "phone":
            return _("[phone]")
        return _("[name]")

    @staticmethod
    def _phone(match: re.Match) -> str:
        run = match.group(0)
        digits = re.sub(r"\D", "", run)
        if DATE_LIKE.match(run.strip()) or len(digits) < 7:
            return run
        return _("[phone]")

    def text(self, value: str | None) -> str:
        """The text with every person, organisation, address and number replaced, each by a
        placeholder in the text's own language."""
        if not value:
            return ""
        if self._pattern is None:
            self._pattern = self._build()
        # A placeholder speaks the language of the words around it ("工程师A说…", "engineer A
        # said…"), whatever language the case is being made in; the names themselves (李博 in
        # an English sentence) do not count.
        # A name alone (a replay line's template holds the words) follows the case's language.
        around = self._pattern.sub(" ", value)
        if CJK.search(around):
            language = "zh-hans"
        elif re.search(r"[A-Za-z]{2,}", around):
            language = "en"
        else:
            language = get_language()
        with override(language):
            value = EMAIL.sub(lambda m: _("[email]"), value)
            value = RECORD_NUMBER.sub(lambda m: _("[number]"), value)
            value = self._pattern.sub(self._known, value)
            return PHONE_LIKE.sub(self._phone, value)
