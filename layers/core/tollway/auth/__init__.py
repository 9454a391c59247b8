"""API keys: issued once, stored only as SHA-256, looked up by the id embedded in the key."""
