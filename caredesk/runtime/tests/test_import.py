"""`manage.py import`: spreadsheets in, every bad row reported, all or nothing, idempotent."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from caredesk.audit.models import AuditRecord
from caredesk.calendars.models import Calendar, CalendarDay
from caredesk.directory.models import Organisation, Person, Product, Region, Responsibility
from caredesk.errors import PermissionDenied
from caredesk.runtime import imports

pytestmark = pytest.mark.django_db

PEOPLE_CSV = (
    "用户名,姓名,角色,组织,电话,语言\n"
    "eng.li,李工,工程师,江南代表处,13800000001,zh\n"
    "eng.wu,Wu Fang,engineer,江南代表处,13800000002,en\n"
    "cust.qian,钱女士,客户联系人,江南省电信湖滨分公司,13900000003,\n"
)


def write(tmp_path, name: str, content: str, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_people_from_a_chinese_csv_are_created_with_their_organisation(cast, tmp_path):
    path = write(tmp_path, "people.csv", PEOPLE_CSV)
    report = imports.run(kind="people", path=path, actor=cast.admin)
    assert (report.rows, report.created, report.problems, report.written) == (3, 3, [], True)
    li = Person.objects.get(username="eng.li")
    assert (li.display_name, li.role, li.organisation, li.phone) == (
        "李工",
        "engineer",
        cast.orgs.office,
        "13800000001",
    )
    assert Person.objects.get(username="eng.wu").language == "en"
    assert Person.objects.get(username="cust.qian").organisation == cast.orgs.lakeside
    assert not li.check_password("")  # nobody signs in before an administrator sets one
    assert AuditRecord.objects.filter(action="person.create").count() == 3


def test_importing_the_same_file_again_changes_nothing_and_a_changed_cell_updates(cast, tmp_path):
    path = write(tmp_path, "people.csv", PEOPLE_CSV)
    imports.run(kind="people", path=path, actor=cast.admin)
    again = imports.run(kind="people", path=path, actor=cast.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = write(tmp_path, "people2.csv", PEOPLE_CSV.replace("13800000001", "13800009999"))
    third = imports.run(kind="people", path=changed, actor=cast.admin)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Person.objects.get(username="eng.li").phone == "13800009999"


def test_gb18030_csv_as_chinese_excel_saves_it(cast, tmp_path):
    path = write(
        tmp_path, "products.csv", "代码,名称,英文名称\nims,IP多媒体子系统,IMS\n", "gb18030"
    )
    report = imports.run(kind="products", path=path, actor=cast.admin)
    assert report.created == 1
    assert Product.objects.get(code="ims").name == "IP多媒体子系统"


def test_xlsx_regions_and_matrix(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "name_en", "office", "service_manager"])
    sheet.append(["riverside", "河畔", "Riverside", "江南代表处", "manager.a"])
    regions = tmp_path / "regions.xlsx"
    book.save(regions)
    assert imports.run(kind="regions", path=regions, actor=cast.admin).created == 1
    river = Region.objects.get(code="riverside")
    assert (river.office, river.service_manager) == (cast.orgs.office, cast.a)

    matrix = write(
        tmp_path, "m.csv", "产品,区域,责任人,备份\ncore,riverside,engineer.b,engineer.c\n"
    )
    assert imports.run(kind="responsibilities", path=matrix, actor=cast.admin).created == 1
    cell = Responsibility.objects.get(region=river, product=cast.products.core)
    assert (cell.primary, cell.backup) == (cast.b, cast.c)


def test_every_bad_row_is_reported_and_nothing_is_kept(cast, tmp_path):
    content = (
        "用户名,姓名,角色,组织\n"
        "ok.one,一号,engineer,江南代表处\n"
        ",无名,engineer,江南代表处\n"  # row 3: no username
        "bad.role,二号,wizard,江南代表处\n"  # row 4
        "bad.org,三号,engineer,不存在的公司\n"  # row 5
        "ok.two,四号,engineer,江南代表处\n"
    )
    path = write(tmp_path, "people.csv", content)
    before = Person.objects.count()
    report = imports.run(kind="people", path=path, actor=cast.admin)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "username"),
        (4, "role"),
        (5, "organisation"),
    ]
    assert "wizard" in report.problems[1].reason
    assert "不存在的公司" in report.problems[2].reason
    assert not report.written and Person.objects.count() == before
    assert not AuditRecord.objects.filter(action="person.create").exists()

    kept = imports.run(kind="people", path=path, actor=cast.admin, skip_bad_rows=True)
    assert kept.written and kept.created == 2 and kept.bad_rows == 3
    assert set(
        Person.objects.filter(username__startswith="ok.").values_list("username", flat=True)
    ) == {
        "ok.one",
        "ok.two",
    }


def test_dry_run_counts_what_would_happen_and_keeps_nothing(cast, tmp_path):
    orgs = write(
        tmp_path,
        "orgs.csv",
        "名称,类型,上级\n江南省电信河畔分公司,客户,江南省电信\n河畔政企部,customer,江南省电信河畔分公司\n",
    )
    report = imports.run(kind="organisations", path=orgs, actor=cast.admin, dry_run=True)
    # The second row's parent is the first row: later rows see earlier ones, even in a dry run.
    assert (report.created, report.problems, report.written) == (2, [], False)
    assert not Organisation.objects.filter(name__startswith="江南省电信河畔").exists()
    imports.run(kind="organisations", path=orgs, actor=cast.admin)
    child = Organisation.objects.get(name="河畔政企部")
    assert child.parent.parent == cast.orgs.province


def test_holidays_and_make_up_days(cast, tmp_path):
    calendar = Calendar.objects.create(name="工作日")
    path = write(
        tmp_path,
        "days.csv",
        "日历,日期,类型,名称\n工作日,2027-10-01,节假日,国庆节\n工作日,2027/10/09,补班,国庆调休\n",
    )
    report = imports.run(kind="holidays", path=path, actor=cast.admin)
    assert report.created == 2
    days = {d.date: (d.kind, d.name) for d in CalendarDay.objects.filter(calendar=calendar)}
    assert days == {
        dt.date(2027, 10, 1): ("holiday", "国庆节"),
        dt.date(2027, 10, 9): ("workday", "国庆调休"),
    }
    assert imports.run(kind="holidays", path=path, actor=cast.admin).unchanged == 2


def test_a_header_mapping_reads_other_column_names(cast, tmp_path):
    path = write(tmp_path, "p.csv", "工号,员工姓名,岗位,部门\nx.01,钱一,engineer,江南代表处\n")
    with pytest.raises(imports.ImportFileError, match="no column for username, role"):
        imports.run(kind="people", path=path, actor=cast.admin)
    mapping = {
        "工号": "username",
        "员工姓名": "display_name",
        "岗位": "role",
        "部门": "organisation",
    }
    report = imports.run(kind="people", path=path, actor=cast.admin, mapping=mapping)
    assert report.created == 1 and Person.objects.get(username="x.01").display_name == "钱一"


def test_only_an_administrator_imports(cast, tmp_path):
    path = write(tmp_path, "products.csv", "code,name\nims,IMS\n")
    with pytest.raises(PermissionDenied):
        imports.run(kind="products", path=path, actor=cast.b)
    assert not Product.objects.filter(code="ims").exists()
    with pytest.raises(CommandError):
        call_command("import", "products", str(path), "--as", "engineer.b", "--no-progress")


def test_the_command_reports_rows_and_refuses_clearly(cast, tmp_path, capsys):
    good = write(tmp_path, "products.csv", "code,name\nims,IMS\nvolte,VoLTE\n")
    call_command("import", "products", str(good), "--as", "admin", "--no-progress")
    assert "Imported products. 2 rows: 2 new, 0 changed, 0 unchanged, 0 bad." in (
        capsys.readouterr().out
    )
    bad = write(tmp_path, "bad.csv", "code,name\n,nameless\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 bad rows"):
        call_command("import", "products", str(bad), "--as", "admin", "--no-progress")
    assert "row 2, column code: required" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Unknown file type .pdf"):
        call_command("import", "products", str(write(tmp_path, "x.pdf", "%PDF")), "--as", "admin")
    with pytest.raises(CommandError, match="No active person"):
        call_command("import", "products", str(good), "--as", "nobody")
    with pytest.raises(CommandError, match="--map takes HEADER=COLUMN"):
        call_command("import", "products", str(good), "--as", "admin", "--map", "oops")
