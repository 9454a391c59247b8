"""What the messages and responses relays read from a stream: frames (event name, data as sent, data
parsed), the usage the provider reported, and the prompt tokens when it told them early — whether
the events are the provider's own (`NativeEvents`) or translated from a chat stream.

    opened = NativeEvents(upstream, head, rest)    # the events open_until_answer held, then the rest
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from tollway.providers import Usage

Frame = tuple[str, str | dict[str, Any], dict[str, Any]]  # event name, data as sent, data parsed


class EventSource(Protocol):
    def frames(self) -> AsyncIterator[Frame]: ...

    def usage(self) -> Usage | None: ...

    def prompt_tokens(self) -> int | None: ...

    async def aclose(self) -> None: ...


class NamedEvent(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def data(self) -> str | dict[str, Any]: ...

    @property
    def parsed(self) -> dict[str, Any]: ...


class NativeStream(Protocol):
    """A provider's own event stream (providers/anthropic.py, providers/openai_responses.py)."""

    @property
    def usage(self) -> Usage | None: ...

    def prompt_tokens(self) -> int | None: ...

    async def aclose(self) -> None: ...


@dataclass
class NativeEvents:
    upstream: NativeStream
    head: list[Any]  # NamedEvents held while opening
    rest: AsyncIterator[Any]  # NamedEvents still to come

    async def frames(self) -> AsyncIterator[Frame]:
        for event in self.head:
            yield event.name, event.data, event.parsed
        async for event in self.rest:
            yield event.name, event.data, event.parsed

    def usage(self) -> Usage | None:
        return self.upstream.usage

    def prompt_tokens(self) -> int | None:
        return self.upstream.prompt_tokens()

    async def aclose(self) -> None:
        await self.upstream.aclose()
