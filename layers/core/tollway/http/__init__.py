"""The HTTP edge shared by every function: app factory, error mapping, request ids, headers."""
