"""The fetch command: download Wildberries statistics reports, resuming."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Literal

from redemption.cli._common import Commands, day
from redemption.io.wb_api import TokenFileWarning, fetch_wildberries_statistics, read_token


def _fetch(args: argparse.Namespace) -> int:
    """Download the reports; each retry and each warning is one line on stderr.

    A failure raises (`main` prints it in one line, status 1); an interrupt says how to
    resume and gives status 130.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TokenFileWarning)
        token = read_token(args.token_file)
    for warning in caught:
        print(f"redemption: warning: {warning.message}", file=sys.stderr)
    both: tuple[Literal["orders", "sales"], ...] = ("orders", "sales")
    reports = both if args.report == "both" else (args.report,)
    for report in reports:
        try:
            result = fetch_wildberries_statistics(
                report,
                token=token,
                since=args.since,
                out=args.out,
                on_retry=lambda line: print(f"redemption: {line}", file=sys.stderr, flush=True),
            )
        except KeyboardInterrupt:
            print(
                f"redemption: interrupted; the pages saved stay in {args.out}: "
                "run the same command again to resume",
                file=sys.stderr,
            )
            return 130
        print(
            f"{report}: {result.pages} new pages, {result.rows} rows, {result.retries} retries; "
            f"{len(result.files)} pages in {args.out}"
        )
    return 0


def add_commands(commands: Commands) -> None:
    """Add fetch to the command line."""
    fetch = commands.add_parser(
        "fetch",
        help="download Wildberries statistics reports, resuming where a download stopped",
        description=(
            "Download supplier/orders and supplier/sales from the Wildberries statistics API, "
            "one JSON file a page, paging by lastChangeDate; waits a minute between calls as "
            "the API asks, retries 429, 5xx and dropped connections (one line on stderr "
            "each), and never prints the token. Run it again to resume an interrupted "
            "download."
        ),
        epilog="example: redemption fetch --token-file ~/.wb-token --since 2025-01-01 --out wb/",
    )
    fetch.add_argument(
        "--token-file",
        type=Path,
        required=True,
        help="a file holding the token alone (chmod 600: only you may read it)",
    )
    fetch.add_argument("--since", type=day, required=True, help="first lastChangeDate wanted")
    fetch.add_argument("--out", type=Path, required=True, help="the folder for the pages")
    fetch.add_argument("--report", choices=["orders", "sales", "both"], default="both")
    fetch.set_defaults(run=_fetch)
