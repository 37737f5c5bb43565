import ipaddress

from django.conf import settings
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from core.audit import current_ip
from core.pages import as_http, error_page


def client_ip(request) -> str | None:
    """The address the audit log records. X-Forwarded-For is only believed for the hops our own
    proxies appended (settings.TRUSTED_PROXY_COUNT, 0 by default): a client can write anything
    into that header, so the address is taken that many entries from its right end. Whatever is
    taken must parse as an IP address, or nothing is recorded."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


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
        if getattr(request, "htmx", False) and response.status_code == 302 and _to_login(response["Location"]):
            # A session that expired while a page was open: htmx would follow the redirect and swap the
            # login page into a table cell. Send the whole browser to the login page instead.
            return HttpResponseClientRedirect(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            # Pages answer htmx requests with a fragment: caches must keep the two apart.
            patch_vary_headers(response, ["HX-Request"])
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # A number past what the database stores reached a query (SQLite refuses it): bad input, not
            # a server error. The views bound the ids they read; this catches any that slip through.
            return render(request, "400.html", status=400)
        mapped = as_http(exception)
        if mapped is not None:
            # NotFoundError / PermissionDeniedError raised by a selector or service: the 404 / 403 page.
            raise mapped from None
        return error_page(request, exception)


def _to_login(location: str) -> bool:
    return location.split("?", 1)[0] == resolve_url(settings.LOGIN_URL)
