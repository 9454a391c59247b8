"""Tollway: a self-hostable AI inference gateway (OpenAI-compatible) for AWS SAM."""

__version__ = "0.1.0"
