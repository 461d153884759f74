"""The cached reference data: served from memory, dropped when any process changes it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Responsibility


def _other_process_renames(org: Organisation, name: str) -> None:
    """What another process's write looks like from here: new rows and a new token, and no
    signal in this process."""
    Organisation.objects.filter(pk=org.pk).update(name=name)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {refdata.TABLE} SET token = token + 1 WHERE id = 1")


def test_second_read_in_a_scope_costs_no_query(cast):
    province = cast.orgs.province
    refdata.new_scope()
    first = refdata.subtree(province.pk)
    with CaptureQueriesContext(connection) as queries:
        again = refdata.subtree(province.pk)
        lineage = refdata.lineage(cast.orgs.lakeside.pk)
    assert again == first and province.pk in lineage
    assert len(queries) == 0


def test_a_change_elsewhere_is_seen_at_the_next_scope(cast):
    province = cast.orgs.province
    refdata.new_scope()
    assert refdata.organisation(province.pk).name == province.name
    _other_process_renames(province, "改名后的省公司")
    refdata.new_scope()  # the next request
    assert refdata.organisation(province.pk).name == "改名后的省公司"


def test_unchanged_token_keeps_the_copy(cast):
    province = cast.orgs.province
    refdata.new_scope()
    refdata.organisation(province.pk)
    Organisation.objects.filter(pk=province.pk).update(name="not announced")  # no token change
    refdata.new_scope()
    with CaptureQueriesContext(connection) as queries:
        assert refdata.organisation(province.pk).name == province.name
    assert len(queries) == 1  # only the token


def test_a_save_here_is_seen_at_once(cast):
    refdata.new_scope()
    before = refdata.subtree(cast.orgs.province.pk)
    branch = Organisation.objects.create(
        name="新城市分公司", kind=OrgKind.CUSTOMER, parent=cast.orgs.province
    )
    after = refdata.subtree(cast.orgs.province.pk)
    assert branch.pk not in before and branch.pk in after


def test_matrix_cell_follows_a_delete(cast):
    core, lakeside = cast.products.core, cast.regions.lakeside
    refdata.new_scope()
    assert refdata.cell(core.pk, lakeside.pk) is not None
    Responsibility.objects.get(product=core, region=lakeside).delete()
    assert refdata.cell(core.pk, lakeside.pk) is None


def test_a_rolled_back_change_does_not_stay(cast):
    province = cast.orgs.province
    refdata.new_scope()
    with pytest.raises(RuntimeError), transaction.atomic():
        province.name = "未提交"
        province.save()
        assert refdata.organisation(province.pk).name == "未提交"  # its own transaction
        raise RuntimeError
    refdata.new_scope()
    assert refdata.organisation(province.pk).name != "未提交"


def test_callers_get_their_own_copies(cast):
    province = cast.orgs.province
    refdata.new_scope()
    mine = refdata.organisation(province.pk)
    mine.name = "scribbled"
    assert refdata.organisation(province.pk).name == province.name


def test_a_request_reads_the_token_once_however_long_it_runs(cast, monkeypatch):
    """Inside a request the copy is checked once, at its first use: a page that runs past a
    second does not read the token again (its query count stays the same at any size)."""
    now = [100.0]
    monkeypatch.setattr(refdata.time, "monotonic", lambda: now[0])
    province = cast.orgs.province.pk
    refdata._request_started()  # its receivers of request_started / request_finished alone
    refdata.organisation(province)  # first use: the token is read
    with CaptureQueriesContext(connection) as inside:
        for now[0] in (104.5, 109.5):  # seconds later, the same request
            refdata.organisation(province)
    refdata._request_finished()
    with CaptureQueriesContext(connection) as outside:
        for now[0] in (111.0, 200.0):  # a shell: checked again once a second has passed
            refdata.organisation(province)
    assert len(inside) == 0
    assert [q["sql"] for q in outside.captured_queries] == [
        f"SELECT token FROM {refdata.TABLE} WHERE id = 1"
    ] * 2
