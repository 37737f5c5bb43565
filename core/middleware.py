from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from core.audit import current_ip


def client_ip(request) -> str | None:
    # Behind a proxy (gunicorn behind nginx) the first X-Forwarded-For entry is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


class RequestContextMiddleware:
    """Makes the client's IP available to the audit log for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            current_ip.reset(token)
        if response.get("Content-Type", "").startswith("text/html"):
            # Pages answer htmx requests with a fragment: caches must keep the two apart.
            patch_vary_headers(response, ["HX-Request"])
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # A number past what the database stores reached a query (SQLite refuses it): bad input, not
            # a server error. The views bound the ids they read; this catches any that slip through.
            return render(request, "400.html", status=400)
        return None
