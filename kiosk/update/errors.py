"""Typed errors of the fleet code. Callers catch `FleetError` (or a family base) and report it;
nothing here is allowed to take the running kiosk down."""
from __future__ import annotations


class FleetError(Exception):
    """Base of every fleet failure. `code` is a stable machine-readable name for JSON output."""

    code = "fleet_error"

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "detail": str(self)}


# -- updates -------------------------------------------------------------------------------
class UpdateError(FleetError):
    code = "update_error"


class TrustError(UpdateError):
    """The shipped root.json is missing or invalid: the terminal cannot verify anything."""

    code = "trust_error"


class RepositoryUnavailable(UpdateError):
    """The repository could not be reached (network, HTTP error). Harmless: try later."""

    code = "repository_unavailable"


class MetadataRejected(UpdateError):
    """TUF metadata failed verification: bad signature, rollback, expiry, oversize. An attack or a
    broken repository; never install anything on the strength of it."""

    code = "metadata_rejected"


class ArtifactRejected(UpdateError):
    """The downloaded release did not match its signed length/hash."""

    code = "artifact_rejected"


class InstallError(UpdateError):
    """The verified release could not be installed (unsafe archive, disk full, bad manifest)."""

    code = "install_error"


class HealthCheckFailed(UpdateError):
    code = "health_check_failed"


class UpdateBusy(UpdateError):
    """Another updater holds the lock (the TUF client is single-instance)."""

    code = "update_busy"


# -- repository tooling ----------------------------------------------------------------------
class RepoToolError(FleetError):
    code = "repo_tool_error"


# -- remote channel --------------------------------------------------------------------------
class ChannelError(FleetError):
    code = "channel_error"


class BrokerUnavailable(ChannelError):
    code = "broker_unavailable"


class CommandTimeout(ChannelError):
    code = "command_timeout"
