"""Nomination.vote_count: each nomination's number of votes, stored, so the ballot reads its first
page in rank order from an index (nomination_open_ballot_order) instead of counting the votes of
every open nomination.

The database keeps the count, whoever writes: triggers on groups_vote change it in the statement
that adds, deletes or moves votes (the voting services; bulk writes, where `ignore_conflicts`
counts only the rows inserted; the deletes that cascade from an account, a group or a
nomination; the admin), and triggers on groups_nomination count again whenever anything else
writes the column (a model `save()` of a stale instance, a fixture), so it always reads the
number of rows in groups_vote.

PostgreSQL: statement-level triggers for inserts and deletes. Each locks the nominations it
changes in id order before updating them, so two statements that change several nominations (an
account's deletion, two ranked ballots) wait for each other instead of deadlocking; a vote's own
transaction already holds its nomination (`groups.voting.services._lock_open`). SQLite has one
writer at a time: row-level triggers.

SQLite drops a table's triggers when Django rebuilds the table (most schema changes there do),
and cannot rename a rebuilt groups_nomination while these triggers name it: a later migration
that changes Nomination or Vote runs `drop_triggers` first and `create_triggers` and `recount`
after (copy them; tests/groups/voting/test_vote_counts.py fails if the triggers are missing).
"""

from importlib import import_module

from django.db import migrations, models

# SQLite cannot rebuild groups_nomination (the AddField below) while 0012's note triggers name it:
# they are dropped first and made again at the end.
thread_versions = import_module("groups.migrations.0012_thread_versions")

RECOUNT = """
UPDATE groups_nomination SET vote_count = (
    SELECT count(*) FROM groups_vote WHERE groups_vote.nomination_id = groups_nomination.id
)
"""

POSTGRES_FORWARD = """
CREATE FUNCTION groups_vote_count_change() RETURNS trigger AS $$
DECLARE
    sign integer := TG_ARGV[0]::integer;  -- 1 for inserted votes, -1 for deleted ones
BEGIN
    PERFORM 1 FROM groups_nomination
    WHERE id IN (SELECT nomination_id FROM changed_votes)
    ORDER BY id
    FOR NO KEY UPDATE;
    UPDATE groups_nomination AS n SET vote_count = n.vote_count + sign * changed.votes
    FROM (
        SELECT nomination_id, count(*) AS votes FROM changed_votes GROUP BY nomination_id
    ) AS changed
    WHERE n.id = changed.nomination_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER groups_vote_count_insert
    AFTER INSERT ON groups_vote REFERENCING NEW TABLE AS changed_votes
    FOR EACH STATEMENT EXECUTE FUNCTION groups_vote_count_change('1');

CREATE TRIGGER groups_vote_count_delete
    AFTER DELETE ON groups_vote REFERENCING OLD TABLE AS changed_votes
    FOR EACH STATEMENT EXECUTE FUNCTION groups_vote_count_change('-1');

CREATE FUNCTION groups_vote_count_move() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM groups_nomination
    WHERE id IN (OLD.nomination_id, NEW.nomination_id)
    ORDER BY id
    FOR NO KEY UPDATE;
    UPDATE groups_nomination SET vote_count = vote_count - 1 WHERE id = OLD.nomination_id;
    UPDATE groups_nomination SET vote_count = vote_count + 1 WHERE id = NEW.nomination_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER groups_vote_count_move
    AFTER UPDATE OF nomination_id ON groups_vote
    FOR EACH ROW WHEN (OLD.nomination_id IS DISTINCT FROM NEW.nomination_id)
    EXECUTE FUNCTION groups_vote_count_move();

-- Any other write of the column (depth 1: not from the triggers above) is counted again.
CREATE FUNCTION groups_nomination_vote_count_recount() RETURNS trigger AS $$
BEGIN
    IF pg_trigger_depth() = 1 THEN
        NEW.vote_count := (SELECT count(*) FROM groups_vote WHERE nomination_id = NEW.id);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER groups_nomination_vote_count_recount
    BEFORE INSERT OR UPDATE OF vote_count ON groups_nomination
    FOR EACH ROW EXECUTE FUNCTION groups_nomination_vote_count_recount();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS groups_nomination_vote_count_recount ON groups_nomination;
DROP TRIGGER IF EXISTS groups_vote_count_move ON groups_vote;
DROP TRIGGER IF EXISTS groups_vote_count_delete ON groups_vote;
DROP TRIGGER IF EXISTS groups_vote_count_insert ON groups_vote;
DROP FUNCTION IF EXISTS groups_nomination_vote_count_recount();
DROP FUNCTION IF EXISTS groups_vote_count_move();
DROP FUNCTION IF EXISTS groups_vote_count_change();
"""

