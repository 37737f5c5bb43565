"""`{% row_url %}` writes exactly the address `{% url %}` writes, whatever the id and script prefix."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

NAMES = ["students:profile", "behaviour:log", "alert-change-status"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 2_147_483_647])
def test_row_url_is_what_url_gives(name, pk):
    rendered = Template("{% load rows %}{% row_url name pk %}|{% url name pk %}").render(
        Context({"name": name, "pk": pk})
    )
    fast, slow = rendered.split("|")
    assert fast == slow == reverse(name, args=[pk])


def test_row_url_follows_the_script_prefix():
    try:
        set_script_prefix("/support/")
        assert Template("{% load rows %}{% row_url 'students:profile' 7 %}").render(Context()) == (
            "/support/students/7/"
        )
    finally:
        clear_script_prefix()
    assert Template("{% load rows %}{% row_url 'students:profile' 7 as a %}{{ a }}").render(Context()) == (
        "/students/7/"
    )
