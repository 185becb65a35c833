from __future__ import annotations

from collections.abc import Iterator

import pytest
from peers import NodeStringify


@pytest.fixture(scope="session")
def node() -> Iterator[NodeStringify]:
    peer = NodeStringify()
    yield peer
    peer.close()
