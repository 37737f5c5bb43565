from dataclasses import dataclass

from django.db import transaction

from core.models import AuditLog


@dataclass(frozen=True)
class PurgeResult:
    count: int
    kept: int


def purge_audit_log(*, cutoff, dry_run: bool = False) -> PurgeResult:
    """Delete audit rows created before `cutoff` (the only deletion of audit rows there is)."""
    with transaction.atomic():
        old = AuditLog.objects.filter(created_at__lt=cutoff)
        count = old.count() if dry_run else AuditLog.objects.all().purge_before(cutoff)
        kept = AuditLog.objects.count() - (count if dry_run else 0)
    return PurgeResult(count=count, kept=kept)
