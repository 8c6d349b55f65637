"""The catalogue's full-text index on PostgreSQL: a GIN index over the jieba words.

``Project.search_text`` holds the words jieba found (``core.text.search_text``), separated by
spaces, so the 'simple' configuration (split on spaces, lower-case, no stemming) keeps each word
as it is. The expression must stay the one ``selectors.project_search`` filters on. SQLite has
no such index: it searches ``ProjectWord`` instead.
"""

from django.db import migrations

INDEX = "investment_project_search_gin"
EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(\"search_text\", ''))"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON investment_project USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("investment", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
