from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0003_admissions"),
        ("students", "0003_student_guardian_address"),
    ]

    operations = []
