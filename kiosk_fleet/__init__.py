"""The fleet channel: signed updates (TUF) and remote commands (MQTT).

Modules, smallest first:
  config      the [fleet] table as a typed dataclass
  errors      every failure the fleet code reports, as a typed exception
  durable     atomic file/symlink replacement with fsync (power cuts are normal at a kiosk)
  rings       version ordering and the stable rollout ring of a terminal
  artifact    building a release tarball and extracting one safely
  repo_tool   the operator's TUF repository (keys, metadata, releases)
  updater     the terminal's updater: verify, install, switch, health check, commit or roll back
  protocol    MQTT topics, command envelopes and argument checks, telemetry scrubbing
  store       the at-most-once record of command ids
  agent       the terminal's MQTT agent
  netloop     drives many MQTT clients from a few threads (bench, simulators)
  operator    the operator's side of MQTT: status listing, sending a command
  cli         `kiosk-fleet`;  update_cli: `kiosk update ...`
"""
