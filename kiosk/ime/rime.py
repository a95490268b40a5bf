"""librime (Debian's librime1 + rime-data-luna-pinyin) through ctypes: pinyin key sequence -> words.

Why librime: measured against pypinyin-based lookup (bench/ime.py): a deployed user dir starts in
under 10 ms (first deployment ~0.7 s, once per machine), 15 MB resident, p95 candidate latency a
few ms; it segments whole sentences, knows initials (`sfz` -> shenfenzheng, ID card) through luna_pinyin's
abbreviation rules, and takes fuzzy rules as a schema patch. Only the exported C functions
(RimeSetup, RimeSimulateKeySequence, RimeCandidateList*) are used: no RimeApi struct layout to
keep in step with the library.

librime is process-global and not thread-safe per session, so one Engine per process, all calls
under a lock.
"""
from __future__ import annotations

import ctypes as C
import ctypes.util
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

SHARED_DIR = Path("/usr/share/rime-data")
SCHEMA = "luna_pinyin_simp"  # simplified output: luna_pinyin itself is traditional
# Fuzzy pinyin (zh/z, ch/c, sh/s, n/l, -eng/-en, -ing/-in) appended to the schema's speller:
# derive rules keep the exact spelling and add the fuzzy one.
FUZZY_PATCH = """patch:
  "speller/algebra/+":
    - derive/^([zcs])h/$1/
    - derive/^([zcs])([^h])/$1h$2/
    - derive/^n/l/
    - derive/^l/n/
    - derive/([ei])n$/$1ng/
    - derive/([ei])ng$/$1n/
"""


class RimeUnavailable(RuntimeError):
    pass


class _Traits(C.Structure):
    _fields_ = [("data_size", C.c_int), ("shared_data_dir", C.c_char_p), ("user_data_dir", C.c_char_p),
                ("distribution_name", C.c_char_p), ("distribution_code_name", C.c_char_p),
                ("distribution_version", C.c_char_p), ("app_name", C.c_char_p), ("modules", C.c_void_p),
                ("min_log_level", C.c_int), ("log_dir", C.c_char_p), ("prebuilt_data_dir", C.c_char_p),
                ("staging_dir", C.c_char_p)]


class _Candidate(C.Structure):
    _fields_ = [("text", C.c_char_p), ("comment", C.c_char_p), ("reserved", C.c_void_p)]


class _Iterator(C.Structure):
    _fields_ = [("ptr", C.c_void_p), ("index", C.c_int), ("candidate", _Candidate)]


def _load_library() -> C.CDLL:
    name = ctypes.util.find_library("rime") or "librime.so.1"
    try:
        lib = C.CDLL(name)
    except OSError as e:
        raise RimeUnavailable(f"librime not installed ({e}); apt-get install librime1 rime-data-luna-pinyin") from e
    sid = C.c_size_t
    for fn, res, args in (("RimeSetup", None, [C.POINTER(_Traits)]), ("RimeInitialize", None, [C.POINTER(_Traits)]),
                          ("RimeStartMaintenance", C.c_int, [C.c_int]), ("RimeJoinMaintenanceThread", None, []),
                          ("RimeCreateSession", sid, []), ("RimeDestroySession", C.c_int, [sid]),
                          ("RimeSelectSchema", C.c_int, [sid, C.c_char_p]),
                          ("RimeSimulateKeySequence", C.c_int, [sid, C.c_char_p]),
                          ("RimeClearComposition", None, [sid]),
                          ("RimeCandidateListBegin", C.c_int, [sid, C.POINTER(_Iterator)]),
                          ("RimeCandidateListNext", C.c_int, [C.POINTER(_Iterator)]),
                          ("RimeCandidateListEnd", None, [C.POINTER(_Iterator)]), ("RimeFinalize", None, [])):
        f = getattr(lib, fn)
        f.restype, f.argtypes = res, args
    return lib


def default_user_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "rime"


class Engine:
    """One librime session on luna_pinyin_simp with fuzzy rules."""

    _started = False  # librime can be set up once per process
    _global_lock = threading.Lock()

    def __init__(self, user_dir: Path | None = None) -> None:
        if not (SHARED_DIR / "build" / "luna_pinyin.table.bin").exists():
            raise RimeUnavailable("rime-data-luna-pinyin not installed")
        self.user_dir = Path(user_dir or default_user_dir())
        self._lock = threading.Lock()
        self._lib = _load_library()
        self._keep: list[object] = []  # the traits' strings must outlive RimeSetup
        with Engine._global_lock:
            if not Engine._started:
                self._setup()
                Engine._started = True
        self._session = self._lib.RimeCreateSession()
        if not self._session or not self._lib.RimeSelectSchema(self._session, SCHEMA.encode()):
            raise RimeUnavailable(f"librime could not open schema {SCHEMA}")

    def _setup(self) -> None:
        self.user_dir.mkdir(parents=True, exist_ok=True)
        # schema_list in default.yaml names luna_pinyin (traditional) first: deploy ours only
        _write_if_changed(self.user_dir / "default.custom.yaml", f"patch:\n  schema_list:\n    - schema: {SCHEMA}\n")
        _write_if_changed(self.user_dir / f"{SCHEMA}.custom.yaml", FUZZY_PATCH)
        t = _Traits()
        t.data_size = C.sizeof(_Traits) - C.sizeof(C.c_int)
        vals = {"shared_data_dir": str(SHARED_DIR), "user_data_dir": str(self.user_dir),
                "distribution_name": "kiosk", "distribution_code_name": "kiosk", "distribution_version": "1",
                "app_name": "rime.kiosk", "log_dir": "", "prebuilt_data_dir": str(SHARED_DIR / "build"),
                "staging_dir": str(self.user_dir / "build")}
        for k, v in vals.items():
            b = v.encode()
            self._keep.append(b)
            setattr(t, k, b)
        t.min_log_level = 3  # FATAL only: librime's INFO log goes to stderr otherwise
        self._keep.append(t)
        self._lib.RimeSetup(C.byref(t))
        self._lib.RimeInitialize(C.byref(t))
        # deploys (compiles the fuzzy speller into a prism) only when the patch or data changed
        if self._lib.RimeStartMaintenance(0):
            self._lib.RimeJoinMaintenanceThread()

    def candidates(self, keys: str, limit: int = 20) -> list[str]:
        keys = "".join(ch for ch in keys.lower() if "a" <= ch <= "z" or ch == "'")
        if not keys:
            return []
        out: list[str] = []
        with self._lock:
            lib, s = self._lib, self._session
            lib.RimeClearComposition(s)
            lib.RimeSimulateKeySequence(s, keys.encode())
            it = _Iterator()
            if lib.RimeCandidateListBegin(s, C.byref(it)):
                while len(out) < limit and lib.RimeCandidateListNext(C.byref(it)):
                    text = it.candidate.text
                    if text:
                        out.append(text.decode("utf-8", "replace"))
                lib.RimeCandidateListEnd(C.byref(it))
            lib.RimeClearComposition(s)
        return out

    def close(self) -> None:
        with self._lock:
            if self._session:
                self._lib.RimeDestroySession(self._session)
                self._session = 0


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
