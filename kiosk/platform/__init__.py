"""The service platform as flows see it: typed requests, typed results, typed errors."""
from kiosk.platform.api import (  # noqa: F401
    CatalogItem,
    Department,
    LocalText,
    Platform,
    PlatformBadReply,
    PlatformError,
    PlatformRejected,
    PlatformServerError,
    PlatformTimeout,
    PlatformUnavailable,
    QueueType,
    Ticket,
)
