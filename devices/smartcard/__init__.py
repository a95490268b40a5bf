"""Social security card over PC/SC: pure APDU and record code, the pyscard reader driver, and a
virtual card for vpcd.

Modules:
- apdu: command APDUs, the 61xx/6Cxx loop, typed card errors (no I/O)
- sscard: EF05/EF06 record parsing, `SsCardRecord`, the read sequence over any transmit function
- reader: `SmartCardReader` (a devices.supervisor driver) and `read_once` (needs pyscard)
- virtual_card: a card that connects to vpcd (TCP 35963) for tests and the demo; card_data: its
  JSON card files encoded into records
- vpcd: pcscd with vpcd in a network namespace of its own (vpcd listens on all interfaces)

The reader module is not imported here, so parsing and the virtual card work without pyscard.
"""
from devices.smartcard.apdu import CardError, CardRemoved, ProtectedData, ProtocolError, SmartCardError
from devices.smartcard.sscard import SsCardRecord, SscardParseError

__all__ = ["CardError", "CardRemoved", "ProtectedData", "ProtocolError", "SmartCardError", "SsCardRecord",
           "SscardParseError"]
