// The help desk console: the queue over /ws/staff, and a call with WebRTC. No framework, no CDN.
// The kiosk offers (with its camera, microphone and the "screen" data channel); we answer with the
// staff member's camera and microphone. Candidates are gathered before sending (no trickle ICE),
// matching aiortc on the kiosk. Everything shown from the kiosk goes through textContent.
"use strict";
(function () {
  const hd = window.HELPDESK;
  const $ = (id) => document.getElementById(id);
  hd.framesDecoded = 0; hd.screens = 0; hd.call = null; hd.ended = null;
  let ws = null, pc = null, dc = null, media = null, statsTimer = null, highlighted = null;

  function fmtS(s) { return s == null ? "" : (s >= 60 ? Math.floor(s / 60) + " min " : "") + (s % 60) + " s"; }
  function cell(tr, text) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); return td; }
  function send(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }

  function renderQueue(q) {
    $("online").textContent = "(" + q.online + " staff online)";
    const tb = $("waiting"); tb.replaceChildren();
    for (const c of q.waiting) {
      const tr = document.createElement("tr"); tr.dataset.call = c.id;
      [c.id, c.hall, c.terminal, c.language, fmtS(c.waiting_s)].forEach((t) => cell(tr, t));
      const b = document.createElement("button"); b.textContent = "Accept"; b.className = "accept";
      b.onclick = () => send({t: "accept", call: c.id}); cell(tr, "").appendChild(b);
      tb.appendChild(tr);
    }
    const ta = $("active"); ta.replaceChildren();
    for (const c of q.active) {
      const tr = document.createElement("tr");
      [c.id, c.hall, c.terminal, c.staff, fmtS(c.in_call_s)].forEach((t) => cell(tr, t)); ta.appendChild(tr);
    }
    const ev = $("evaluations");
    if (ev) { ev.replaceChildren(); for (const e of q.evaluations) { const li = document.createElement("li");
      li.textContent = e.call + " · " + e.staff + " · " + e.level + "/5"; ev.appendChild(li); } }
  }

  function renderReplica(s) {
    if (hd.screen && (s.step !== hd.screen.step || s.flow !== hd.screen.flow)) {
      highlighted = null;  // the kiosk drops a mark when the step changes: so does the console
      document.querySelectorAll("#areas button").forEach((b) => b.classList.remove("highlight"));
    }
    hd.screens += 1; hd.screen = s;
    $("r-flow").textContent = s.flow || ""; $("r-step").textContent = s.step || ""; $("r-lang").textContent = s.language || "";
    $("r-title").textContent = s.title || ""; $("r-body").textContent = s.body || "";
    const ol = $("r-options"); ol.replaceChildren();
    for (const o of (s.options || [])) {
      const li = document.createElement("li"); li.dataset.id = o.id;
      li.textContent = o.label + (o.detail ? " — " + o.detail : "");
      if (o.id === s.focused) li.classList.add("focused");
      if (o.id === highlighted) li.classList.add("highlight");
      if (!o.enabled) li.classList.add("disabled");
      li.onclick = () => { highlighted = o.id; dcSend({t: "highlight", item: o.id}); renderReplica(hd.screen); hd.screens -= 1; };
      ol.appendChild(li);
    }
    const dl = $("r-data"); dl.replaceChildren();
    for (const [k, v] of Object.entries(s.data || {})) {
      const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    }
  }

  function renderDevice(d) {
    const dl = $("device"); dl.replaceChildren();
    for (const [k, v] of Object.entries(d || {})) {
      const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    }
  }

  function dcSend(msg) { if (dc && dc.readyState === "open") dc.send(JSON.stringify(msg)); }

  // Pointing at a part of the kiosk's screen travels as a highlight "area:<name>" (screens/root.py AREAS).
  function pointAt(area) {
    highlighted = "area:" + area; dcSend({t: "highlight", item: highlighted});
    document.querySelectorAll("#areas button").forEach((b) => b.classList.toggle("highlight", b.dataset.area === area));
    if (hd.screen) { renderReplica(hd.screen); hd.screens -= 1; }
  }
  document.querySelectorAll("#areas button").forEach((b) => { b.onclick = () => pointAt(b.dataset.area); });

  function onData(ev) {
    let m; try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.t === "screen") renderReplica(m.state);
    else if (m.t === "device") renderDevice(m.status);
    else if (m.t === "answer_request") $("req-status").textContent = (m.agreed ? "citizen agreed: " : "citizen declined: ") + m.action;
  }

  async function startCall(call) {
    hd.call = call; hd.ended = null; highlighted = null; hd.framesDecoded = 0; hd.screens = 0;
    $("call-panel").hidden = false; $("call-id").textContent = call.id;
    $("call-where").textContent = call.hall + " / " + call.terminal + " / " + call.language;
    renderDevice(call.device);
    pc = new RTCPeerConnection({iceServers: hd.iceServers});
    pc.ontrack = (ev) => { if (ev.track.kind === "video") $("remote").srcObject = new MediaStream([ev.track]); };
    pc.ondatachannel = (ev) => { dc = ev.channel; dc.onmessage = onData; };
    pc.onconnectionstatechange = () => { $("status").textContent = "connection: " + pc.connectionState; };
    media = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480, frameRate: 15}, audio: true});
    $("self").srcObject = media;
    statsTimer = setInterval(async () => {
      if (!pc) return;
      (await pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") hd.framesDecoded = r.framesDecoded || 0; });
    }, 250);
  }

  async function onOffer(sdp) {
    while (!media) await new Promise((r) => setTimeout(r, 20));  // getUserMedia of startCall
    await pc.setRemoteDescription({type: "offer", sdp: sdp});
    for (const t of media.getTracks()) pc.addTrack(t, media);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
    });
    send({t: "answer", call: hd.call.id, sdp: pc.localDescription.sdp});
  }

  function endCall(reason) {
    hd.ended = reason;
    if (statsTimer) clearInterval(statsTimer);
    if (pc) pc.close(); if (media) media.getTracks().forEach((t) => t.stop());
    pc = dc = media = null; hd.call = null;
    $("call-panel").hidden = true; $("status").textContent = "call ended: " + reason;
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/staff");
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.t === "queue") renderQueue(m);
      else if (m.t === "accepted") startCall(m.call);
      else if (m.t === "offer" && hd.call && m.call === hd.call.id) onOffer(m.sdp);
      else if (m.t === "ended" && hd.call && m.call === hd.call.id) endCall(m.reason);
      else if (m.t === "error") $("status").textContent = m.text;
    };
    // The server restarted or the network blinked: reconnect (the session cookie is still good).
    ws.onclose = () => { hd.connected = false; setTimeout(connect, 2000); };
    ws.onopen = () => { hd.connected = true; };
  }

  $("hangup").onclick = () => { if (hd.call) { send({t: "hangup", call: hd.call.id}); } };
  $("req-start").onclick = () => dcSend({t: "request", action: "start", service: $("req-service").value});
  $("req-goto").onclick = () => dcSend({t: "request", action: "goto", step: $("req-step").value});
  connect();
})();
