"""Each person's reminder settings (time zone, hour, quiet hours, pause, stop) and each staff
member's choice of which alerts reach them, and how.

A person who never chose gets the defaults: reminders at 18:00 in their practice's time zone,
quiet from 21:00 to 08:00, and every alert both by email and in the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mend.domain.errors import InvalidValue
from mend.workers.ledger import Ledger

DEFAULT_HOUR = 18
DEFAULT_QUIET = (21, 8)

#: What can alert staff, in the order the settings page lists them.
ALERT_KINDS = ("safety_flag", "risk_high", "missed_check_ins", "boundary_crossed")


@dataclass(frozen=True)
class ReminderSettings:
    time_zone: str
    hour: int
    quiet_from: int
    quiet_to: int
    paused_until: datetime | None = None
    stopped: bool = False
    chosen: bool = False  # False: the defaults, never saved by the person

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_quiet(self, local_hour: int) -> bool:
        """Quiet hours run from quiet_from up to quiet_to, across midnight when they wrap."""
        start, end = self.quiet_from, self.quiet_to
        if start == end:
            return False
        if start < end:
            return start <= local_hour < end
        return local_hour >= start or local_hour < end

    def paused_at(self, moment: datetime) -> bool:
        return self.stopped or (self.paused_until is not None and moment < self.paused_until)


@dataclass(frozen=True)
class AlertChoice:
    kind: str
    by_email: bool = True
    in_inbox: bool = True


def check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    # OSError too: a folder of the zone database ("Europe") or a name too long for a file.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValue("time_zone", "must be a time zone such as Europe/Lisbon") from None
    return value


def check_hour(field: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 23:
        raise InvalidValue(field, "must be an hour from 0 to 23")
    return value


def time_zones() -> list[str]:
    """The time zones a person may choose from, by name."""
    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


class Preferences:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def _rows(self, cursor: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if cursor is None:
            return self.ledger.rows(sql, params)
        cursor.execute(sql, params)
        return cursor.fetchall()

    # -- reminders (one row per account: a person has one phone, whatever the practice)
    def reminders_of(self, account_id: UUID | str, default_zone: str = "UTC") -> ReminderSettings:
        return self.reminders_of_many([str(account_id)], default_zone)[str(account_id)]

    def reminders_of_many(self, account_ids: list[str], default_zone: str = "UTC",
                          cursor: Any = None) -> dict[str, ReminderSettings]:
        """Given the cursor of a transaction under way, read through it: a second
        connection taken while one is held can wait for ever on a small pool."""
        found: dict[str, ReminderSettings] = {}
        for start in range(0, len(account_ids), 500):
            chunk = account_ids[start:start + 500]
            marks = ", ".join(f":a{i}" for i in range(len(chunk)))
            for row in self._rows(cursor, 
                "SELECT account_id, time_zone, hour, quiet_from, quiet_to, paused_until_us,"
                f" stopped FROM mend_reminder_settings WHERE account_id IN ({marks})",
                {f"a{i}": a for i, a in enumerate(chunk)},
            ):
                paused = row["paused_until_us"]
                found[row["account_id"]] = ReminderSettings(
                    row["time_zone"], row["hour"], row["quiet_from"], row["quiet_to"],
                    datetime.fromtimestamp(paused / 1e6, timezone.utc) if paused else None,
                    bool(row["stopped"]), chosen=True)
        default = ReminderSettings(default_zone, DEFAULT_HOUR, *DEFAULT_QUIET)
        return {a: found.get(a, default) for a in account_ids}

    def set_reminders(self, account_id: UUID, *, time_zone: str, hour: int, quiet_from: int,
                      quiet_to: int, paused_until: datetime | None = None,
                      stopped: bool = False) -> ReminderSettings:
        settings = ReminderSettings(check_time_zone(time_zone), check_hour("hour", hour),
                                    check_hour("quiet_from", quiet_from),
                                    check_hour("quiet_to", quiet_to), paused_until,
                                    bool(stopped), chosen=True)
        if settings.is_quiet(settings.hour):
            raise InvalidValue("hour", "falls in your quiet hours; choose another hour")
        params = {
            "account_id": str(account_id), "time_zone": settings.time_zone,
            "hour": settings.hour, "quiet_from": settings.quiet_from,
            "quiet_to": settings.quiet_to, "stopped": int(settings.stopped),
            "paused": int(paused_until.timestamp() * 1e6) if paused_until else None,
        }
        self.ledger.run([(
            "INSERT INTO mend_reminder_settings VALUES (:account_id, :time_zone, :hour,"
            " :quiet_from, :quiet_to, :paused, :stopped) ON CONFLICT (account_id) DO UPDATE SET"
            " time_zone = excluded.time_zone, hour = excluded.hour,"
            " quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,"
            " paused_until_us = excluded.paused_until_us, stopped = excluded.stopped",
            params,
        )])
        return settings

    # -- alerts (per member of a tenant: an owner of two practices chooses for each)
    def alerts_of(self, tenant_id: UUID | str, account_id: UUID | str,
                  cursor: Any = None) -> dict[str, AlertChoice]:
        rows = self._rows(cursor, 
            "SELECT kind, by_email, in_inbox FROM mend_alert_settings"
            " WHERE tenant_id = :tenant_id AND account_id = :account_id",
            {"tenant_id": str(tenant_id), "account_id": str(account_id)})
        chosen = {row["kind"]: AlertChoice(row["kind"], bool(row["by_email"]),
                                           bool(row["in_inbox"])) for row in rows}
        return {kind: chosen.get(kind, AlertChoice(kind)) for kind in ALERT_KINDS}

    def set_alerts(self, tenant_id: UUID, account_id: UUID,
                   choices: list[AlertChoice]) -> None:
        for choice in choices:
            if choice.kind not in ALERT_KINDS:
                raise InvalidValue("kind", f"must be one of {', '.join(ALERT_KINDS)}")
        self.ledger.run([(
            "INSERT INTO mend_alert_settings VALUES (:tenant_id, :account_id, :kind, :by_email,"
            " :in_inbox) ON CONFLICT (tenant_id, account_id, kind) DO UPDATE SET"
            " by_email = excluded.by_email, in_inbox = excluded.in_inbox",
            {"tenant_id": str(tenant_id), "account_id": str(account_id), "kind": choice.kind,
             "by_email": int(choice.by_email), "in_inbox": int(choice.in_inbox)},
        ) for choice in choices])
