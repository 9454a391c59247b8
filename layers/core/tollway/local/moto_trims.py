"""What the emulator child leaves out of moto: work and memory it does not need to serve tollway.

    defer_moto_batch()           # before anything imports moto's Step Functions parser
    remember_handler_methods()   # before serving
    share_region_lists(("dynamodb", "s3"))

- Batch. moto's Step Functions parser imports `moto.batch.utils` for one enum; the package's
  `__init__` imports Batch's models, which import all of EC2 (instance types, AMIs, regions):
  ~100 MB and ~3 s of CPU. `defer_moto_batch` makes `moto.batch` import its models only when
  something asks for `batch_backends` (a Batch request, which tollway never makes).
- Region lists. When a service's first request arrives, moto asks a botocore session which regions
  the service exists in, and keeps that session for good: botocore's `endpoints.json` and a second
  copy of each service's model (moto parses requests with its own), ~9 MB for DynamoDB alone.
  `share_region_lists` asks once, at start, for the services named, and lets the session go;
  other services still ask moto's way.
- Handler methods. For every request moto lists the methods of the service's response class with
  `inspect.getmembers` to see whether it implements the action (~4% of a GetItem); classes do not
  change while serving, so `remember_handler_methods` lists each once.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from typing import Any


def defer_moto_batch() -> None:
    if "moto.batch" in sys.modules:
        return
    spec = importlib.util.find_spec("moto.batch")
    if spec is None:
        return
    package = importlib.util.module_from_spec(spec)  # its __path__, without running its __init__

    def __getattr__(name: str) -> Any:
        if name == "batch_backends":  # all that moto/batch/__init__.py defines
            return importlib.import_module("moto.batch.models").batch_backends
        raise AttributeError(f"module 'moto.batch' has no attribute {name!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["moto.batch"] = package


def share_region_lists(services: Iterable[str]) -> None:
    from botocore.session import Session
    from moto.core.base_backend import AccountSpecificBackend

    original = AccountSpecificBackend._generate_regions
    if getattr(original, "__tollway_patched__", False):
        return
    session = Session()
    partitions = session.get_available_partitions()
    known = {service: [region for partition in partitions
                       for region in session.get_available_regions(service, partition_name=partition)]
             for service in services}
    del session

    def _generate_regions(self: Any, service_name: str) -> list[str]:
        regions = known.get(service_name)
        return list(regions) if regions is not None else original(self, service_name)

    _generate_regions.__tollway_patched__ = True  # type: ignore[attr-defined]
    AccountSpecificBackend._generate_regions = _generate_regions  # type: ignore[method-assign]


def remember_handler_methods() -> None:
    from moto.core import responses

    original = responses.method_names_from_class
    if getattr(original, "__tollway_patched__", False):
        return
    known: dict[object, list[str]] = {}

    def method_names_from_class(clazz: object) -> list[str]:
        names = known.get(clazz)
        if names is None:
            names = known[clazz] = original(clazz)
        return names

    method_names_from_class.__tollway_patched__ = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names_from_class
