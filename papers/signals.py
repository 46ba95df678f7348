"""What the papers app announces to the apps built on it. papers never imports them: an app
that wants to act on an import connects a receiver in its AppConfig.ready()."""

from django.dispatch import Signal

# Sent after a day's Hugging Face list was imported successfully, inside the import's task,
# with `day` (datetime.date). Receivers should only enqueue work (after commit).
day_imported = Signal()

# Sent when an import raised the latest arXiv version of papers already stored, inside the
# import's transaction, with `paper_ids` (list[int]). Two imports at once may both announce
# the same rise: receivers should only enqueue work (after commit) that is claimed once.
paper_versions_rose = Signal()
