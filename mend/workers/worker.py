"""Runs an rq worker on Mend's queue with the JSON serializer: `python -m mend.workers.worker`.

rq's worker exits when Redis goes away; this one waits for Redis to come back and works on,
so a restart of Redis does not need a restart of every worker. Jobs that were lost with
Redis are not its concern: the outbox and the runs in PostgreSQL are the record of work to
do, and the scheduler queues again whatever is overdue.

Jobs run in the worker's own process (rq's SimpleWorker), not in a process forked for each
job: a forked work-horse imports the job's modules and builds its Mend (two connection pools,
the tables checked) afresh every time, which measured 0.7 s a job against 10 ms here. Mend's
jobs are short and wait on PostgreSQL and SMTP; more throughput is more worker processes.
A job's timeout is still enforced (rq's SIGALRM death penalty runs in this process), and a
worker killed mid-job loses nothing: its message or run is taken up again from PostgreSQL.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid

from mend.config import Settings

log = logging.getLogger("mend.workers.worker")

#: The longest pause between two attempts to reach Redis again.
RECONNECT_CAP = 10.0


def check_redis(connection) -> list[str]:
    """What about this Redis could lose jobs, in words an operator can act on."""
    warnings = []
    try:
        policy = connection.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except Exception:  # managed Redis often refuses CONFIG: say so rather than guess
        return ["could not read Redis's maxmemory-policy (CONFIG refused); make sure it is"
                " noeviction, or Redis may evict queued jobs when memory runs short"]
    if policy != "noeviction":
        warnings.append(f"Redis's maxmemory-policy is {policy!r}: under memory pressure it"
                        " evicts keys, queued jobs among them; set it to noeviction")
    return warnings


def _warm_up() -> None:
    """Build this process's Mend before the first job, so that job does not wait for it;
    with the database away the first job tries again."""
    from mend.workers.context import current

    try:
        current()
    except Exception:  # the store not there yet: nothing to do but try at the first job
        log.warning("worker: the store is not reachable yet; jobs will try again",
                    exc_info=True)


def main() -> int:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from rq import Queue, SimpleWorker
    from rq.serializers import JSONSerializer

    from mend.workers.marks_in_flight import settle_all
    from mend.workers.queue import Jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    if not settings.redis_url:
        print("REDIS_URL is not set: jobs run inside the web process; no worker needed.")
        return 1
    burst = "--burst" in sys.argv
    _warm_up()
    pause = 0.5
    checked = False
    while True:
        connection = Redis.from_url(settings.redis_url, health_check_interval=10)
        try:
            if not checked:
                for warning in check_redis(connection):
                    log.warning("worker: %s", warning)
                checked = True
            queue = Queue(Jobs(settings).queue_name, connection=connection,
                          serializer=JSONSerializer)
            # The worker's own keys carry the prefix too, so one Redis can serve several
            # deployments; a new name after each reconnection, as the old one may linger.
            name = f"{settings.redis_prefix}-{uuid.uuid4().hex[:12]}"
            worker = SimpleWorker([queue], connection=connection,
                                  serializer=JSONSerializer, name=name)
            # with_scheduler: rq's own scheduled and retried jobs are moved to the queue.
            worker.work(burst=burst, with_scheduler=not burst)
            settle_all()  # the last delivery's "sent" mark, read before the worker goes
            if burst or worker._stop_requested:
                return 0
            # rq's loop gave up without being asked to stop (it does on some lost
            # connections): start a new one.
            log.warning("worker: rq's loop ended unasked; starting again")
            pause = 0.5
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            log.warning("worker: Redis is away (%s); trying again in %.1f s",
                        type(error).__name__, pause)
            time.sleep(pause)
            pause = min(pause * 2, RECONNECT_CAP)
        finally:
            connection.close()


if __name__ == "__main__":
    sys.exit(main())
