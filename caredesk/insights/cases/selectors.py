"""Reads of learning cases shared by the pages, the API and the report: the library (tags and
search), one case, and the published cases similar to a complaint."""

import re

from django.db.models import Q, QuerySet

from caredesk.complaints.models import Complaint
from caredesk.directory.models import Person
from caredesk.errors import NotFound
from caredesk.tickets.search import segment

from . import policy
from .models import CaseStatus, LearningCase

MAX_TERMS = 12
SIMILAR_CANDIDATES = 200


def cases_visible_to(person: Person) -> QuerySet[LearningCase]:
    return LearningCase.objects.filter(policy.visible_filter(person)).select_related(
        "category", "root_cause", "product"
    )


def case_for(person: Person, pk: int) -> LearningCase:
    """One case by id; NotFound for what `person` may not read."""
    case = (
        LearningCase.objects.select_related("category", "root_cause", "product")
        .filter(pk=pk)
        .first()
    )
    if case is None or not policy.can_view(person, case):
        raise NotFound()
    return case


def search_terms(q: str) -> list[str]:
    """The words of a query, cut like the cases' words (jieba, as tickets/search.py does)."""
    seen: list[str] = []
    for word in segment(q[:200]).split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def library(
    person: Person,
    *,
    q: str = "",
    category: str = "",
    root_cause: str = "",
    product: str = "",
    status: str = "",
) -> QuerySet[LearningCase]:
    """The cases `person` may read, newest story first, filtered by tag codes (a category
    takes its sub-categories along), status and words (every word must be there). The cut
    words are kept on the case; a library is hundreds of cases, so a LIKE per word is enough
    and needs no full-text index."""
    cases = cases_visible_to(person)
    if category:
        cases = cases.filter(Q(category__code=category) | Q(category__parent__code=category))
    if root_cause:
        cases = cases.filter(
            Q(root_cause__code=root_cause) | Q(root_cause__parent__code=root_cause)
        )
    if product:
        cases = cases.filter(product__code=product)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    for term in search_terms(q):
        cases = cases.filter(words__contains=term)
    return cases.order_by("-occurred_at", "-id")


def _word_set(text: str) -> set[str]:
    return {w for w in segment(text).split() if len(w) >= 2 and not re.fullmatch(r"\d+", w)}


def similar_to_complaint(person: Person, complaint: Complaint, *, limit: int = 5) -> list[dict]:
    """Published cases like this complaint, best first: the same category (3 points; its
    parent or a sibling 2), the same product (2), the same root cause (1), and a point per
    word they share (at most 5). Cases with nothing in common are left out. Reads at most
    SIMILAR_CANDIDATES cases sharing a tag, and the latest ones for the words."""
    products = list(complaint.links.values_list("ticket__product_id", flat=True))
    family = [c for c in (complaint.category_id, complaint.category.parent_id) if c]
    published = cases_visible_to(person).filter(status=CaseStatus.PUBLISHED)
    published = published.exclude(complaint=complaint)
    tagged = published.filter(
        Q(category_id__in=family)
        | Q(category__parent_id__in=family)
        | Q(product_id__in=products)
        | Q(root_cause_id=complaint.root_cause_id)
    )
    candidates = {c.pk: c for c in tagged.order_by("-occurred_at")[:SIMILAR_CANDIDATES]}
    for c in published.order_by("-occurred_at")[:SIMILAR_CANDIDATES]:
        candidates.setdefault(c.pk, c)
    words = _word_set(f"{complaint.words}\n{complaint.remedy_sought}")
    scored = []
    for c in candidates.values():
        score = 0
        if c.category_id == complaint.category_id:
            score += 3
        elif c.category_id and (
            c.category_id in family or (c.category and c.category.parent_id in family)
        ):
            score += 2
        if c.product_id in products:
            score += 2
        if complaint.root_cause_id and c.root_cause_id == complaint.root_cause_id:
            score += 1
        shared = len(words & set(c.words.split()))
        score += min(shared, 5)
        if score:
            scored.append({"case": c, "score": score, "shared": shared})
    scored.sort(key=lambda s: (-s["score"], -s["case"].occurred_at.timestamp(), -s["case"].pk))
    return scored[:limit]
