from django.core.management.base import BaseCommand

from core.demo import DEFAULT_PASSWORD, DEMO_STAFF, seed


class Command(BaseCommand):
    help = "Create (or top up) two demo schools with staff of every role, forms, students and a term of data."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo user.")

    def handle(self, *args, password, **options):
        seeded = seed(password=password, log=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/accounts/login/"))
        for demo in seeded:
            self.stdout.write(f"\n{demo.school.name} ({demo.school.code})")
            for suffix, role, *_ in DEMO_STAFF:
                user = demo.users[suffix]
                self.stdout.write(f"  {user.username:<18} {role.label:<12} password: {password}")
