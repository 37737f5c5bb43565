"""Views that exercise core's helpers (role gates, error mapping); mounted only by core's tests."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.permissions import HasRole, role_required


@role_required("admin", "form_master")
def staff_page(request):
    return HttpResponse(f"staff page for {request.user.username}")


class StaffApi(APIView):
    permission_classes = [HasRole("admin", "form_master")]

    def get(self, request):
        return Response({"user": request.user.username})


class AnyRoleApi(APIView):
    permission_classes = [HasRole()]

    def get(self, request):
        return Response({"user": request.user.username})


ERRORS = {
    "conflict": lambda: ConflictError(current_version=7),
    "field": lambda: ApplicationError(field_errors={"follow_up_date": ["Must be after the meeting date."]}),
    "message": lambda: ApplicationError("Closed meetings cannot change."),
    "not-found": lambda: NotFoundError(),
    "denied": lambda: PermissionDeniedError("Only the meeting's owner may change it."),
    "django-validation": lambda: ValidationError({"date": ["Not a school day."]}),
}


class RaisingApi(APIView):
    def get(self, request, kind):
        raise ERRORS[kind]()


urlpatterns = [
    path("staff-page/", staff_page),
    path("api/staff/", StaffApi.as_view()),
    path("api/any-role/", AnyRoleApi.as_view()),
    path("api/raise/<str:kind>/", RaisingApi.as_view()),
    path("", include("school_support.urls")),
]
