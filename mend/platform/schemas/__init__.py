"""Request and response schemas of /api/v1: the one source of validation and of the OpenAPI text.

``base`` holds what every schema shares, ``requests`` the bodies clients send, ``responses``
what they get back, ``queries`` the query strings of the read routes. Routes import this
package as ``s`` and name schemas as ``s.CheckInSchema``.
"""

from mend.platform.schemas.base import *  # noqa: F401,F403
from mend.platform.schemas.queries import *  # noqa: F401,F403
from mend.platform.schemas.requests import *  # noqa: F401,F403
from mend.platform.schemas.responses import *  # noqa: F401,F403
from mend.platform.schemas.reports import *  # noqa: F401,F403
from mend.platform.schemas.alerts import *  # noqa: F401,F403
from mend.platform.schemas.reminders import *  # noqa: F401,F403
from mend.platform.schemas.access_log import *  # noqa: F401,F403
from mend.platform.schemas.erasure import *  # noqa: F401,F403
