"""`{% row_url %}` writes exactly the address `{% url %}` writes, whatever the id and script prefix; `|row_day`
writes what `|date:"j M Y"` writes."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

NAMES = [
    "students:profile",
    "behaviour:log",
    "alert-change-status",
    "meeting-tracker",
    "admissions:inquiry",
    "program-detail",
]


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


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2026, 12, 7),
        datetime.date(2027, 1, 1),
        datetime.date(2026, 9, 30),
        # Late in the evening UTC is the next day in some zones: both filters write the current zone's day.
        datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
        None,
    ],
)
@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Tokyo", "America/New_York"])
def test_row_day_is_what_date_gives(day, zone, settings):
    settings.TIME_ZONE = zone
    rendered = Template('{% load rows %}{{ day|row_day }}|{{ day|date:"j M Y" }}').render(Context({"day": day}))
    fast, slow = rendered.split("|")
    assert fast == slow


@pytest.mark.parametrize(
    ("number", "words"),
    [("92.50", "92.5"), ("90.00", "90"), ("100", "100"), ("0.00", "0"), ("0.05", "0.05"), (None, "")],
)
def test_plain_number_writes_a_decimal_without_trailing_zeros(number, words):
    from decimal import Decimal

    value = None if number is None else Decimal(number)
    assert Template("{% load rows %}{{ n|plain_number }}").render(Context({"n": value})) == words
