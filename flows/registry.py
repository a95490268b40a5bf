"""Every flow the kiosk offers, by id."""
from __future__ import annotations

from flows.engine import Flow
from flows.queue_ticket import QueueTicketFlow

FLOWS: dict[str, type[Flow]] = {
    QueueTicketFlow.id: QueueTicketFlow,
}
