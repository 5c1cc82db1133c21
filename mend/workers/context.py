"""The worker process's own Mend, built once from the environment the first time a job needs it.

In the embedded default jobs run inside the web process, which installs its Mend here so
jobs use the same store and views as the requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mend.bootstrap import Mend

_current: Mend | None = None


def install(mend: Mend) -> None:
    global _current
    _current = mend


def current() -> Mend:
    global _current
    if _current is None:
        from mend.bootstrap import bootstrap
        from mend.config import Settings

        _current = bootstrap(Settings.from_env(), start_runner=False)
    return _current
