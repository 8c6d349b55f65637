"""Load the GB/T 2260 code table with its history (reference data every module needs)."""

from django.db import migrations


def load(apps, schema_editor):
    from xiqia.core.regions import sync_regions

    sync_regions(apps.get_model("core", "Region"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
