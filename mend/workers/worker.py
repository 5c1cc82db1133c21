"""Runs an rq worker on Mend's queue with the JSON serializer: `python -m mend.workers.worker`."""

from __future__ import annotations

import logging
import sys
import uuid

from mend.config import Settings


def main() -> int:
    from redis import Redis
    from rq import Queue, Worker
    from rq.serializers import JSONSerializer

    from mend.workers.queue import Jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    if not settings.redis_url:
        print("REDIS_URL is not set: jobs run inside the web process; no worker needed.")
        return 1
    connection = Redis.from_url(settings.redis_url)
    queue = Queue(Jobs(settings).queue_name, connection=connection, serializer=JSONSerializer)
    burst = "--burst" in sys.argv
    # The worker's own keys carry the prefix too, so one Redis can serve several deployments.
    name = f"{settings.redis_prefix}-{uuid.uuid4().hex[:12]}"
    Worker([queue], connection=connection, serializer=JSONSerializer, name=name).work(burst=burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
