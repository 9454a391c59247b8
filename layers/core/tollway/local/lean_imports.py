"""Optional modules `tollway serve` and its emulator child never use, kept from being imported.

    skip_unused_optional_imports()   # first thing in each process, before boto3 or httpx is imported

Each costs resident memory and start-up time in both processes, for nothing on loopback:

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
"""

from __future__ import annotations

import sys

UNUSED_OPTIONAL_MODULES = ("urllib3.contrib.pyopenssl", "awscrt", "httpx._main")


def skip_unused_optional_imports() -> None:
    for name in UNUSED_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]

