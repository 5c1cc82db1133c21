"""Where jobs go: an rq queue on Redis when REDIS_URL is set, otherwise run in this process.

Jobs carry plain ids (strings) and travel with rq's JSON serializer, never pickle, so a job
cannot smuggle code into a worker and every job can be read in Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mend.config import Settings

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._redis = None
        self._queue = None
        if settings.redis_url:
            from redis import Redis
            from rq import Queue
            from rq.serializers import JSONSerializer

            self._redis = Redis.from_url(settings.redis_url)
            self._queue = Queue(
                self.queue_name, connection=self._redis, serializer=JSONSerializer
            )

    @property
    def queue_name(self) -> str:
        return f"{self.settings.redis_prefix}-default"

    @property
    def uses_redis(self) -> bool:
        return self._queue is not None

    def enqueue(self, job: Callable[..., Any], *args: str) -> Any:
        """Queue a job for a worker, or run it right here in the embedded default."""
        if self._queue is not None:
            return self._queue.enqueue(job, *args, retry=_retry(), result_ttl=86_400)
        return job(*args)

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


def _retry() -> Any:
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])
