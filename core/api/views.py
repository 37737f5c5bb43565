import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from core import audit
from core.api.filters import row_id_filter
from core.api.serializers import AuditLogSerializer, ClientEventSerializer, MeSerializer
from core.models import AuditLog
from core.permissions import Role, has_role
from core.selectors import audit_log_list


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditLogFilter(django_filters.FilterSet):
    entity_type = django_filters.CharFilter()
    entity_id = django_filters.CharFilter()
    actor = row_id_filter("actor", field_name="actor_id")
    action = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditLog
        fields = ["entity_type", "entity_id", "actor", "action"]


class AuditLogView(generics.ListAPIView):
    """GET: the school's audit log (admins only). POST: record a client event (any signed-in user)."""

    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return audit_log_list(actor=self.request.user)

    def list(self, request, *args, **kwargs):
        if not has_role(request.user, Role.ADMIN):
            return Response({"detail": "Only admins may read the audit log."}, status=status.HTTP_403_FORBIDDEN)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ClientEventSerializer, responses={201: AuditLogSerializer})
    def post(self, request):
        if not has_role(request.user):
            return Response({"detail": "Only school staff may record events."}, status=status.HTTP_403_FORBIDDEN)
        serializer = ClientEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = audit.record(
            actor=request.user,
            action=f"client.{serializer.validated_data['action']}",
            entity_type="client_event",
            after=serializer.validated_data["details"],
        )
        return Response(AuditLogSerializer(entry).data, status=status.HTTP_201_CREATED)


class TokenObtainView(TokenObtainPairView):
    """simplejwt's token endpoint. It authenticates through Django's backends with the request, so
    django-axes counts its failures and refuses a locked-out username and address like the login page.
    axes marks the request it was given, which here is DRF's wrapper: the marks are copied to Django's
    request, whose answer axes' middleware then turns into the lockout response (429, `detail`)."""

    def finalize_response(self, request, response, *args, **kwargs):
        for name, value in vars(request).items():
            if name.startswith("axes_"):
                setattr(request._request, name, value)
        return super().finalize_response(request, response, *args, **kwargs)
