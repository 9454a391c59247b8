"""What the messages and responses relays read from a stream: frames (event name, data as sent, data
parsed), the usage the provider reported, and the prompt tokens when it told them early — whether
the events are the provider's own (`NativeEvents`) or translated from a chat stream
(`TranslatedEvents`).

    opened = NativeEvents(upstream, head, rest)    # the events open_until_answer held, then the rest
    opened = TranslatedEvents(chat_opened, ChunksToMessageEvents(...))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from tollway.endpoints.chat_stream import OpenedStream
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


class ChunkTranslator(Protocol):
    """Chat chunks → another API's events (wire/translate: ChunksToMessageEvents, ChunksToResponseEvents)."""

    openai_usage: Any

    def feed(self, chunk: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]: ...

    def finish(self) -> Iterable[tuple[str, dict[str, Any]]]: ...


@dataclass
class TranslatedEvents:
    """OpenAI chat chunks (already opened, see chat_stream.open_stream) as another API's events."""

    opened: OpenedStream
    translator: ChunkTranslator

    async def frames(self) -> AsyncIterator[Frame]:
        for event in self.opened.head:
            for name, data in self.translator.feed(event.chunk):
                yield name, data, data
        async for event in self.opened.rest:
            for name, data in self.translator.feed(event.chunk):
                yield name, data, data
        for name, data in self.translator.finish():
            yield name, data, data

    def usage(self) -> Usage | None:
        """The upstream's own usage, or None: the meter then counts the text itself."""
        return Usage.from_openai(self.translator.openai_usage)

    def prompt_tokens(self) -> int | None:
        return self.opened.upstream.prompt_tokens()

    async def aclose(self) -> None:
        await self.opened.upstream.aclose()
