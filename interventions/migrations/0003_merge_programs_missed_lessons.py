from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0002_missed_lessons_alert"),
        ("interventions", "0002_programs"),
    ]

    operations = []
