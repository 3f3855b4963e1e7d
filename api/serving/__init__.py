"""Serving reads: the stored representations, the read path that answers requests from
them, the response cache and the Redis cache backend it sits on."""
