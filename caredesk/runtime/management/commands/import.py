"""`manage.py import KIND FILE --as ADMIN`: organisations, people, products, regions, the
responsibility matrix, role assignments, holidays, on-call rotations or historical tickets from
an xlsx or CSV file. See caredesk/runtime/imports/ for the columns, the keys and what is kept
when a row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from caredesk.directory.models import Person
from caredesk.errors import DomainError
from caredesk.runtime import imports

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Import reference data, rosters or past tickets from xlsx or CSV (UTF-8 or GB18030)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(imports.KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="actor", required=True, help="Username of the administrator importing."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count, keep none.")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Keep the good rows when some are bad."
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=COLUMN",
            help="Read the file's column HEADER as COLUMN (repeatable), e.g. --map 工号=username.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, kind, file, actor, dry_run, skip_bad_rows, map, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            mapping = imports.parse_mapping(map)
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        person = Person.objects.filter(username=actor, is_active=True).first()
        if person is None:
            raise CommandError(f"No active person with username {actor!r}.")
        bar = tqdm(
            desc=f"{kind}", unit=" rows", disable=options["no_progress"] or None, leave=False
        )

        def set_total(estimate):
            bar.total = estimate
            bar.refresh()

        try:
            report = imports.run(
                kind=kind,
                path=file,
                actor=person,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                mapping=mapping,
                progress=bar.update,
                total=set_total,
            )
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:  # the actor may not write reference data, for instance
            raise CommandError(str(exc.message)) from exc
        finally:
            bar.close()
        for p in report.problems[:SHOWN_PROBLEMS]:
            column = f", column {p.column}" if p.column else ""
            self.stderr.write(f"row {p.row}{column}: {p.reason}")
        if len(report.problems) > SHOWN_PROBLEMS:
            self.stderr.write(f"… and {len(report.problems) - SHOWN_PROBLEMS} more problems")
        counts = (
            f"{report.rows} rows: {report.created} new, {report.updated} changed, "
            f"{report.unchanged} unchanged, {report.bad_rows} bad"
        )
        if report.written:
            self.stdout.write(f"Imported {kind}. {counts}.")
        elif report.problems and not skip_bad_rows:
            what = "Dry run: this file would import nothing" if dry_run else "Nothing imported"
            raise CommandError(
                f"{what}: {report.bad_rows} bad rows ({counts}). Fix them, or keep the good "
                "rows with --skip-bad-rows."
            )
        else:
            self.stdout.write(f"Dry run of {kind}, nothing kept. {counts}.")