SQLITE_FORWARD = [
    "CREATE TRIGGER groups_vote_count_insert AFTER INSERT ON groups_vote BEGIN "
    "UPDATE groups_nomination SET vote_count = vote_count + 1 WHERE id = NEW.nomination_id; END",
    "CREATE TRIGGER groups_vote_count_delete AFTER DELETE ON groups_vote BEGIN "
    "UPDATE groups_nomination SET vote_count = vote_count - 1 WHERE id = OLD.nomination_id; END",
    "CREATE TRIGGER groups_vote_count_move AFTER UPDATE OF nomination_id ON groups_vote "
    "WHEN OLD.nomination_id IS NOT NEW.nomination_id BEGIN "
    "UPDATE groups_nomination SET vote_count = vote_count - 1 WHERE id = OLD.nomination_id; "
    "UPDATE groups_nomination SET vote_count = vote_count + 1 WHERE id = NEW.nomination_id; END",
    # Any write that leaves another number is counted again (SQLite's triggers do not fire
    # themselves again: recursive_triggers is off).
    """
    CREATE TRIGGER groups_nomination_vote_count_insert AFTER INSERT ON groups_nomination
    WHEN NEW.vote_count IS NOT (SELECT count(*) FROM groups_vote WHERE nomination_id = NEW.id)
    BEGIN
        UPDATE groups_nomination
        SET vote_count = (SELECT count(*) FROM groups_vote WHERE nomination_id = NEW.id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER groups_nomination_vote_count_update AFTER UPDATE OF vote_count
    ON groups_nomination
    WHEN NEW.vote_count IS NOT (SELECT count(*) FROM groups_vote WHERE nomination_id = NEW.id)
    BEGIN
        UPDATE groups_nomination
        SET vote_count = (SELECT count(*) FROM groups_vote WHERE nomination_id = NEW.id)
        WHERE id = NEW.id;
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS groups_nomination_vote_count_update",
    "DROP TRIGGER IF EXISTS groups_nomination_vote_count_insert",
    "DROP TRIGGER IF EXISTS groups_vote_count_move",
    "DROP TRIGGER IF EXISTS groups_vote_count_delete",
    "DROP TRIGGER IF EXISTS groups_vote_count_insert",
]


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(schema_editor.connection.vendor)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


def recount(apps, schema_editor) -> None:
    schema_editor.execute(RECOUNT)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0014_session_quorum"),
        ("papers", "0007_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(thread_versions.drop_triggers, thread_versions.create_triggers),
        migrations.AddField(
            model_name="nomination",
            name="vote_count",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="nomination",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["group", "-vote_count", "created_at", "id"],
                name="nomination_open_ballot_order",
            ),
        ),
        # Before the triggers: on SQLite it rebuilds groups_nomination.
        migrations.AddConstraint(
            model_name="nomination",
            constraint=models.CheckConstraint(
                condition=models.Q(("vote_count__gte", 0)),
                name="nomination_vote_count_not_negative",
            ),
        ),
        # Triggers first: from here on every vote written is counted, and the recount (in the
        # same transaction on PostgreSQL, with groups_vote locked by CREATE TRIGGER) starts from
        # the votes as they are.
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(recount, migrations.RunPython.noop),
        migrations.RunPython(thread_versions.create_triggers, thread_versions.drop_triggers),
    ]
