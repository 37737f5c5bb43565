"""Program outcomes in Django admin: notes (append-only), exit criteria (set through the service, as the
API does), recommendations (decided on the pages)."""

from django.contrib import admin

from core.admin_base import RecordedRowAdmin, SchoolScopedAdmin, adopt_saved
from interventions.outcomes import services
from interventions.outcomes.models import ExitCriteria, ExitRecommendation, ProgressNote


@admin.register(ProgressNote)
class ProgressNoteAdmin(SchoolScopedAdmin):
    list_display = ("entered_at", "intervention", "student", "rating", "metric_value", "entered_by")
    list_filter = ("intervention", "school")
    search_fields = ("note", "student__first_name", "student__last_name", "student__student_id")
    list_select_related = ("intervention", "student", "entered_by")
    date_hierarchy = "entered_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # append-only


@admin.register(ExitCriteria)
class ExitCriteriaAdmin(RecordedRowAdmin):
    list_display = ("intervention", "threshold_type", "target_value", "window", "metric_name", "created_at")
    list_filter = ("threshold_type", "school")
    search_fields = ("intervention__name", "metric_name")
    list_select_related = ("intervention",)

    # A criterion is set through `criteria_create` (who may set it, its target on the program's scale, its
    # window, its audit row), and then stays as set, as in the API: one that is wrong is deleted and set again.
    def perform_create(self, request, obj):
        given = {name: getattr(obj, name) for name in ("threshold_type", "target_value", "window", "metric_name")}
        adopt_saved(obj, services.criteria_create(actor=request.user, program=obj.intervention, **given))


@admin.register(ExitRecommendation)
class ExitRecommendationAdmin(SchoolScopedAdmin):
    list_display = ("enrollment", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status", "school")
    search_fields = (
        "enrollment__student__first_name",
        "enrollment__student__last_name",
        "enrollment__intervention__name",
    )
    list_select_related = ("enrollment__student", "enrollment__intervention", "decided_by")
    readonly_fields = ("enrollment", "figures", "status", "created_at", "decided_by", "decided_at", "version")

    def has_add_permission(self, request):
        return False  # written by the evaluation

    def has_change_permission(self, request, obj=None):
        return False  # accepted or dismissed on the progress page or through the API
