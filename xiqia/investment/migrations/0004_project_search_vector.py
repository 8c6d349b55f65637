"""The catalogue's search on PostgreSQL: a stored tsvector column with a GIN index.

Migration 0002 indexed the expression ``to_tsvector('simple', search_text)``. A GIN index over an
expression answers the ``@@`` match, but each row the plan reads otherwise (the newest-first
scan that stops after a page, the capped count) recomputed ``to_tsvector`` from the text; a
stored column holds the vector once, so those rows cost a comparison. PostgreSQL computes the
column itself (``GENERATED ALWAYS ... STORED``) from ``search_text``, which the services keep, so
no code writes it and ``bulk_create`` needs nothing extra. The model does not declare it: it
exists only on PostgreSQL, where ``selectors.project_search`` reads it.

One search path per backend: PostgreSQL searches this column, SQLite the ``ProjectWord`` table,
which is therefore emptied here and no longer kept on PostgreSQL.
"""

from django.db import migrations

COLUMN = "search_vector"
INDEX = "investment_project_search_vector"
OLD_INDEX = "investment_project_search_gin"
OLD_EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(\"search_text\", ''))"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE investment_project ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) "
        "STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON investment_project USING gin ({COLUMN})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute("DELETE FROM investment_projectword")


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON investment_project USING gin "
        f"({OLD_EXPRESSION})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE investment_project DROP COLUMN IF EXISTS {COLUMN}")
    # ProjectWord is not refilled: run the services' reindexing if you go back to it.


class Migration(migrations.Migration):
    dependencies = [("investment", "0003_indicator_unique_per_subject")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
