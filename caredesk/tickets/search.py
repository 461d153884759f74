"""Full-text search over tickets: title, the customer's words and the comments, zh and en;
the ticket number (any run of its digits) and the names of its owner, requester and customer.

Chinese is written without spaces and most of its words are two characters long (断网, 告警),
below the three-character floor of trigram indexes. So the words are cut with jieba before they
are stored (SearchDocument), and the database indexes the cut text as ordinary words: an FTS5
table on SQLite, GIN indexes over `simple` tsvectors on PostgreSQL. A query is cut the same way
and every word must match; Latin words of three letters or more also match as prefixes
(alarm → alarms). A lone character has no word to look up and falls back to a substring scan.

A ticket's number is stored as its year and every tail of its sequence digits (CD-2026-000123:
2026 000123 00123 0123 123 23 3), so a run of three or more digits found anywhere in the
sequence is a word's prefix: 0001 finds CD-2026-000123, and so do 123 and 2026-0001. The names
are cut like any text; they are copies, so a hand-off accepted re-indexes the ticket (REINDEX_ON).

Permissions: matches are only ever read inside the base queryset the caller passes, which the
selectors build with tickets_visible_to (policy.visible_filter); and customers search only what
they may read (title, their words, public replies), never internal notes.

Results come newest first with the same cursor as the lists. The index is walked from the
newest match down in growing chunks, each chunk intersected with what the reader may see, so a
page costs a couple of queries for staff however common the word is.
"""

import logging
import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from caredesk import events
from caredesk.directory import refdata

from . import paging
from .models import EntryKind, SearchDocument, Ticket, TimelineEntry

