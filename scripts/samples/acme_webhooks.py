"""A dispatcher the documentation's sender sample certifies: Acme's, which takes any 2xx for success.

A sample only, read by ``scripts/capture_samples.py`` (``--horneross-sender=acme_webhooks:create``): the bundled
reference sender, but for the one line Acme got wrong.
"""

from __future__ import annotations

from horneross_conformance.sender.reference import Delivery, ReferenceSender


class AcmeWebhooks(ReferenceSender):
    def post(self, delivery: Delivery) -> int | None:
        status = super().post(delivery)
        return 200 if status is not None and 200 <= status < 300 else status  # "2xx means delivered"


def create() -> AcmeWebhooks:
    return AcmeWebhooks(timeout=0.5)  # a short timeout keeps the check of slow answers quick
