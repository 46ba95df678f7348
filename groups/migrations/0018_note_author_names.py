# A thread's shared rows (groups/notes/rows.py, SharedRows) show their authors' names and are
# cached under the subject's notes_version, which 0012's triggers change with every write of a
# note. A name is written elsewhere, on groups_user: so a change of a user's display name or
# username changes the notes_version of every subject they have written a note on, in the same
# transaction, whichever way it is written (the profile form, the admin, a queryset update).
# tests/groups/notes/test_shared_rows.py checks it on both databases.
#
# SQLite: a later migration that rebuilds groups_user drops these triggers with the old table,
# and one that rebuilds groups_note, groups_nomination or groups_discussionsession must drop
# them first (SQLite refuses the rename while a trigger names the table) and make them again,
# as 0015 does for 0012's.
from django.db import migrations

POSTGRESQL = """
CREATE FUNCTION groups_user_notes_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE groups_nomination SET notes_version = notes_version + 1
    WHERE id IN (SELECT nomination_id FROM groups_note WHERE author_id = NEW.id);
    UPDATE groups_discussionsession SET notes_version = notes_version + 1
    WHERE id IN (SELECT session_id FROM groups_note WHERE author_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER groups_user_notes_version AFTER UPDATE OF display_name, username ON groups_user
FOR EACH ROW WHEN (
    OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.username IS DISTINCT FROM NEW.username
)
EXECUTE FUNCTION groups_user_notes_version();
"""

SQLITE = """CREATE TRIGGER groups_user_notes_version AFTER UPDATE OF display_name, username
ON groups_user
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.username IS NOT NEW.username
BEGIN
UPDATE groups_nomination SET notes_version = notes_version + 1
WHERE id IN (SELECT nomination_id FROM groups_note WHERE author_id = NEW.id);
UPDATE groups_discussionsession SET notes_version = notes_version + 1
WHERE id IN (SELECT session_id FROM groups_note WHERE author_id = NEW.id);
END"""


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)
    else:
        raise NotImplementedError(f"No author name triggers for {vendor}")


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER groups_user_notes_version ON groups_user")
        schema_editor.execute("DROP FUNCTION groups_user_notes_version()")
    else:
        schema_editor.execute("DROP TRIGGER groups_user_notes_version")


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0017_fairness"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
