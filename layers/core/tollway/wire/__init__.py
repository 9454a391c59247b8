"""Pydantic models of the public wire formats and the translations between them."""
