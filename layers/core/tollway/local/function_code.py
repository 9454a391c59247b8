"""Loading a function's code the way Lambda does: `app.py` from its CodeUri, once per process."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

# The gateway's first requests, the schedules and the emulator's Lambda runtime may ask for the
# same function at once: one runs its code, the others wait and get the finished module.
_loading = threading.Lock()
_partial: set[str] = set()  # in sys.modules while their code still runs


def load_function_module(code_uri: Path) -> ModuleType:
    module_name = f"tollway_function_{code_uri.name}"
    found = sys.modules.get(module_name)
    if found is not None and module_name not in _partial:
        return found
    with _loading:
        found = sys.modules.get(module_name)
        if found is not None:
            return found
        _partial.add(module_name)
        try:
            return _execute(module_name, code_uri)
        finally:
            _partial.discard(module_name)


def _execute(module_name: str, code_uri: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, code_uri / "app.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"{code_uri / 'app.py'} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]  # as `import` does: the next attempt runs the code again
        raise
    return module
