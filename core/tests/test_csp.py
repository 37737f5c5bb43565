"""Content-Security-Policy (SPEC §10): on every response, no inline script or style allowed, no framing;
and nothing of ours needs them: no inline <script>, event-handler attribute or style attribute."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


def policy_of(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/api/docs/", "/api/auth/me/", "/admin/"])
def test_every_response_carries_the_policy(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    policy = policy_of(response)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["base-uri"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_no_template_has_inline_script_handlers_or_style_attributes():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ATTRIBUTE):
            offenders += [f"{template.relative_to(TEMPLATES)}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert offenders == []


def test_pages_render_without_inline_script(client, form_master):
    client.force_login(form_master)
    for path in ["/", "/attendance/", "/students/", "/alerts/", "/form-master/interventions/", "/accounts/password/"]:
        html = client.get(path).content.decode()
        # json_script's data blocks are not run, and a CSP does not apply to them.
        scripts = [s for s in INLINE_SCRIPT.findall(html) if 'type="application/json"' not in s]
        assert scripts == [], path
        assert not HANDLER_ATTRIBUTE.search(html) and not STYLE_ATTRIBUTE.search(html), path
        # htmx adds no <style> of its own for indicators (app.css has them) and never evaluates strings.
        assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>""" in html


def test_swagger_ui_loads_its_set_up_as_a_script_file(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs/").content.decode()
    assert INLINE_SCRIPT.findall(html) == [] and "<style" not in html
    assert '<script src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "/static/css/swagger.css" in html
