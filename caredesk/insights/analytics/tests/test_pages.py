"""The dashboard page and its downloads, as staff, a partner and a customer see them."""

import io

import openpyxl
import pytest
from django.test import Client


def client_for(person):
    c = Client()
    c.force_login(person)
    return c


def test_dashboard_shows_every_panel_with_its_chart_option_and_table(world):
    page = client_for(world.cast.a).get("/analytics/?period=2026H1")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("category", "root_cause", "satisfaction", "times", "withdrawal", "sla", "leading"):
        assert f'data-testid="panel-{key}"' in html
    assert 'id="chart-category" type="application/json"' in html
    assert "推诿" in html and "75.0%" in html  # the Pareto's first row, in the table view
    assert "vendor/echarts/echarts.min.js" in html


def test_filters_stay_in_the_url_and_narrow_the_figures(world):
    lakeside = world.cast.orgs.lakeside.pk
    page = client_for(world.cast.a).get(f"/analytics/?period=2026H1&customer={lakeside}")
    html = page.content.decode()
    assert f"customer={lakeside}" in html  # the download links carry the filters
    assert "联系不上" not in html.split('data-testid="panel-category"')[1].split("</section>")[0]


@pytest.mark.parametrize("period", ["2026H7", "0000-01", "9999-12", "0000H1"])
def test_a_bad_period_is_a_form_error_not_a_500(world, period):
    page = client_for(world.cast.a).get(f"/analytics/?period={period}")
    assert page.status_code == 422
    assert "invalid-feedback" in page.content.decode()


def test_download_holds_exactly_the_table_rows(world):
    response = client_for(world.cast.a).get("/analytics/times.xlsx?period=2026H1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[1:] for r in rows] == [(4, 2, 4), (2, 3, 5), (2, 50, 100)]


def test_partner_sees_the_page_with_only_his_own_figures(world):
    html = client_for(world.cast.d).get("/analytics/?period=2026H1").content.decode()
    category = html.split('data-testid="panel-category"')[1].split("</section>")[0]
    assert "联系不上" in category and "推诿" not in category


@pytest.mark.parametrize("who", ["y", "x"])
def test_customers_get_not_found(world, who):
    c = client_for(getattr(world.cast, who))
    assert c.get("/analytics/").status_code == 404
    assert c.get("/analytics/category.xlsx").status_code == 404


def test_staff_nav_links_to_analytics_and_customers_do_not_see_it(world):
    staff = client_for(world.cast.b).get("/analytics/").content.decode()
    customer = client_for(world.cast.y).get("/analytics/").content.decode()
    assert 'data-testid="nav-analytics"' in staff
    assert 'data-testid="nav-analytics"' not in customer
