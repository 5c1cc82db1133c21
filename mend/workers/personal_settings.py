"""What a signed-in person chooses for themselves: when their check-in reminders come (anyone),
and which alerts reach them and how (staff), in the practice they are signed in to.

A pause runs "until a day": reminders start again as that day begins in the person's own
time zone, so the day they read on the page is the day they typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.domain.errors import InvalidValue
from mend.domain.membership import Membership
from mend.workers.preferences import (
    AlertChoice,
    Preferences,
    ReminderSettings,
    check_time_zone,
)


@dataclass(frozen=True)
class Reminders:
    """A person's reminder settings, with the pause as the day reminders start again."""

    settings: ReminderSettings
    paused_until: date | None
    practice_zone: str


class PersonalSettings:
    def __init__(self, preferences: Preferences, membership: Membership):
        self.preferences, self.membership = preferences, membership

    # ------------------------------------------------------------------ reminders
    def reminders(self, me: Actor) -> Reminders:
        zone = self.membership.time_zone_of(me.tenant_id).key
        settings = self.preferences.reminders_of(me.account_id, zone)
        paused = settings.paused_until
        # A pause that is over is no pause: the page shows none, and saving keeps none.
        if paused is None or paused <= datetime.now(timezone.utc):
            return Reminders(settings, None, zone)
        return Reminders(settings, paused.astimezone(settings.zone()).date(), zone)

    def choose_reminders(self, me: Actor, *, time_zone: str, hour: int, quiet_from: int,
                         quiet_to: int, paused_until: date | None = None,
                         stopped: bool | None = None, today: date | None = None) -> Reminders:
        """Every setting at once; ``stopped`` None keeps reminders stopped or not as they are
        (the page's form sets the timing, its Stop and Start again buttons the rest)."""
        zone = ZoneInfo(check_time_zone(time_zone))
        if stopped is None:
            stopped = self.reminders(me).settings.stopped
        resume = None
        if paused_until is not None:
            if paused_until <= (today or datetime.now(zone).date()):
                raise InvalidValue("paused_until", "must be a day after today")
            resume = datetime.combine(paused_until, time(), zone)
        self.preferences.set_reminders(me.account_id, time_zone=time_zone, hour=hour,
                                       quiet_from=quiet_from, quiet_to=quiet_to,
                                       paused_until=resume, stopped=stopped)
        return self.reminders(me)

    def stop_reminders(self, me: Actor) -> Reminders:
        return self._keep_but(me, stopped=True)

    def start_reminders(self, me: Actor) -> Reminders:
        """Reminders again from now: neither stopped nor paused."""
        return self._keep_but(me, stopped=False, paused=False)

    def _keep_but(self, me: Actor, *, stopped: bool, paused: bool = True) -> Reminders:
        now = self.reminders(me).settings
        self.preferences.set_reminders(
            me.account_id, time_zone=now.time_zone, hour=now.hour, quiet_from=now.quiet_from,
            quiet_to=now.quiet_to, paused_until=now.paused_until if paused else None,
            stopped=stopped)
        return self.reminders(me)

    # ------------------------------------------------------------------ alerts
    def alerts(self, me: Actor) -> list[AlertChoice]:
        """Each kind of alert, in the order the settings page lists them."""
        authz.require_staff(me, "choose their alerts")
        return list(self.preferences.alerts_of(me.tenant_id, me.account_id).values())

    def choose_alerts(self, me: Actor, choices: list[AlertChoice]) -> list[AlertChoice]:
        authz.require_staff(me, "choose their alerts")
        self.preferences.set_alerts(me.tenant_id, me.account_id, choices)
        return self.alerts(me)
