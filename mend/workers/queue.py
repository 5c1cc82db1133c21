"""Where jobs go: an rq queue on Redis when REDIS_URL is set, otherwise run in this process.

Jobs carry plain ids (strings) and travel with rq's JSON serializer, never pickle, so a job
cannot smuggle code into a worker and every job can be read in Redis. Every job has a
timeout. Nothing here is the record of work to do: the outbox and the runs live in
PostgreSQL, and a job lost with Redis is queued again from there by the sweeper.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mend.config import Settings

log = logging.getLogger(__name__)

#: Seconds a job may run before rq stops it; reports and exports get longer.
JOB_TIMEOUT = 120
LONG_JOB_TIMEOUT = 900
RESULT_TTL = 86_400
FAILURE_TTL = 7 * 86_400

F = TypeVar("F", bound=Callable[..., Any])


class JobFailed(Exception):
    """What a failed job leaves in rq's failed registry: the kind of failure, nothing else.

    The exception of a job is stored in Redis as text; a database or SMTP error can quote
    values, so only its type and Mend's own reason travel."""


def job(function: F) -> F:
    """A job function whose failures are recorded without the words of the failure."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except JobFailed:
            raise
        except Exception as error:
            log.warning("job %s failed: %s", function.__name__, type(error).__name__)
            raise JobFailed(type(error).__name__) from None

    return run  # type: ignore[return-value]


class Jobs:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._redis = None
        self._queue = None
        if settings.redis_url:
            from redis import Redis
            from rq import Queue
            from rq.serializers import JSONSerializer

            # A Redis that does not answer within seconds is away: a request or the
            # scheduler must not hang on it.
            self._redis = Redis.from_url(settings.redis_url, socket_timeout=5,
                                         socket_connect_timeout=2)
            self._queue = Queue(
                self.queue_name, connection=self._redis, serializer=JSONSerializer
            )

    @property
    def queue_name(self) -> str:
        return f"{self.settings.redis_prefix}-default"

    @property
    def uses_redis(self) -> bool:
        return self._queue is not None

    @property
    def queue(self) -> Any:
        return self._queue

    def enqueue(self, job: Callable[..., Any], *args: str, job_id: str | None = None,
                timeout: int = JOB_TIMEOUT) -> Any:
        """Queue a job for a worker, or run it right here in the embedded default."""
        if self._queue is not None:
            return self._queue.enqueue(
                job, *args, job_id=self._job_id(job_id), job_timeout=timeout,
                result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL)
        return job(*args)

    def enqueue_many(self, job: Callable[..., Any], calls: Sequence[tuple[str, Sequence[str]]],
                     timeout: int = JOB_TIMEOUT) -> int:
        """Queue one job per (job id, arguments) in one round trip; returns how many."""
        if not calls:
            return 0
        if self._queue is None:
            for _, args in calls:
                job(*args)
            return len(calls)
        from rq import Queue

        datas = [Queue.prepare_data(job, args=tuple(args), job_id=self._job_id(job_id),
                                    timeout=timeout, result_ttl=RESULT_TTL,
                                    failure_ttl=FAILURE_TTL)
                 for job_id, args in calls]
        for start in range(0, len(datas), 1000):
            with self._redis.pipeline() as pipe:
                self._queue.enqueue_many(datas[start:start + 1000], pipeline=pipe)
                pipe.execute()
        return len(datas)

    def _job_id(self, job_id: str | None) -> str | None:
        # Job ids carry the prefix, as queue and worker names do: one Redis, many Mends.
        return f"{self.settings.redis_prefix}-{job_id}" if job_id else None

    def redis_ok(self) -> bool | None:
        """True or False when Redis is configured, None when it is not."""
        if self._redis is None:
            return None
        try:
            return bool(self._redis.ping())
        except Exception:  # any connection failure means "down" to a health check
            return False

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
