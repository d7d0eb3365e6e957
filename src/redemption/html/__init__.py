"""One page a seller can open in a browser: the period's redemption rate and what is behind it.

Install redemption with its ``report`` extra (``pip install '.[report]'`` from a checkout;
Jinja2 writes the page, matplotlib draws its charts). `html_report` writes a single
self-contained HTML page: its charts are embedded images and its script and styles are
inline, so it opens from a file with no network and can be mailed or archived as it is.
It shows

* the period's redemption rate, its 95% interval, and whether it is complete;
* every SKU's rate and its orders not redeemed (refused, returned after purchase, cancelled
  before handover) with their logistics, in a table sorted by a click on a column's header;
* the rate over time over the days of the orders window (day, week or month buckets by its
  length) with its interval band, and the refusal and return shares;
* the orders not redeemed by the category of their reason, and what their logistics cost;
* the buyers at the edges of reliability: the lowest and highest redemption percentages,
  with their tiers when a buyer `Policy` is given;
* the Wildberries loyalty standing of the period's months, when a `Programme` is given.

Every number on the page is computed by the library's own functions
(`redemption_rate`, `redemption.analysis`, `buyer_statuses`, `loyalty_timeline`), as of the
day given: the page reads no clock.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from redemption.html._report import html_report

__all__ = ["html_report"]
