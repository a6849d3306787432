"""axe-core (Deque's accessibility engine) run inside a Playwright page.

`vendor/axe.min.js` is the file of the npm package `axe-core`, copied as it is (MPL-2.0 header
kept) so that the tests need neither node nor the network. To update it:
`npm pack axe-core@VERSION && tar xzf axe-core-VERSION.tgz package/axe.min.js`, then set
VERSION and SRI below from the package's `sri-history.json`.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

VERSION = "4.14.1"
SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # sri-history.json of axe-core
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
# WCAG 2.1 A and AA: what the RGAA 4.1 (the French public-service standard) is built on.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    data = AXE.read_bytes()
    digest = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert digest == SRI, f"{AXE} is not axe-core {VERSION} as published on npm"
    return data.decode("utf-8")


def violations(page: Page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation on the page as it is now (axe's own JSON)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())  # evaluated by the driver: the page's CSP does not apply
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations""",
        TAGS,
    )


def serious(page: Page) -> list[str]:
    """Serious and critical violations, one readable line per element."""
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary']}"
        for v in violations(page)
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]
