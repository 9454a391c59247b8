"""Loading a function's code the way Lambda does: `app.py` from its CodeUri, once per process."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_function_module(code_uri: Path) -> ModuleType:
    module_name = f"tollway_function_{code_uri.name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, code_uri / "app.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"{code_uri / 'app.py'} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