NUMBER = re.compile(r"^[A-Za-z]{1,5}-\d{4}-\d{1,9}$")
# A piece of a number: its digits, with the year and the letters if given (2026-0001, CD-2026-1).
NUMBER_PIECE = re.compile(r"^(?:(?:[A-Za-z]{1,5}-)?\d{4}-)?\d+$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORDISH = re.compile(r"\w", re.UNICODE)
MAX_TERMS = 12
FIRST_CHUNK, MAX_CHUNK = 200, 20_000
FTS_TABLE = "tickets_search_fts"
# PostgreSQL: stored tsvector columns with GIN indexes (migrations 0003 and 0004).
PG_ALL, PG_PUBLIC = "all_vector", "public_vector"

_jieba = None


def _cutter():
    """jieba loads its dictionary (about a second) on first use, so only when needed."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


def _words(tokens: Iterable[str]) -> list[str]:
    return [t.lower() for t in (s.strip() for s in tokens) if t and WORDISH.search(t)]


def segment(text: str) -> str:
    """The text as space-separated words, with the shorter words inside longer ones too
    (核心网 → 核心 核心网), so a query for either finds it."""
    if not text:
        return ""
    return " ".join(_words(_cutter().cut_for_search(text)))


def query_terms(q: str) -> list[str]:
    """The words of a query, in order, at most MAX_TERMS of them. A piece of a ticket number
    is looked up by its digit groups (the letters are the same on every ticket)."""
    if NUMBER_PIECE.match(q):
        return re.findall(r"\d+", q)[:MAX_TERMS]
    return _words(_cutter().cut(q))[:MAX_TERMS]


# ---------------------------------------------------------------- keeping the index


def number_words(number: str) -> str:
    """The number as the index stores it: its year and every tail of its sequence digits."""
    groups = re.findall(r"\d+", number)
    if not groups:
        return ""
    sequence = groups[-1]
    return " ".join([*groups[:-1], *(sequence[i:] for i in range(len(sequence)))])


def _names(ticket: Ticket) -> list[str]:
    """Owner, requester and customer names, from what the verb has loaded where it has."""
    people = [ticket.owner]
    if ticket.requester_id is not None:
        people.append(ticket.requester)
    return [p.name for p in people] + [refdata.organisation(ticket.customer_org_id).name]


def document_for(
    ticket_id: int, with_comments: bool = True, ticket: Ticket | None = None
) -> SearchDocument:
    if ticket is None:
        ticket = Ticket.objects.select_related("owner", "requester").get(pk=ticket_id)
    public, private = [ticket.title, ticket.customer_voice, *_names(ticket)], []
    if with_comments:
        comments = TimelineEntry.objects.filter(ticket_id=ticket_id, kind=EntryKind.COMMENT)
        for body, is_public in comments.order_by("id").values_list("body", "public"):
            (public if is_public else private).append(body)
    words = " ".join(filter(None, [number_words(ticket.number), segment("\n".join(public))]))
    return SearchDocument(
        ticket_id=ticket_id,
        public_words=words,
        private_words=segment("\n".join(private)),
    )


def save_documents(docs: list[SearchDocument]) -> None:
    """Insert or replace, in one statement (the FTS5 table follows through triggers)."""
    SearchDocument.objects.bulk_create(
        docs,
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["public_words", "private_words"],
    )


def index_ticket(ticket_id: int, with_comments: bool = True, ticket: Ticket | None = None) -> None:
    save_documents([document_for(ticket_id, with_comments, ticket)])


REINDEX_ON = frozenset(k for k, r in events.CATALOGUE.items() if r.reindex)


def on_event(event: events.Event) -> None:
    """Inside the verb's transaction, so the index never disagrees with what was committed."""
    if event.kind in REINDEX_ON and (
        event.kind != events.EventKind.EDITED or "title" in event.data.get("changes", {})
    ):
        # A ticket just opened has no comments yet: one read fewer on the hottest path.
        index_ticket(
            event.ticket_id,
            with_comments=event.kind != events.EventKind.OPENED,
            ticket=event.ticket,
        )


def register() -> None:
    events.subscribe(on_event)


def rebuild(batch: int = 2000, progress=None) -> int:
    """Re-cut every ticket's words (after changing the dictionary, or restoring a dump)."""
    done, last = 0, 0
    while True:
        ids = list(
            Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        save_documents([document_for(i) for i in ids])
        done, last = done + len(ids), ids[-1]
        if progress:
            progress(done)


# ---------------------------------------------------------------- matching


def _fts_expression(terms: list[str], public_only: bool) -> str:
    parts = []
    for t in terms:
        quoted = '"' + t.replace('"', '""') + '"'
        parts.append(quoted + "*" if _prefix(t) else quoted)
    expr = " AND ".join(parts)
    return f"{{public_words}} : ({expr})" if public_only else expr


def _tsquery(terms: list[str]) -> str:
    parts = []
    for t in terms:
        quoted = "'" + t.replace("\\", "\\\\").replace("'", "''") + "'"
        parts.append(quoted + ":*" if _prefix(t) else quoted)
    return " & ".join(parts)


def _prefix(term: str) -> bool:
    return term.isascii() and len(term) >= 3


def matching_sql(terms: list[str], public_only: bool) -> tuple[str, list, str]:
    """SELECT of the ids of tickets whose words contain every term, and the id column."""
    if connection.vendor == "sqlite":
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return sql, [_fts_expression(terms, public_only)], "rowid"
    vector = PG_PUBLIC if public_only else PG_ALL
    sql = f"SELECT ticket_id FROM tickets_searchdocument WHERE {vector} @@ to_tsquery('simple', %s)"
    return sql, [_tsquery(terms)], "ticket_id"


def matching_ids(terms: list[str], public_only: bool, below: int | None, limit: int) -> list[int]:
    """Ids of matching tickets, newest first, below the cursor."""
    sql, params, column = matching_sql(terms, public_only)
    if below is not None:
        sql += f" AND {column} < %s"
        params.append(below)
    sql += f" ORDER BY {column} DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def _is_single_character(terms: list[str]) -> bool:
    return len(terms) == 1 and len(terms[0]) == 1


def substring_filter(text: str, public_only: bool) -> Q:
    """What a lone character (or a query with no word in it) matches: a substring scan."""
    found = Q(title__icontains=text) | Q(customer_voice__icontains=text)
    found |= Q(search_document__public_words__contains=text.lower())
    if not public_only:
        found |= Q(search_document__private_words__contains=text.lower())
    return found


def page(
    base: QuerySet[Ticket], q: str, *, public_only: bool, cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """One page of `base` (the tickets a reader may see, other filters applied) matching `q`,
    newest first; `public_only` for readers who may match public words only."""
    text = q.strip()
    if NUMBER.match(text) and not cursor:
        # Numbers are stored upper-case: an equality the unique index answers (iexact would
        # scan every number, half a second at a million tickets).
        exact = paging.page_of(base.filter(number=text.upper()), None, limit)
        if exact[0]:
            return exact
        # No such number: the tickets whose numbers it begins, as a piece of a number.
    terms = query_terms(text)
    if not terms or _is_single_character(terms):
        return paging.page_of(base.filter(substring_filter(text, public_only)), cursor, limit)
    below = paging.decode_cursor(cursor) if cursor else None
    rows: list[Ticket] = []
    chunk = FIRST_CHUNK
    while len(rows) <= limit:
        ids = matching_ids(terms, public_only, below, chunk)
        if not ids:
            break
        rows += paging.attach_reference(list(base.filter(id__in=ids)[: limit + 1 - len(rows)]))
        if len(ids) < chunk:
            break
        below, chunk = ids[-1], min(chunk * 4, MAX_CHUNK)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (paging.encode_cursor(rows[-1].id) if more and rows else None)


def matches_filter(q: str, public_only: bool) -> Q:
    """The same matching as a Q, for callers that compose querysets (the database then decides
    how to combine it with the rest: fine for small sets, slower than page() on large ones)."""
    text = q.strip()
    terms = query_terms(text)
    if not terms or _is_single_character(terms):
        return substring_filter(text, public_only)
    sql, params, _column = matching_sql(terms, public_only)
    return Q(id__in=RawSQL(sql, params))
