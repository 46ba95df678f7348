"""Warming "Suggested for this group" off the request (not email, so not in
groups.notifications.tasks): when a group's read papers change (a nomination, a first vote, a
session marked done) or a daily import brings new candidates, a worker builds the group's new
shelves into the cache and works the suggestions out, so each candidate's best match is cached
before the ballot's panel asks (queries._best_matches) and no web process builds a shelf."""

import datetime as dt

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from groups.similar.queries import groups_reading, suggestions_warm


@shared_task(name="groups.similar_warm", base=DjangoTask)
def similar_warm(group_id: int) -> int:
    """Works out one group's suggestions (nothing for a group that is gone); returns how many
    groups were warmed."""
    return suggestions_warm([group_id])


@shared_task(name="groups.similar_warm_all", base=DjangoTask)
def similar_warm_all() -> int:
    """Works out the suggestions of every group that has read something (after an import: only
    the new papers are scored); returns how many groups."""
    return suggestions_warm(groups_reading())


def similar_after_import(*, day: dt.date, **_signal: object) -> None:
    """Receives papers' `day_imported`: the week's candidates changed, and sessions that ended
    since the last import (by the clock, with no write to queue anything) joined the shelves."""
    similar_warm_all.delay_on_commit()
