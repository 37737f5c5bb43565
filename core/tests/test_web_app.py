"""The favicon and the web-app manifest: "add to home screen" gives the school's name and our icon."""

import struct

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as image:
        head = image.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_manifest_names_the_users_school_and_lists_png_icons(client, form_master):
    client.force_login(form_master)
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "Cookie" in response["Vary"]
    manifest = response.json()
    assert manifest["name"] == "North High · School Support"
    assert manifest["short_name"] == "North High"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    pngs = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= set(pngs)
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/img/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(found)
            assert f"{width}x{height}" == icon["sizes"]


def test_manifest_for_anonymous_visitors_names_the_app(client):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["name"] == manifest["short_name"] == "School Support"


def test_favicon_ico_is_served_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    ico = finders.find("img/favicon.ico")
    with open(ico, "rb") as image:
        assert image.read(4) == b"\x00\x00\x01\x00"  # an ICO header
    assert client.head("/favicon.ico").status_code == 301


def test_every_page_links_the_icon_manifest_and_live_region(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">' in html
    assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">' in html
    assert '<div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>' in html
