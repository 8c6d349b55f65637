"""The pairing agreement's source citation in Chinese (the stored one) and in English."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("govservice", "0004_free_text_personal_numbers"),
    ]

    operations = [
        *[
            migrations.RenameField(
                model_name=model,
                old_name="source_reference",
                new_name="source_reference_zh",
            )
            for model in ("pairingagreement", "historicalpairingagreement")
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="source_reference_zh",
                field=models.CharField(
                    help_text=(
                        "Where the facts come from, as a reader cites it: publication and passage."
                    ),
                    max_length=300,
                    verbose_name="source",
                ),
            )
            for model in ("pairingagreement", "historicalpairingagreement")
        ],
        *[
            migrations.AddField(
                model_name=model,
                name="source_reference_en",
                field=models.CharField(
                    blank=True, max_length=400, verbose_name="source (English)"
                ),
            )
            for model in ("pairingagreement", "historicalpairingagreement")
        ],
    ]
