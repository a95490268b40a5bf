"""TLS with a private CA, per-terminal username/password, and the per-terminal ACL of
docs/fleet.md, on a real mosquitto."""
from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.support.fleetkit import wait_for
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.remote.agent import Agent
from kiosk.update.errors import BrokerUnavailable
from kiosk_fleet.localbroker import LocalBroker, free_port
from kiosk.remote.mqtt import BrokerSettings, new_client
from kiosk_fleet.operator import Operator
from kiosk.remote.protocol import mosquitto_acl

PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
USERS = {"tls-0001": "pw-one", "tls-0002": "pw-two", "fleet-operator": "pw-op"}


def _pem(obj) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_pki(d: Path) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kiosk test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (d / "ca.pem").write_bytes(_pem(ca))
    (d / "server.pem").write_bytes(_pem(cert))
    (d / "server.key").write_bytes(_key_pem(key))


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory, broker):  # `broker` only to share its skip when mosquitto is missing
    if not Path(PASSWD).exists():
        pytest.skip("mosquitto_passwd not installed")
    d = tmp_path_factory.mktemp("secure-broker")
    make_pki(d)
    pwfile = d / "passwd"
    pwfile.write_text("")
    for user, pw in USERS.items():
        subprocess.run([PASSWD, "-b", str(pwfile), user, pw], check=True, capture_output=True)
    (d / "acl").write_text(mosquitto_acl("fleet-operator"))
    port = free_port()
    conf = (f"listener {port} 127.0.0.1\n"  # LocalBroker's own listener line is replaced below
            f"cafile {d / 'ca.pem'}\ncertfile {d / 'server.pem'}\nkeyfile {d / 'server.key'}\n"
            f"allow_anonymous false\npassword_file {pwfile}\nacl_file {d / 'acl'}\n")
    b = LocalBroker(workdir=d / "run", extra_conf=conf)
    # The TLS listener is the only one clients use; LocalBroker's plain listener is a readiness probe.
    b.start()
    b.tls_port = port
    yield b, d
    b.close()


def settings(b, d: Path, user: str, password: str | None = None) -> BrokerSettings:
    return BrokerSettings("127.0.0.1", b.tls_port, tls=True, ca_file=str(d / "ca.pem"), username=user,
                          password=USERS.get(user) if password is None else password,
                          keepalive_s=5, reconnect_min_s=0.1, reconnect_max_s=0.5)


def test_tls_password_and_acl(tmp_path, secure_broker):
    b, d = secure_broker
    runs = []
    agent = Agent("tls-0001", settings(b, d, "tls-0001"), state_dir=tmp_path / "a",
                  handlers={"diag": lambda _a: runs.append(1) or {"ok": True}})
    agent.start()
    try:
        assert agent.wait_connected(10)
        # Another terminal subscribes to tls-0001's commands: the broker grants the subscription
        # but never delivers (mosquitto checks read access per message); its forged command
        # (no write access to that topic) is dropped.
        other = new_client(f"tls-0002-{uuid.uuid4().hex[:4]}", settings(b, d, "tls-0002"))
        seen: list = []
        done = threading.Event()
        other.on_subscribe = lambda *a: done.set()
        other.on_message = lambda c, u, msg: seen.append(msg.topic)
        other.connect("127.0.0.1", b.tls_port)
        other.loop_start()
        try:
            other.subscribe("kiosk/tls-0001/cmd", qos=1)
            assert done.wait(5)
            info = other.publish("kiosk/tls-0001/cmd", b'{"id": "forged1", "cmd": "diag"}', qos=1)
            info.wait_for_publish(5)
            with Operator(settings(b, d, "fleet-operator")) as op:
                assert op.statuses(0.2)["tls-0001"]["state"] == "online"
                op.watch_acks()
                assert op.command("tls-0001", "diag", timeout=5)["status"] == "ok"
                assert "forged1" not in op.acks()
        finally:
            other.disconnect()
            other.loop_stop()
        assert runs == [1]  # only the operator's command ran
        assert agent.stats["commands_refused"] == 0  # the forged one never arrived at all
        assert seen == []   # tls-0002 never saw tls-0001's command

        # A wrong password, and a client that does not trust the CA, are turned away.
        with pytest.raises(BrokerUnavailable):
            Operator(settings(b, d, "fleet-operator", password="wrong")).connect(timeout=2)
        stranger = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="stranger", protocol=mqtt.MQTTv5)
        stranger.tls_set()  # the system store: does not know the private CA
        with pytest.raises(OSError):
            stranger.connect("127.0.0.1", b.tls_port)
    finally:
        agent.stop()
    wait_for(lambda: not agent.connected, what="stopped")
