"""The one pager under every paginated table (templates/core/_pager.html)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.pages import query_without


def pager(number: int, **context) -> str:
    page = Paginator(list(range(120)), 50).get_page(number)
    return render_to_string("core/_pager.html", {"page": page, **context})


def test_a_single_page_has_no_pager():
    page = Paginator(list(range(3)), 50).get_page(1)
    assert render_to_string("core/_pager.html", {"page": page, "query": ""}).strip() == ""


def test_the_middle_page_links_both_ways_keeping_the_query():
    html = pager(2, query="status=open&kind=x")
    assert '<nav aria-label="Pages" class="pager">' in html
    assert '<a href="?status=open&amp;kind=x&amp;page=1">&larr; Previous</a>' in html
    assert "<li>Page 2 of 3</li>" in html
    assert '<a href="?status=open&amp;kind=x&amp;page=3">Next &rarr;</a>' in html
    assert "hx-get" not in html  # no target: the links load whole pages


def test_the_first_and_last_pages_link_one_way_without_an_empty_query():
    first, last = pager(1, query=""), pager(3, query="")
    assert "Previous" not in first and '<a href="?page=2">Next &rarr;</a>' in first
    assert "Next" not in last and '<a href="?page=2">&larr; Previous</a>' in last


def test_htmx_target_swap_base_noun_and_words():
    html = pager(
        2,
        query="urgency=high",
        base="/form-master/interventions/",
        target="#meetings-region",
        swap="outerHTML",
        noun="meetings",
        previous="← Newer",
        next="Older →",
    )
    link = "/form-master/interventions/?urgency=high&amp;page=1"
    assert (
        f'<a href="{link}" hx-get="{link}" hx-target="#meetings-region" hx-swap="outerHTML" hx-push-url="true">← Newer</a>'
        in html
    )
    assert "<li>Page 2 of 3 · 120 meetings</li>" in html
    assert "Older →</a>" in html


def test_query_without_drops_the_named_parameters_only():
    request = RequestFactory().get("/x/", {"page": "2", "status": "open", "sort": "name", "q": "a b"})
    assert query_without(request, "page") == "status=open&sort=name&q=a+b"
    assert query_without(request, "page", "sort") == "status=open&q=a+b"
    assert query_without(RequestFactory().get("/x/"), "page") == ""
