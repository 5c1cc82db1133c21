"""A history that cannot be silently altered: a hash chain over the stored events, written by
the store's recorders in each insert's transaction (``chain``, ``chained_postgres``,
``chained_sqlite``), signed statements of its head (``statements``) and the walk that checks
both (``walk``)."""
