"""Request logs: one record per admitted request, written with its settlement."""
