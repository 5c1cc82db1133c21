"""Background jobs on rq, and the entry points of the worker process."""
