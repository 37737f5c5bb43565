"""Browser-test helpers shared by every app's Playwright tests."""


def settled(page):
    """Wait until the page has finished loading and htmx has nothing in flight.

    htmx and app.js are deferred: they bind their handlers once the document has parsed, so a change or
    click made straight after a navigation can reach the page before anything listens and be lost. Call
    this after an assertion that proves the new page is showing (its URL or a heading), before using a
    control that htmx or app.js drives, and between two htmx actions on the same fragment.
    """
    page.wait_for_function(
        "() => document.readyState === 'complete' && window.htmx !== undefined"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
