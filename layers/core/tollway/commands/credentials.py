"""The key the CLI saved for this device, in the user's config directory, readable by the user only.

    save(Saved(url=..., key=..., key_id=..., name=..., account_id=...))   # mode 0600, in a 0700 directory
    current(url_option)      # (url, key): TOLLWAY_API_KEY and TOLLWAY_URL first, then the saved ones

The directory: $TOLLWAY_CONFIG_DIR, else $XDG_CONFIG_HOME/tollway, else ~/.config/tollway (%APPDATA%\\tollway
on Windows). The file is written to a temporary name created 0600 and renamed over the old one, so it
is never readable by others, not even for a moment, and never half-written.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8787"
FILE = "credentials.json"


@dataclass(frozen=True)
class Saved:
    url: str
    key: str
    key_id: str
    name: str
    account_id: str | None


def config_dir() -> Path:
    explicit = os.environ.get("TOLLWAY_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "tollway"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "tollway"


def path() -> Path:
    return config_dir() / FILE


def save(saved: Saved) -> Path:
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / FILE
    temporary = folder / f".{FILE}.{os.getpid()}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            json.dump(asdict(saved), out, indent=2)
        os.chmod(temporary, 0o600)  # whatever the umask did
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return target


def load() -> Saved | None:
    try:
        data = json.loads(path().read_text())
        return Saved(url=str(data["url"]), key=str(data["key"]), key_id=str(data.get("key_id", "")),
                     name=str(data.get("name", "")), account_id=data.get("account_id"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def gateway_url(option: str | None) -> str:
    saved = load()
    return (option or os.environ.get("TOLLWAY_URL") or (saved.url if saved else "") or DEFAULT_URL).rstrip("/")


def current(option: str | None) -> tuple[str, str]:
    """(gateway URL, key) for a command that calls the gateway with a key; exits when there is none."""
    key = os.environ.get("TOLLWAY_API_KEY") or (saved.key if (saved := load()) else "")
    if not key:
        sys.exit("error: no key: run `tollway auth CODE` (make a code in the console) or set TOLLWAY_API_KEY")
    return gateway_url(option), key
