from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0004_feedback"),
        ("interventions", "0004_program_outcomes"),
    ]

    operations = []
