"""Routing policy: fallback chains, candidates, attempts, retries with backoff, the breaker,
capabilities, modality detection, and the options a gateway cannot price."""
