"""Test settings: the real settings plus a fast hasher and the in-memory email backend."""

from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-axes stays on (the login pages and the token endpoint are tested with it); only the test
# client's login(), which passes no request, goes past it.
AUTHENTICATION_BACKENDS = ["core.testing.backends.AxesBackendForTests", "django.contrib.auth.backends.ModelBackend"]
