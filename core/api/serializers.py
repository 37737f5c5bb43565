from rest_framework import serializers

from core.errors import ApplicationError
from core.models import AuditLog, User

# Client events that the pages or an outside client may record; anything else is refused with 400.
CLIENT_EVENT_ACTIONS = (
    "viewed_student_profile",
    "exported_students",
    "exported_attendance",
    "printed_report",
    "viewed_report",
    "client_error",
)
MAX_DETAILS_BYTES = 4096

# How the API writes dates and times in the rows a serializer builds itself (DRF's ISO 8601, times in the
# current time zone; None stays None).
DATE = serializers.DateField(read_only=True)
TIMESTAMP = serializers.DateTimeField(read_only=True)


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose error names the allowed values."""
    allowed = ", ".join(str(value) for value in choices.values)
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={"invalid_choice": f"“{{input}}” is not a valid choice. Allowed: {allowed}."},
        **kwargs,
    )


def validated(serializer_class, data, **kwargs) -> dict:
    """The request body checked by `serializer_class` (400 with its field errors)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated_patch(serializer_class, data) -> tuple[int, dict]:
    """A PATCH body: the `version` it was read at (required) and the fields it sends, checked."""
    values = validated(serializer_class, data, partial=True)
    if "version" not in values:
        raise ApplicationError(field_errors={"version": ["This field is required."]})
    return values.pop("version"), values


class MeSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", default=None, read_only=True)
    school_code = serializers.CharField(source="school.code", default=None, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "school", "school_name", "school_code"]
        read_only_fields = fields


class AuditLogSerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "action",
            "entity_type",
            "entity_id",
            "actor",
            "actor_username",
            "before",
            "after",
            "ip",
            "created_at",
        ]
        read_only_fields = fields


class ClientEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=CLIENT_EVENT_ACTIONS)
    details = serializers.JSONField(required=False, default=dict)

    def validate_details(self, value):
        import json

        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        if len(json.dumps(value)) > MAX_DETAILS_BYTES:
            raise serializers.ValidationError(f"Must be at most {MAX_DETAILS_BYTES} bytes of JSON.")
        return value
