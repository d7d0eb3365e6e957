"""The command line: ``redemption`` or ``python -m redemption``.

The one place that prints. Each command lives in its own module and adds itself to the
parser (`add_commands`); `main` runs one, and turns every error into one line.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from redemption import __version__
from redemption.cli import _analysis, _fetch, _figures, _programmes, _report
from redemption.errors import BeyondHorizonWarning, RedemptionError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redemption",
        description="Redemption rates and buyer figures for Wildberries and Ozon.",
    )
    parser.add_argument("--version", action="version", version=f"redemption {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (_figures, _analysis, _programmes, _report, _fetch):
        command.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments).

    Returns:
        The exit status.
    """
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # the command says itself when the data does not reach --today
            warnings.simplefilter("ignore", BeyondHorizonWarning)
            status: int = args.run(args)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (RedemptionError, OSError) as error:
        print(f"redemption: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("redemption: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - no traceback reaches a user of the command
        print(
            f"redemption: internal error ({type(error).__name__}): {_one_line(error)}; "
            "please report it with the command you ran",
            file=sys.stderr,
        )
        return 1
    return status


def _one_line(error: BaseException) -> str:
    """An error's message on one line; a system error's names its file first."""
    if isinstance(error, OSError) and not isinstance(error, RedemptionError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return " ".join(str(error).split("\n"))
