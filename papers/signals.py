"""What the papers app announces to the apps built on it. papers never imports them: an app
that wants to act on an import connects a receiver in its AppConfig.ready()."""

from django.dispatch import Signal

# Sent after a day's Hugging Face list was imported successfully, inside the import's task,
# with `day` (datetime.date). Receivers should only enqueue work (after commit).
day_imported = Signal()
