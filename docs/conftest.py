"""Collection in docs/: the pages' doctests, not Sphinx's configuration nor what a build left.

``--doctest-modules`` would import ``conf.py`` (it needs Sphinx, and holds no doctest), and
a site built into ``_build/`` holds copies of the checkout's files (the examples a page links
to, the executed tutorial) that are not tests.
"""

from __future__ import annotations

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "jupyter_execute/*", ".jupyter_cache/*"]
