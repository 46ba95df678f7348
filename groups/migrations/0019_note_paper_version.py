# Version-aware notes (issue 16, item 6): a note remembers its paper's latest arXiv version when
# it was written, and a group that discussed a paper is told of a newer version once.
#
# Note.paper_version is added nullable, which SQLite does with ALTER TABLE ADD COLUMN: groups_note
# is not rebuilt, so 0012's and 0018's triggers stay (tests/groups/notes/test_versions.py checks
# a note write still changes its subject's notes_version). Notes written before are left NULL,
# not backfilled with their paper's version today: that could be newer than the one their
# author read, and a mark on them would then say what nobody knows. They are never marked.
#
# The Notification kind check gains "version" (SQLite rebuilds groups_notification, which has
# no triggers); Activity's kinds too (choices only: no SQL).
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

KINDS = ["nomination", "reply", "mention", "session", "poll", "quorum", "readiness", "version"]


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0018_note_author_names"),
        ("papers", "0007_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="paper_version",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_kind_valid",
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("nomination", "New nomination"),
                    ("reply", "Reply to your note"),
                    ("mention", "Mention"),
                    ("session", "Session notice"),
                    ("poll", "Time poll"),
                    ("quorum", "Quorum warning"),
                    ("readiness", "Readiness warning"),
                    ("version", "New version of a paper discussed"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=KINDS), name="notification_kind_valid"
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "created the group"),
                    ("joined", "joined"),
                    ("left", "left"),
                    ("removed", "removed a member"),
                    ("role", "changed a role"),
                    ("nominated", "nominated"),
                    ("withdrew", "withdrew"),
                    ("archived", "archived"),
                    ("version", "posted a new version of"),
                ],
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="VersionNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveSmallIntegerField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="groups.readinggroup",
                    ),
                ),
                (
                    "paper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="papers.paper",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("group", "paper", "version"), name="one_version_notice_per_group"
                    )
                ],
            },
        ),
    ]
