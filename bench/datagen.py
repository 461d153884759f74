"""Many tickets, fast, with the shapes a large vendor's desk has (used by bench_scale, bench_peer).

The demo's cast plus a wider world: 6 vendor offices (the demo's office serves about a third
of the tickets), 240 engineers, 8 products, 12 regions, a province with 20 city branches and 20
other customers. Tickets: customers and owners skewed (a few busy ones, a long tail), 85 %
closed, 12 % open in its five states, 3 % resolved; P1 2 %, P2 10 %, P3 50 %, P4 38 %; opened
over three years in id order; titles and customer words from zh and en phrases, with a rare
word (断网, "fibre cut") in about 1 % of tickets and a common one (告警, "alarm") in about a
third.

Rows are written with plain INSERTs in batches (the verbs would take hours for a million);
each ticket gets its "opened" timeline entry and its search words (title, customer words, the
number's digits, owner, requester and customer names, as search.document_for builds them).
Its text is built from phrases cut once by the same segmenter the product uses, and the pieces
are joined at punctuation, where jieba cuts anyway. Numbers run per year (CD-2024-000001). Open
tickets get the clock summary the queue sorts by (no clock rows): those waiting for the
customer none running, about one in six of the others breached, the rest due within 3 days.
Must run inside a configured Django process (django.setup() done).
"""

import datetime as dt
import itertools
import random
import sys
import time

ZH_PHRASES = [
    "基站退服",
    "核心网告警",
    "用户无法上网",
    "掉话率升高",
    "传输链路中断",
    "光功率偏低",
    "板卡温度告警",
    "升级以后业务中断",
    "割接后信令异常",
    "语音质量差",
    "电源模块故障",
    "网管无法登录",
    "BTS 板卡反复重启",
]
EN_PHRASES = [
    "cell site down",
    "high call drop rate",
    "core network alarm",
    "link flapping after upgrade",
    "low optical power",
    "board temperature alarm",
    "signalling errors after cut-over",
    "management system unreachable",
]
RARE = ("光缆被挖，基站断网", "fibre cut on the backbone")
STATUSES = [("closed", 85), ("resolved", 3), ("new", 2), ("acknowledged", 2)] + [
    ("in_progress", 5),
    ("waiting_customer", 2),
    ("reopened", 1),
]
SEVERITIES = [("P1", 2), ("P2", 10), ("P3", 50), ("P4", 38)]


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def build_world(seed: int = 7) -> dict:
    """The demo's cast and the wider world around it; returns ids for the generator."""
    from caredesk.demo.world import build_world
    from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region, Role

    world = build_world()
    orgs, people = world["orgs"], world["people"]
    offices = [orgs["office"]] + [
        Organisation.objects.create(
            name=f"代表处 {i}", kind=OrgKind.VENDOR_OFFICE, parent=orgs["hq"]
        )
        for i in range(5)
    ]
    cities = [
        Organisation.objects.create(
            name=f"城市分公司 {i}", kind=OrgKind.CUSTOMER, parent=orgs["province"]
        )
        for i in range(20)
    ]
    others = [
        Organisation.objects.create(name=f"Customer {i}", kind=OrgKind.CUSTOMER) for i in range(20)
    ]
    engineers = [
        Person(
            username=f"eng{i}",
            role=Role.ENGINEER,
            organisation=offices[i % len(offices)],
            display_name=f"工程师{i}",
        )
        for i in range(240)
    ]
    Person.objects.bulk_create(engineers)
    products = list(world["products"].values()) + [
        Product.objects.create(code=f"p{i}", name=f"产品{i}") for i in range(5)
    ]
    regions = list(world["regions"].values()) + [
        Region.objects.create(code=f"r{i}", name=f"区域{i}", office=offices[i % len(offices)])
        for i in range(10)
    ]
    customers = [orgs["lakeside"], orgs["hillside"], *cities, orgs["other"], *others]
    owners = [people["engineer.b"], people["engineer.c"], people["manager.a"], *engineers]
    return {
        "customers": [c.pk for c in customers],
        "owners": [o.pk for o in Person.objects.filter(pk__in=[o.pk for o in owners])],
        "products": [p.pk for p in products],
        "regions": [(r.pk, r.office_id) for r in regions],
        "requester": people["customer.y"].pk,
        "creator": people["hotline.h"].pk,
        "seed": seed,
    }


def _texts(rng: random.Random, segment) -> tuple[str, str, str, str]:
    """A title, the customer's words, and both as search words."""
    zh = rng.random() < 0.7
    phrases = ZH_PHRASES if zh else EN_PHRASES
    picked = rng.sample(phrases, 3)
    sep = "，" if zh else ", "
    if rng.random() < 0.01:
        picked[1] = RARE[0 if zh else 1]
    title = picked[0]
    voice = sep.join(picked) + ("。" if zh else ".")
    return (
        title,
        voice,
        " ".join(segment(p) for p in picked[:1]),
        " ".join(segment(p) for p in picked),
    )


NOW = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)  # three years after the first ticket
OPEN = {"new", "acknowledged", "in_progress", "waiting_customer", "reopened"}


