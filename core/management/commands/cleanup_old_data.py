from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.retention import purge_audit_log


class Command(BaseCommand):
    help = "Retention: delete audit log rows older than the retention period (default 7 years)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")
        parser.add_argument("--days", type=int, default=None, help="Retention in days (default: AUDIT_RETENTION_DAYS).")

    def handle(self, *args, dry_run, days, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        result = purge_audit_log(cutoff=cutoff, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.count} audit log rows older than {cutoff:%Y-%m-%d} ({days} days); {result.kept} kept."
        )
