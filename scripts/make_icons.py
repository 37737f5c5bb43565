"""Renders static/img/favicon.svg into the PNG icons of the web-app manifest and into favicon.ico.

Run by hand after changing the SVG (the results are committed): `.venv/bin/python scripts/make_icons.py`.
Uses the Chromium that the browser tests use, so no imaging library is needed.
"""

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
# name: (size in px, full bleed). A maskable icon fills its square: the launcher cuts its own shape.
ICONS = {
    "icon-32.png": (32, False),
    "apple-touch-icon.png": (180, True),
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
}


def render(page, svg: str, size: int, full_bleed: bool) -> bytes:
    if full_bleed:
        svg = svg.replace('rx="104" ', "")
    page.set_viewport_size({"width": size, "height": size})
    sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
    page.set_content(f'<body style="margin:0">{sized}</body>')
    return page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})


def ico_from_png(png: bytes, size: int) -> bytes:
    """An .ico holding one PNG image (every browser since 2007 reads PNG inside ICO)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def main() -> None:
    svg = (IMG / "favicon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for name, (size, full_bleed) in ICONS.items():
            png = render(page, svg, size, full_bleed)
            (IMG / name).write_bytes(png)
            if size == 32:
                (IMG / "favicon.ico").write_bytes(ico_from_png(png, size))
        browser.close()
    print("\n".join(f"{p.name}: {p.stat().st_size} bytes" for p in sorted(IMG.iterdir())))


if __name__ == "__main__":
    main()
