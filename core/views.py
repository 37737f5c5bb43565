from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from core.sections import DASHBOARD, sections_for

APP_NAME = "School Support"


@login_required
def dashboard(request):
    """The user's home page: each app contributes the sections that concern the user's role."""
    return render(request, "core/dashboard.html", {"sections": sections_for(DASHBOARD, request.user)})


@require_safe
def web_manifest(request):
    """The web-app manifest: "add to home screen" names the app after the user's school, with our icon."""
    school = request.user.school if request.user.is_authenticated else None
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    manifest = {
        "name": f"{school.name} · {APP_NAME}" if school else APP_NAME,
        "short_name": school.name if school else APP_NAME,
        "description": "Registers, attendance alerts and intervention meetings.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d5fbf",
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static file."""
    response = redirect(static("img/favicon.ico"), permanent=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response
