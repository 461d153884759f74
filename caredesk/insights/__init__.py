"""The analysis floor (../shared/STYLE.md): read-only over the floors below.

Each area is its own Django app in this package, so that their tables and migrations stay
apart: ``handover`` (the shift hand-over report), ``analytics`` (dashboards and the half-year
report), ``cases`` (the learning-case library), ``risk`` (complaint early warning). They read
tickets, escalation, fieldwork, complaints and satisfaction; they write only their own tables.
"""
