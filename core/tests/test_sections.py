"""The page-section registry: apps' sections render in order, and a section returning None is left out."""

import pytest
from django.utils.module_loading import autodiscover_modules

from core import sections


@pytest.fixture
def registry(monkeypatch):
    autodiscover_modules("sections")
    monkeypatch.setattr(sections, "_sections", [])


def test_sections_render_in_order_with_the_page_objects(registry, teacher):
    @sections.page_section(page=sections.STUDENT_PROFILE, order=20, template="b.html")
    def second(actor, **objects):
        return {"who": actor.username, "student": objects["student"]}

    @sections.page_section(page=sections.STUDENT_PROFILE, order=10, template="a.html")
    def first(actor, **objects):
        return {"first": True}

    @sections.page_section(page=sections.STUDENT_PROFILE, order=15, template="hidden.html")
    def not_for_this_actor(actor, **objects):
        return None

    @sections.page_section(page=sections.DASHBOARD, order=1, template="other-page.html")
    def elsewhere(actor, **objects):
        return {}

    rendered = sections.sections_for(sections.STUDENT_PROFILE, teacher, student="S-1")
    assert rendered == [("a.html", {"first": True}), ("b.html", {"who": "north-teacher", "student": "S-1"})]
    assert [t for t, _ in sections.sections_for(sections.DASHBOARD, teacher)] == ["other-page.html"]


def test_no_sections_is_an_empty_list(registry, teacher):
    assert sections.sections_for(sections.DASHBOARD, teacher) == []