def _clock_summary(rng: random.Random, status: str, at: dt.datetime):
    """(urgency, next_due_at) as escalation.clocks.summarise would leave them."""
    if status not in OPEN or status == "waiting_customer":
        return 2, None
    if rng.random() < 0.16:
        return 0, at + dt.timedelta(minutes=rng.randrange(15, 2880))
    return 1, NOW + dt.timedelta(minutes=rng.randrange(1, 3 * 1440))


def _names(world: dict) -> tuple[dict[int, str], dict[int, str], str]:
    from caredesk.directory.models import Organisation, Person

    people = Person.objects.in_bulk([*world["owners"], world["requester"]])
    owners = {pk: people[pk].name for pk in world["owners"]}
    customers = dict(
        Organisation.objects.filter(pk__in=world["customers"]).values_list("pk", "name")
    )
    return owners, customers, people[world["requester"]].name


def fill(world: dict, count: int, batch: int = 5000, label: str = "tickets") -> float:
    """Write `count` tickets (and their search words); returns seconds taken."""
    from django.db import connection, transaction

    from caredesk.tickets import search

    cache: dict[str, str] = {}

    def segment(text: str) -> str:
        if text not in cache:
            cache[text] = search.segment(text)
        return cache[text]

    rng = random.Random(world["seed"])
    statuses, status_w = _weighted(STATUSES)
    severities, severity_w = _weighted(SEVERITIES)
    cum = itertools.accumulate
    status_w, severity_w = list(cum(status_w)), list(cum(severity_w))
    cust_w = list(cum(_zipf_weights(len(world["customers"]), 0.8)))
    owner_w = list(cum(_zipf_weights(len(world["owners"]), 0.9)))
    start_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(seconds=3 * 365 * 86400 / max(count, 1))
    owner_names, customer_names, requester_name = _names(world)
    from caredesk.tickets.models import TicketSequence

    # Numbers go on from the per-year counters (a second fill, or tickets opened before), and
    # the counters are moved past them at the end, so tickets the product opens next get
    # numbers of their own.
    sequences: dict[int, int] = dict(TicketSequence.objects.values_list("year", "last"))
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        first = cur.fetchone()[0] + 1
    columns = (
        "id, number, customer_org_id, office_id, requester_id, product_id, region_id, site, "
        "severity, channel, title, customer_voice, status, owner_id, owner_since, "
        "created_by_id, version, handoff_count, resolution_note, created_at, updated_at, "
        "urgency, next_due_at"
    )
    ticket_sql = f"INSERT INTO tickets_ticket ({columns}) VALUES ({', '.join(['%s'] * 23)})"
    entry_sql = (
        "INSERT INTO tickets_timelineentry (ticket_id, kind, actor_id, public, body, data, at) "
        "VALUES (%s, 'opened', %s, TRUE, %s, '{}', %s)"
    )
    doc_sql = (
        "INSERT INTO tickets_searchdocument (ticket_id, public_words, private_words) "
        "VALUES (%s, %s, '')"
    )
    began = time.perf_counter()
    done = 0
    while done < count:
        n = min(batch, count - done)
        tickets, docs, entries = [], [], []
        for i in range(first + done, first + done + n):
            title, voice, _title_words, words = _texts(rng, segment)
            region, office = rng.choice(world["regions"])
            at = start_at + step * (i - first)
            sequences[at.year] = sequences.get(at.year, 0) + 1
            number = f"CD-{at.year}-{sequences[at.year]:06d}"
            customer = rng.choices(world["customers"], cum_weights=cust_w)[0]
            status = rng.choices(statuses, cum_weights=status_w)[0]
            owner = rng.choices(world["owners"], cum_weights=owner_w)[0]
            urgency, next_due_at = _clock_summary(rng, status, at)
            names = " ".join(
                segment(name)
                for name in (owner_names[owner], requester_name, customer_names[customer])
            )
            tickets.append(
                (
                    i,
                    number,
                    customer,
                    office,
                    world["requester"],
                    rng.choice(world["products"]),
                    region,
                    f"站点-{rng.randrange(5000)}",
                    rng.choices(severities, cum_weights=severity_w)[0],
                    "portal",
                    title,
                    voice,
                    status,
                    owner,
                    at,
                    world["creator"],
                    1,
                    0,
                    "",
                    at,
                    at,
                    urgency,
                    connection.ops.adapt_datetimefield_value(next_due_at),
                )
            )
            docs.append((i, f"{search.number_words(number)} {words} {names}"))
            entries.append((i, world["creator"], voice, at))
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(ticket_sql, tickets)
            cur.executemany(entry_sql, entries)
            cur.executemany(doc_sql, docs)
        done += n
        rate = done / (time.perf_counter() - began)
        sys.stderr.write(f"\r  {label}: {done:,}/{count:,} ({rate:,.0f}/s)   ")
        sys.stderr.flush()
    sys.stderr.write("\n")
    for year, last in sequences.items():
        TicketSequence.objects.update_or_create(year=year, defaults={"last": last})
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT setval('tickets_ticket_id_seq', (SELECT MAX(id) FROM tickets_ticket))"
            )
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    return time.perf_counter() - began
