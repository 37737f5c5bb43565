from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_lessons_relations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="attendancerecord",
            index=models.Index(fields=["school", "-date", "student"], name="attendance_school_list_order"),
        ),
    ]
