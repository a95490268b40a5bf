"""Every flow the kiosk offers, by id: the 24-hour service catalog."""
from __future__ import annotations

from flows.application_progress import ApplicationProgressFlow
from flows.elicense import ELicencePrintFlow
from flows.engine import Flow
from flows.evaluation import EvaluationFlow
from flows.queue_ticket import QueueTicketFlow
from flows.real_estate import RealEstateQueryFlow
from flows.service_guide import ServiceGuideFlow
from flows.social_insurance import SocialInsuranceCertificateFlow

# The order is the start screen's "featured" order: the queue ticket first (most visits start
# there), then the catalog as DESIGN.md lists it.
FLOWS: dict[str, type[Flow]] = {
    flow.id: flow
    for flow in (
        QueueTicketFlow,
        SocialInsuranceCertificateFlow,
        RealEstateQueryFlow,
        ApplicationProgressFlow,
        ServiceGuideFlow,
        ELicencePrintFlow,
        EvaluationFlow,
    )
}
