"""Reading a rendered page in tests."""

from __future__ import annotations

import re


def chosen(body: str, name: str) -> str | None:
    """The value of the selected option of the page's `<select name="…">`, None when none is selected."""
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', body, re.S)
    assert select, f'no <select name="{name}"> on the page'
    found = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return found.group(1) if found else None
