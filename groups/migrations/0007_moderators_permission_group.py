"""The "Moderators" auth group: staff in it work the moderation queue in the admin.

Its permissions are what the queue's actions need and no more: read and change notes and flags,
read the audit log, locks and bans, change users (the user admin lets non-superusers change only
the active flag, through the suspend actions) and papers (only the hidden flag, likewise).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("groups", "view_note"),
    ("groups", "change_note"),
    ("groups", "view_flaggednote"),
    ("groups", "change_flaggednote"),
    ("groups", "view_noteflag"),
    ("groups", "change_noteflag"),
    ("groups", "view_moderationlog"),
    ("groups", "view_threadlock"),
    ("groups", "view_groupban"),
    ("groups", "view_user"),
    ("groups", "change_user"),
    ("papers", "view_paper"),
    ("papers", "change_paper"),
]


def create_moderators(apps, schema_editor) -> None:
    # Permissions are normally made after migrate finishes; the group needs them now.
    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which historical apps lack;
        # restore the value after (tests call this with the real app registry too).
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_moderators(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("groups", "0006_moderation"),
        ("papers", "0004_paper_hidden"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
