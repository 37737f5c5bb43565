"""Test settings: the real settings plus a fast hasher and the in-memory email backend."""

import os
import tempfile

from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Text messages go to files (tests that read them point SMS_FILE_PATH at their own directory).
SMS_BACKEND = "interventions.communications.sms.FileSMSBackend"
SMS_FILE_PATH = os.path.join(tempfile.gettempdir(), "school-support-test-sms")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-axes stays on (the login pages and the token endpoint are tested with it); only the test
# client's login(), which passes no request, goes past it.
AUTHENTICATION_BACKENDS = ["core.testing.backends.AxesBackendForTests", "core.auth.UserBackend"]
