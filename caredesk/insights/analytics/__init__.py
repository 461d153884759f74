"""Dashboards with charts and the half-year report (xlsx workbook and slide deck)."""
