"""The `auto` model reads what the last user message asks for; these phrases are the contract."""

import pytest

from tollway.routing.modality import detect_modality, subject_of


def ask(text: str) -> dict:
    return {"messages": [{"role": "system", "content": "Say everything twice."}, {"role": "user", "content": text}]}


@pytest.mark.parametrize(
    ("text", "modality"),
    [("generate an image of a red fox in snow", "image"),
     ("Generate an image of a lighthouse at dusk", "image"),
     ("Draw a cat wearing a hat", "image"),
     ("please draw me a map of the island", "image"),
     ("create a picture of two robots playing chess", "image"),
     ("Can you make an illustration of a dragon?", "image"),
     ("Could you please generate a photo showing a beach", "image"),
     ("say hello world", "speech"),
     ("Say: the meeting starts at noon", "speech"),
     ("speak the following sentence slowly", "speech"),
     ("read this paragraph aloud: once upon a time", "speech"),
     ("Please read the poem below aloud", "speech"),
     ("narrate a short story about a lost key", "speech"),
     ("generate a sound of rain on a tin roof", "sound"),
     ("create a sound effect of a door creaking", "sound"),
     ("make an sfx for a laser blast", "sound"),
     ("Could you create some sound effects for footsteps?", "sound")],
)
def test_commands_pick_their_modality(text: str, modality: str) -> None:
    assert detect_modality(ask(text)) == modality


@pytest.mark.parametrize(
    "text",
    ["What does it mean to say goodbye in Japanese?", "Say, what is the capital of France?",
     "I saw a drawing of a cat yesterday", "How do I draw a circle in Python with turtle?",
     "Generate an image description for this alt text", "Explain how image generation models work",
     "Can you say that again?", "Why do people speak so fast?", "My essay needs a conclusion",
     "Describe the sound of rain", "what is an sfx in film?", "Translate 'draw a card' into French",
     "Write code that can create a picture gallery", "The narrator reads aloud in chapter 3"],
)
def test_mentions_are_not_commands(text: str) -> None:
    assert detect_modality(ask(text)) == "text"


def test_an_image_part_asks_for_a_vision_model() -> None:
    body = {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "draw a cat like this"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]}
    assert detect_modality(body) == "vision"


def test_only_the_last_user_message_counts() -> None:
    body = {"messages": [{"role": "user", "content": "draw a cat"}, {"role": "assistant", "content": "ok"},
                         {"role": "user", "content": "thanks, what breed is it?"}]}
    assert detect_modality(body) == "text"


@pytest.mark.parametrize(
    ("text", "subject"),
    [("generate an image of a red fox in snow", "a red fox in snow"), ("say hello world", "hello world"),
     ("Please read this aloud: once upon a time", "once upon a time"),
     ("create a sound effect of a door creaking", "a door creaking"), ("Draw a cat wearing a hat", "Draw a cat wearing a hat")],
)
def test_the_subject_is_the_request_without_its_command(text: str, subject: str) -> None:
    assert subject_of(ask(text)) == subject
