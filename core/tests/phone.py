"""Checks that every page's browser test can reuse: the main action is reachable on a phone, and axe-core
finds no serious or critical accessibility problem.

axe-core is pinned in package.json; `scripts/setup.sh` copies `axe.min.js` to `AXE_PATH`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_URL_PATH = "/__browser-tests__/axe.min.js"  # answered by the test itself (page.route), never by the app
# WCAG 2.0 and 2.1, levels A and AA: the rules the pages are held to (fewer rules, a faster run).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# AXE_REPORT=FILE: every violation of any impact, axe's best practices included (landmarks, headings,
# empty table headers), is appended to FILE as one JSON line per page, for a before/after table.
AXE_REPORT = os.environ.get("AXE_REPORT")
AXE_REPORT_TAGS = [*AXE_TAGS, "best-practice"]
BLOCKING_IMPACTS = ("serious", "critical")
MIN_TAP_TARGET = 44  # px, WCAG 2.5.5 (AAA) and the platform guidelines; we hold our main actions to it


def axe_violations(page, *, impacts=BLOCKING_IMPACTS, tags=AXE_TAGS) -> list[dict]:
    """axe-core's violations on the page as it is now, those of `impacts` only (all when None)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Loaded as a file of the page's own origin: the CSP (script-src 'self') refuses an inline copy.
        origin = page.evaluate("() => location.origin")
        page.route(
            f"{origin}{AXE_URL_PATH}",
            lambda route: route.fulfill(path=str(AXE_PATH), content_type="application/javascript"),
        )
        page.add_script_tag(url=f"{origin}{AXE_URL_PATH}")
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length}))",
        tags,
    )
    return [v for v in result if impacts is None or v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) ×{v['count']}: {', '.join(v['targets'])}" for v in violations
    )


def assert_no_serious_axe_violations(page, *, label: str = "") -> None:
    if AXE_REPORT:
        found = axe_violations(page, impacts=None, tags=AXE_REPORT_TAGS)
        with open(AXE_REPORT, "a", encoding="utf-8") as report:
            line = {"page": label or page.url, "size": page.viewport_size["width"], "violations": found}
            report.write(json.dumps(line) + "\n")
        violations = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
    else:
        violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


def assert_main_action_in_viewport(page, selector: str, *, min_size: int | None = MIN_TAP_TARGET) -> None:
    """The first visible element matching `selector` lies inside the viewport's width where the page
    puts it (no sideways scrolling, neither of the page nor of a table inside it), and is at least
    `min_size` px tall and wide so a thumb can hit it."""
    action = page.locator(selector).locator("visible=true").first
    action.wait_for(state="visible")
    box = action.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None, f"{selector} has no box on {page.url}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
        f"{selector} spans x={box['x']:.0f}..{box['x'] + box['width']:.0f}, outside 0..{width} on {page.url}"
    )
    assert_no_sideways_scroll(page)
    if min_size:
        assert box["width"] >= min_size and box["height"] >= min_size, (
            f"{selector} is {box['width']:.0f}×{box['height']:.0f} px on {page.url}, below {min_size}×{min_size}"
        )


def assert_in_view(page, locator) -> None:
    """The element is wholly on screen as it is now: inside the viewport's width and height."""
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{locator} has no box on {page.url}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, f"{locator} is off the side: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5, f"{locator} is off screen: {box}"


def assert_no_sideways_scroll(page) -> None:
    """The page is no wider than the viewport (a table or calendar may scroll inside its own box)."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width} px wide in a {width} px viewport"
