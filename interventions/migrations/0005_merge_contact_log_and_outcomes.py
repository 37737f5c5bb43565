from django.db import migrations


class Migration(migrations.Migration):
    """One leaf: the contact log and program outcomes (which already follow both 0002s) beside the
    merge of programs and the missed-lessons alert kind."""

    dependencies = [
        ("interventions", "0003_merge_programs_missed_lessons"),
        ("interventions", "0004_program_outcomes"),
    ]

    operations = []
