from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Case, Value, When
from django.utils import timezone


class School(models.Model):
    """The tenant: every domain row belongs to one school."""

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        FORM_MASTER = "form_master", "Form master"
        TEACHER = "teacher", "Teacher"
        COUNSELOR = "counselor", "Counsellor"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TEACHER)
    # Blank only for platform superusers; every school user has one.
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="users")

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        password_changed = self._password is not None and self.pk is not None  # set_password() was called
        super().save(*args, **kwargs)
        if password_changed:
            revoke_api_tokens(self)

    @property
    def is_school_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def revoke_api_tokens(user) -> int:
    """Blacklist every refresh token the user still holds (a new password, a deactivation): a stolen
    token stops working. Access tokens run out within their short lifetime. Returns how many."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    return len(BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live]))


class SchoolScopedQuerySet(models.QuerySet):
    """The one place where rows are limited to the acting user's school."""

    def for_actor(self, actor) -> SchoolScopedQuerySet:
        if actor is None or not actor.is_authenticated:
            return self.none()
        if actor.school_id is None:
            # Platform superusers operate every school; anyone else without a school sees nothing.
            return self if actor.is_superuser else self.none()
        return self.filter(school_id=actor.school_id)

    def for_school(self, school) -> SchoolScopedQuerySet:
        return self.filter(school=school)


def uniqueness_marker(expression) -> models.GeneratedField:
    """A stored column that is 1 on the rows a "one at a time" rule counts and NULL on the others: a unique
    constraint over (its key, the marker) then allows one such row per key on every database, MySQL and
    MariaDB included, which ignore conditional unique constraints (NULLs never clash)."""
    return models.GeneratedField(
        expression=expression, output_field=models.PositiveSmallIntegerField(null=True), db_persist=True
    )


def marker_while(**lookups) -> models.GeneratedField:
    """uniqueness_marker: 1 while the row matches `lookups` (e.g. status="active")."""
    return uniqueness_marker(Case(When(then=Value(1), **lookups), default=None))


def allowed_next_statuses(row) -> list[str]:
    """The statuses a row with a status machine (its model's `ALLOWED_TRANSITIONS`: status → the statuses it
    may move to) may move to now, in the order of its `Status` choices."""
    allowed = type(row).ALLOWED_TRANSITIONS.get(row.status, set())
    return [value for value in type(row).Status.values if value in allowed]


class OptimisticLockMixin(models.Model):
    """A `version` that starts at 1 and grows by one on every change.

    A stored row is changed only through `core.locking` (`versioned_update`, `versioned_save`): a single
    `UPDATE … WHERE pk = … AND version = n` that raises `ConflictError` when someone saved first. A plain
    `save()` of a stored row would skip that check, so it is refused (`UnversionedSaveError`); `save()`
    creates new rows only.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            from core.locking import UnversionedSaveError

            raise UnversionedSaveError(
                f"A stored {type(self).__name__} is saved with core.locking.versioned_save/versioned_update, "
                "which check the version it was read at."
            )
        self.version = 1
        # An INSERT even when a pk is given: never Django's UPDATE-else-INSERT of a row that exists.
        kwargs.setdefault("force_insert", True)
        return super().save(*args, **kwargs)


class AuditLogQuerySet(SchoolScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only; only the retention command removes rows.")

    def purge_before(self, cutoff) -> int:
        """Retention only: delete rows created before `cutoff`; returns how many."""
        deleted, _ = models.QuerySet.delete(self.filter(created_at__lt=cutoff))
        return deleted


class AuditLog(models.Model):
    """Append-only record of every change to a domain row and of client events."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # PROTECT: a user who appears in the log cannot be deleted (that would rewrite the log); deactivate them.
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries")
    action = models.CharField(max_length=64)
    entity_type = models.CharField(max_length=100, blank=True)
    entity_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        # Django's internal reads and writes go through the append-only manager too.
        base_manager_name = "objects"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "entity_type", "entity_id"]),
            models.Index(fields=["school", "created_at"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.entity_type}#{self.entity_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only; only the retention command removes rows.")
