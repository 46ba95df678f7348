"""python manage.py import_papers: import papers from Hugging Face, arXiv or a saved file."""

import datetime as dt
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from papers import services
from papers.clients.http import SourceError
from papers.models import ImportRun, days_text


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date wants YYYY-MM-DD, not {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Import papers: a day of Hugging Face daily papers (default today, UTC), a back-fill "
        "of several days, arXiv papers by id or category, or a saved HF JSON / arXiv Atom file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--file", type=Path, help="a saved HF daily-papers JSON or arXiv Atom file"
        )
        source.add_argument("--arxiv", nargs="+", metavar="ID_OR_URL", help="arXiv ids or URLs")
        source.add_argument("--category", help="newest papers of an arXiv category, e.g. cs.CL")
        parser.add_argument(
            "--date",
            help="the day to import (YYYY-MM-DD); default today (UTC). With --file: the day "
            "whose list the file's papers go on (default: the day the file names)",
        )
        parser.add_argument(
            "--days", type=int, default=1, help="back-fill: this many days ending at --date"
        )
        parser.add_argument(
            "--max-results", type=int, default=100, help="with --category: how many papers"
        )

    def _progress(self, done: int, total: int) -> None:
        if total > 1000:
            self.stderr.write(
                f"  {done}/{total} papers written", ending="\r" if done < total else "\n"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be 1 or more")
        if options["days"] > 1 and (options["file"] or options["arxiv"] or options["category"]):
            raise CommandError("--days is for daily imports from Hugging Face")
        if options["date"] and (options["arxiv"] or options["category"]):
            raise CommandError("--date is for daily imports and saved files")
        day = _date(options["date"]) if options["date"] else None
        runs: list[ImportRun] = []
        try:
            if options["file"]:
                runs.append(
                    services.import_file(path=options["file"], day=day, progress=self._progress)
                )
            elif options["arxiv"]:
                runs.append(
                    services.import_arxiv_ids(ids=options["arxiv"], progress=self._progress)
                )
            elif options["category"]:
                runs.append(
                    services.import_arxiv_category(
                        category=options["category"], max_results=options["max_results"]
                    )
                )
            else:
                last = day or timezone.now().date()
                days = [last - dt.timedelta(days=n) for n in range(options["days"])][::-1]
                for number, day in enumerate(days, start=1):
                    if len(days) > 1:
                        self.stderr.write(f"[{number}/{len(days)}] {day.isoformat()}")
                    runs.append(services.import_daily(day=day, progress=self._progress))
        except SourceError as exc:
            self.stderr.write(f"Import failed: {exc}")
            sys.exit(1)
        total = {
            name: sum(getattr(run, name) for run in runs)
            for name in ("created", "updated", "unchanged", "skipped")
        }
        for run in runs:
            for skip in run.skips.all()[:20]:
                self.stderr.write(f"  skipped {skip.record_id or '(no id)'}: {skip.reason}")
        listed = [listed_on for run in runs for listed_on in run.days]
        self.stdout.write(
            f"{total['created']} created, {total['updated']} updated, "
            f"{total['unchanged']} unchanged, {total['skipped']} skipped"
            + (f"; listed on {days_text(listed)}" if listed else "")
        )
