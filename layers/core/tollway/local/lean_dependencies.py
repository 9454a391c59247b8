"""What `tollway serve` and its emulator child leave out of their dependencies: memory they hold
for nothing on loopback.

    trim_dependencies()   # first thing in each process, before boto3 or httpx is imported

Optional modules, kept from being imported (`skip_unused_optional_imports`):

- botocore imports `urllib3.contrib.pyopenssl` (pyOpenSSL, and with it cryptography's Rust library)
  only to take urllib3's own `SSLContext` back out of it; without it botocore imports that very
  class directly. ~10 MB resident per process.
- botocore imports `awscrt` when installed, to offer CRT signing and checksums that nothing here
  asks for (SigV4 and CRC32 are pure Python / zlib). ~6 MB per process. `BOTO_DISABLE_CRT` would
  not help: botocore imports the library before reading it.
- httpx imports its command-line client (`httpx._main`: click, rich, pygments) whenever those
  happen to be installed. ~5 MB.

A module marked absent in `sys.modules` raises ImportError on import: what the importer sees
when the optional package is not installed. A module already loaded is left alone.

botocore's data as plain dicts (`plain_botocore_data`): botocore reads its JSON (`endpoints.json`,
each service's model and endpoint rules) into OrderedDicts, which take about twice the memory of a
dict; dicts keep insertion order too, and nothing in botocore, boto3 or moto uses what only an
OrderedDict has. Measured: 3.4 MB less in the gateway, 4.6 MB less in the emulator. The patch is
applied when botocore's loader is first imported, so it imports nothing itself.
"""

from __future__ import annotations

import json
import os
import sys
from types import ModuleType
from typing import Any

from tollway.local.after_import import when_imported

UNUSED_OPTIONAL_MODULES = ("urllib3.contrib.pyopenssl", "awscrt", "httpx._main")


def skip_unused_optional_imports() -> None:
    for name in UNUSED_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]



def plain_botocore_data() -> None:
    when_imported("botocore.loaders", _plain_json_files)


def trim_dependencies() -> None:
    skip_unused_optional_imports()
    plain_botocore_data()


def _plain_json_files(loaders: ModuleType) -> None:
    def _load_file(self: Any, full_path: str, open_method: Any) -> Any:
        # botocore's own JSONFileLoader._load_file, without object_pairs_hook=OrderedDict
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as fp:
            payload = fp.read().decode("utf-8")
        return json.loads(payload)

    loaders.JSONFileLoader._load_file = _load_file
