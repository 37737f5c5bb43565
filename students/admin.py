from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse

from core.admin_base import SchoolScopedAdmin, adopt_saved
from core.errors import ApplicationError
from students import roster, services
from students.models import AcademicYear, ClassGroup, Student


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ["name", "start_date", "end_date", "is_current", "school"]
    list_filter = ["is_current", "school"]
    search_fields = ["name"]


@admin.register(ClassGroup)
class ClassGroupAdmin(SchoolScopedAdmin):
    list_display = ["name", "grade_level", "academic_year", "form_master", "school"]
    list_filter = ["grade_level", "academic_year", "school"]
    search_fields = ["name", "form_master__first_name", "form_master__last_name", "form_master__username"]
    list_select_related = ["academic_year", "form_master", "school"]


class RosterUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV with the columns " + ", ".join(roster.ROSTER_COLUMNS) + ".")


@admin.register(Student)
class StudentAdmin(SchoolScopedAdmin):
    list_display = ["student_id", "last_name", "first_name", "class_group", "status", "school"]
    list_filter = ["status", "class_group__grade_level", "class_group", "gender", "school"]
    search_fields = ["student_id", "first_name", "last_name", "guardian_name", "guardian_email"]
    list_select_related = ["class_group", "school"]
    readonly_fields = ["version", "created_at", "updated_at"]
    change_list_template = "students/admin_student_changelist.html"

    # Through the students' services, so the admin keeps their rules (a student_id unique in the
    # school whatever its case) as the API does.
    def perform_create(self, request, obj):
        values = {name: getattr(obj, name) for name in services.STUDENT_EDITABLE_FIELDS}
        adopt_saved(obj, services.student_create(actor=request.user, school_id=obj.school_id, **values))

    def perform_update(self, request, obj, before):
        stored = Student.objects.select_related("class_group").get(pk=obj.pk)
        changes = {
            name: getattr(obj, name)
            for name in services.STUDENT_EDITABLE_FIELDS
            if getattr(obj, name) != getattr(stored, name)
        }
        adopt_saved(obj, services.student_update(actor=request.user, student=stored, version=obj.version, **changes))

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_roster_view), name="students_student_import"),
            *super().get_urls(),
        ]

    def import_roster_view(self, request):
        """Upload a roster CSV: all lines or none; every bad line listed with its number."""
        if not self.has_add_permission(request) or request.user.school_id is None:
            messages.error(request, "Only a school's admin imports its roster.")
            return redirect(reverse("admin:students_student_changelist"))
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                text = roster.decode_roster(form.cleaned_data["file"].read())
                result = roster.roster_import(actor=request.user, school=request.user.school, text=text)
            except roster.RosterError as exc:
                errors = [f"Line {n}: {reason}" for n, reason in exc.lines]
            except ApplicationError as exc:
                errors = [str(exc)]
            else:
                messages.success(
                    request,
                    f"Roster imported: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged"
                    + (f"; new forms: {', '.join(result.forms_created)}" if result.forms_created else "")
                    + ".",
                )
                return redirect(reverse("admin:students_student_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import roster",
            "form": form,
            "errors": errors,
            "columns": roster.ROSTER_COLUMNS,
        }
        return render(request, "students/admin_import.html", context, status=400 if errors else 200)


# The academic records register their admin when imported.
from students.academics import admin as academics_admin  # noqa: E402, F401

# Admissions registers its models from its own package.
from students.admissions import admin as admissions_admin  # noqa: E402,F401

# Admin of the parts of the students app.
from students.behaviour import admin as behaviour_admin  # noqa: E402, F401
