from rest_framework import serializers

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
