from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Reading groups"

    def ready(self) -> None:
        # groups builds on papers; papers announces its imports and never imports groups.
        from groups.notifications.tasks import digests_after_import, version_notices_after_import
        from groups.questions import tasks  # noqa: F401  # registers beat's open_agenda_threads
        from groups.similar.tasks import similar_after_import
        from papers.signals import day_imported, paper_versions_rose

        day_imported.connect(digests_after_import, dispatch_uid="groups.digests_after_import")
        day_imported.connect(similar_after_import, dispatch_uid="groups.similar_after_import")
        paper_versions_rose.connect(
            version_notices_after_import, dispatch_uid="groups.version_notices_after_import"
        )
