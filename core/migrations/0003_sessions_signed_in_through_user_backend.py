"""Sessions signed in before the app read users through core.auth.UserBackend name Django's ModelBackend,
which is no longer in AUTHENTICATION_BACKENDS: Django would sign those users out. They are pointed at the
backend that replaced it, so a deploy signs nobody out."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "core.auth.UserBackend"
BATCH = 1000


def _repoint(apps, schema_editor, *, old: str, new: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    changed = []
    for session in Session.objects.using(schema_editor.connection.alias).iterator(chunk_size=BATCH):
        data = store.decode(session.session_data)  # {} for one that no longer verifies
        if data.get("_auth_user_backend") != old:
            continue
        data["_auth_user_backend"] = new
        session.session_data = store.encode(data)
        changed.append(session)
        if len(changed) >= BATCH:
            Session.objects.using(schema_editor.connection.alias).bulk_update(changed, ["session_data"])
            changed = []
    if changed:
        Session.objects.using(schema_editor.connection.alias).bulk_update(changed, ["session_data"])


def forwards(apps, schema_editor):
    _repoint(apps, schema_editor, old=OLD, new=NEW)


def backwards(apps, schema_editor):
    _repoint(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_actor_protected"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
