// The gate scanner (an ES module). A keyboard-wedge scanner types the badge token into the
// focused input and presses Enter; where the browser has BarcodeDetector, the camera reads the
// QR code instead. Online, the server decides (POST /api/v1/gates/<id>/scan/). When the network
// fails, or in offline mode, the token's Ed25519 signature is checked here against the signed
// gate list downloaded earlier, and accepted scans wait in localStorage until they are
// uploaded (POST /api/v1/gates/<id>/upload/), which the server de-duplicates by scan id.
// Settings, addresses and translated texts come from the page's JSON block (no inline script).

const config = JSON.parse(document.getElementById("gate-config").textContent);
const T = config.texts;
const GATE = config.gate;
const UPLOAD_BATCH = 100;

// Offline checking: noble-ed25519 with noble-hashes' SHA-512, so it also works where
// crypto.subtle is missing (a gate served over plain HTTP on a local network).
const cryptoReady = Promise.all([import(config.urls.ed25519), import(config.urls.sha512)]).then(
  ([ed, hashes]) => {
    ed.hashes.sha512 = hashes.sha512;
    return ed;
  },
);
cryptoReady.catch(() => {}); // reported when an offline check needs it

// Small helpers -------------------------------------------------------------------------------

const $ = (selector) => document.querySelector(selector);
const fill = (text, values) =>
  text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));

function uuid() {
  if (typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const key = (name) => `xiqia.gate.${GATE.id}.${name}`;

function load(name, fallback) {
  try {
    const raw = localStorage.getItem(key(name));
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function save(name, value) {
  localStorage.setItem(key(name), JSON.stringify(value));
}

function deviceId() {
  let id = localStorage.getItem("xiqia.device");
  if (!id) {
    id = `gate-device-${uuid()}`;
    localStorage.setItem("xiqia.device", id);
  }
  return id;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: config.timeZone,
});
const hhmm = (iso) => timeFormat.format(new Date(iso));

function b64urlBytes(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

// The bytes the server signs: JSON with sorted keys and no spaces (badges.canonical).
function canonical(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function peekClaims(token) {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "XQ1") {
    return null;
  }
  try {
    const payload = b64urlBytes(parts[1]);
    const claims = JSON.parse(new TextDecoder().decode(payload));
    if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
      return null;
    }
    return { payload, signature: parts[2], claims };
  } catch {
    return null;
  }
}

async function postJSON(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

// What the staff see --------------------------------------------------------------------------

const resultBox = $("#scan-result");
const connection = $("#gate-connection");
const offlineSwitch = $("#offline-mode");
const listStatus = $("#list-status");
const uploadButton = $("#upload-queue");
const COLOURS = ["bg-body-tertiary", "text-bg-success", "text-bg-warning", "text-bg-danger"];

function show(result) {
  const colour =
    result.outcome === "accepted"
      ? "text-bg-success"
      : result.outcome === "already"
        ? "text-bg-warning"
        : "text-bg-danger";
  resultBox.classList.remove(...COLOURS);
  resultBox.classList.add(colour);
  resultBox.dataset.outcome = result.outcome;
  resultBox.dataset.mode = result.offline ? "offline" : "online";
  resultBox.querySelector("[data-result-message]").textContent = result.message;
  const who = result.outcome === "accepted" ? result.category : result.name;
  const detail = [who, result.conflict, result.note].filter(Boolean).join(" · ");
  resultBox.querySelector("[data-result-detail]").textContent = detail;
  if (result.outcome !== "accepted" && navigator.vibrate) {
    navigator.vibrate(result.outcome === "already" ? 100 : [200, 100, 200]);
  }
}

const refused = (outcome, message, extra = {}) => ({ outcome, message, offline: true, ...extra });

function setConnection(state) {
  const looks = {
    online: ["text-bg-success", T.online],
    offline: ["text-bg-secondary", T.offline_mode],
    down: ["text-bg-danger", T.no_network],
  };
  const [colour, label] = looks[state];
  connection.classList.remove("text-bg-success", "text-bg-secondary", "text-bg-danger");
  connection.classList.add(colour);
  connection.textContent = label;
  connection.dataset.connection = state;
}

function refreshQueue() {
  const count = load("queue", []).length;
  document.querySelector("[data-queue-count]").textContent = String(count);
  uploadButton.disabled = count === 0;
}

// The offline list ----------------------------------------------------------------------------

let offlineList = null; // {list, valid: Set, revoked: Set}

async function verifyList(data) {
  const list = data && data.list;
  if (!list || list.fair !== GATE.fair || list.gate !== GATE.code || list.event !== GATE.event) {
    return false;
  }
  // The page names the fair's key: a list signed with any other key is not the fair's.
  if (config.publicKey && list.public_key !== config.publicKey) {
    return false;
  }
  const ed = await cryptoReady;
  try {
    const message = new TextEncoder().encode(canonical(list));
    return ed.verify(b64urlBytes(data.signature), message, b64urlBytes(list.public_key), {
      zip215: false,
    });
  } catch {
    return false;
  }
}

function useList(data) {
  offlineList = {
    list: data.list,
    valid: new Set(data.list.valid),
    revoked: new Set(data.list.revoked),
  };
  listStatus.textContent = fill(T.list_ok, {
    valid: data.list.valid.length,
    revoked: data.list.revoked.length,
    time: hhmm(data.list.generated_at),
  });
  listStatus.dataset.listState = "ok";
  listStatus.classList.remove("text-danger");
}

function listProblem(text) {
  listStatus.textContent = text;
  listStatus.dataset.listState = "error";
  listStatus.classList.add("text-danger");
}

async function downloadList({ quiet = false } = {}) {
  const problem = (text) => {
    if (!(quiet && offlineList)) {
      listProblem(text); // a background refresh that fails keeps the list it had, silently
    }
  };
  let data;
  try {
    const response = await fetch(config.urls.list, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    data = await response.json();
  } catch {
    problem(T.list_failed);
    return;
  }
  let verified = false;
  try {
    verified = await verifyList(data);
  } catch {
    problem(T.crypto_missing);
    return;
  }
  if (!verified) {
    problem(T.list_bad);
    return;
  }
  useList(data);
  try {
    save("list", data);
  } catch {
    // Storage is full: the list still serves until the page is reloaded.
  }
}

async function restoreList() {
  const stored = load("list", null);
  if (stored && (await verifyList(stored).catch(() => false))) {
    useList(stored);
  }
}

// Keep a fresh list on the device without anyone thinking of it: fetch one when there is none
// or it is older than this, while the network works.
const LIST_MAX_AGE_MS = 15 * 60 * 1000;

function refreshListIfOld() {
  const age = offlineList ? Date.now() - Date.parse(offlineList.list.generated_at) : Infinity;
  const old = age > LIST_MAX_AGE_MS;
  if (old && !offlineSwitch.checked && navigator.onLine) {
    downloadList({ quiet: true });
  }
}

// Scanning ------------------------------------------------------------------------------------

function remember(token, at, gate) {
  const peeked = peekClaims(token);
  if (!peeked || !peeked.claims.b) {
    return;
  }
  const seen = load("seen", {});
  if (!seen[peeked.claims.b]) {
    seen[peeked.claims.b] = { at, gate };
    save("seen", seen);
  }
}

async function checkHere(scan) {
  if (!offlineList) {
    return refused("no_list", T.no_list);
  }
  let ed;
  try {
    ed = await cryptoReady;
  } catch {
    return refused("unavailable", T.crypto_missing);
  }
  const peeked = peekClaims(scan.token);
  if (!peeked) {
    return refused("invalid", T.invalid);
  }
  const { payload, signature, claims } = peeked;
  if (Number(claims.f) !== offlineList.list.fair) {
    return refused("wrong_fair", T.wrong_fair);
  }
  let holds = false;
  try {
    holds = ed.verify(b64urlBytes(signature), payload, b64urlBytes(offlineList.list.public_key), {
      zip215: false,
    });
  } catch {
    holds = false;
  }
  if (!holds) {
    return refused("invalid", T.forged);
  }
  const name = String(claims.n || "");
  if (offlineList.revoked.has(claims.b)) {
    return refused("revoked", T.revoked, { name });
  }
  if (!offlineList.valid.has(claims.b)) {
    return refused("unknown", T.not_listed, { name });
  }
  const seen = load("seen", {})[claims.b];
  if (seen) {
    const message =
      seen.gate === GATE.code
        ? fill(T.already_here, { time: hhmm(seen.at) })
        : fill(T.already_gate, { time: hhmm(seen.at), gate: seen.gate });
    return refused("already", message, { name });
  }
  const queue = load("queue", []);
  queue.push({ id: scan.id, token: scan.token, scanned_at: scan.scanned_at });
  save("queue", queue);
  remember(scan.token, scan.scanned_at, GATE.code);
  refreshQueue();
  return {
    outcome: "accepted",
    message: fill(T.welcome, { name }),
    offline: true,
    note: T.offline_note,
  };
}

async function checkOnline(scan) {
  let response;
  try {
    response = await postJSON(config.urls.scan, {
      token: scan.token,
      scan_id: scan.id,
      device_id: deviceId(),
      scanned_at: scan.scanned_at,
    });
  } catch {
    return null; // no network
  }
  if (response.status >= 500) {
    return null; // the server (or the proxy before it) is down: treat as no network
  }
  if (response.status === 401 || response.status === 403) {
    return refused("signed_out", T.signed_out, { offline: false });
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message =
      (data.error && data.error.message) || fill(T.server_error, { status: response.status });
    return refused("error", message, { offline: false });
  }
  if (data.outcome === "accepted" || data.outcome === "already") {
    remember(scan.token, data.checked_in_at || scan.scanned_at, data.gate || GATE.code);
  }
  return { ...data, offline: false };
}

async function handleScan(raw) {
  const token = raw.trim();
  if (!token) {
    return;
  }
  // One id per scan: if the network drops after the server recorded it, the upload of the
  // same id later is recognised as a duplicate and not counted twice.
  const scan = { id: uuid(), token, scanned_at: new Date().toISOString() };
  if (offlineSwitch.checked) {
    show(await checkHere(scan));
    return;
  }
  const answer = await checkOnline(scan);
  if (answer === null) {
    setConnection("down");
    const local = await checkHere(scan);
    show({ ...local, note: [T.network_down, local.note].filter(Boolean).join(" ") });
    return;
  }
  setConnection("online");
  show(answer);
  if (load("queue", []).length) {
    upload({ quiet: true }); // the network is back: send what waited
  }
}

let pending = Promise.resolve();
function submitScan(token) {
  // One scan at a time, in order, so the queue and the "seen" list stay consistent.
  pending = pending
    .then(() => handleScan(token))
    .catch(() => show(refused("error", T.scan_failed, { offline: false })));
  return pending;
}

// Upload --------------------------------------------------------------------------------------

let uploading = false;
const emptyReport = () => ({
  received: 0,
  accepted: 0,
  already: 0,
  refused: 0,
  duplicates: 0,
  conflicts: [],
});

function renderReport(report, error) {
  const box = $("#upload-report");
  box.classList.remove("d-none");
  for (const [name, value] of Object.entries(report)) {
    const cell = box.querySelector(`[data-report-count="${name}"]`);
    if (cell) {
      cell.textContent = String(value);
    }
  }
  const list = box.querySelector("[data-report-conflicts]");
  list.replaceChildren(
    ...report.conflicts.map((c) => {
      const item = document.createElement("li");
      const when = c.checked_in_at ? ` (${hhmm(c.checked_in_at)})` : "";
      const line = [`${c.name || "—"}${when}: ${c.message}`, c.conflict];
      item.textContent = line.filter(Boolean).join(" — ");
      return item;
    }),
  );
  const problem = box.querySelector("[data-report-error]");
  problem.textContent = error || "";
  problem.classList.toggle("d-none", !error);
}

async function upload({ quiet = false } = {}) {
  if (uploading) {
    return;
  }
  if (!load("queue", []).length) {
    if (!quiet) {
      renderReport(emptyReport(), T.upload_empty);
    }
    return;
  }
  uploading = true;
  uploadButton.disabled = true;
  const total = emptyReport();
  let error = "";
  try {
    for (;;) {
      const batch = load("queue", []).slice(0, UPLOAD_BATCH);
      if (!batch.length) {
        break;
      }
      let response;
      try {
        response = await postJSON(config.urls.upload, { device_id: deviceId(), scans: batch });
      } catch {
        response = null;
      }
      if (!response || !response.ok) {
        error = T.upload_failed;
        if (response === null) {
          setConnection("down");
        }
        break;
      }
      const report = await response.json();
      for (const name of ["received", "accepted", "already", "refused", "duplicates"]) {
        total[name] += report[name] || 0;
      }
      total.conflicts.push(...(report.conflicts || []));
      // Only now, with the server's answer in hand, do these scans leave the queue.
      const sent = new Set(batch.map((s) => s.id));
      save("queue", load("queue", []).filter((s) => !sent.has(s.id)));
      refreshQueue();
    }
  } finally {
    uploading = false;
    refreshQueue();
  }
  if (!quiet || total.received || error) {
    renderReport(total, error);
  }
}

// The camera (only where the browser reads QR codes itself) -----------------------------------

const camera = { stream: null, timer: null, last: "", lastAt: 0 };
const cameraButton = $("#camera-button");
const video = $("#camera-view");

function stopCamera() {
  clearInterval(camera.timer);
  if (camera.stream) {
    camera.stream.getTracks().forEach((track) => track.stop());
  }
  camera.stream = null;
  video.classList.add("d-none");
  cameraButton.querySelector("[data-camera-label]").textContent = T.camera_start;
}

async function startCamera() {
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) {
      throw new Error("no QR codes");
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    camera.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
    video.srcObject = camera.stream;
    video.classList.remove("d-none");
    await video.play();
    cameraButton.querySelector("[data-camera-label]").textContent = T.camera_stop;
    camera.timer = setInterval(async () => {
      if (video.readyState < 2) {
        return;
      }
      const codes = await detector.detect(video).catch(() => []);
      const value = codes.length ? codes[0].rawValue : "";
      // The same badge held in view is one scan, not one every 300 ms.
      if (value && (value !== camera.last || Date.now() - camera.lastAt > 3000)) {
        camera.last = value;
        camera.lastAt = Date.now();
        submitScan(value);
      }
    }, 300);
  } catch {
    stopCamera();
    show(refused("camera", T.camera_failed, { offline: false }));
  }
}

// Wiring --------------------------------------------------------------------------------------

const input = $("#scan-token");
const refocus = () => input.focus();

$("#scan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = input.value;
  input.value = "";
  submitScan(value);
  refocus();
});

$("#download-list").addEventListener("click", () => downloadList().finally(refocus));
uploadButton.addEventListener("click", () => upload().finally(refocus));

offlineSwitch.checked = load("offline", false) === true;
offlineSwitch.addEventListener("change", () => {
  save("offline", offlineSwitch.checked);
  setConnection(offlineSwitch.checked ? "offline" : navigator.onLine ? "online" : "down");
  refocus();
});

if ("BarcodeDetector" in window && navigator.mediaDevices) {
  cameraButton.classList.remove("d-none");
  cameraButton.addEventListener("click", () => {
    if (camera.stream) {
      stopCamera();
    } else {
      startCamera();
    }
    refocus();
  });
}

window.addEventListener("offline", () => {
  if (!offlineSwitch.checked) {
    setConnection("down");
  }
});
window.addEventListener("online", () => {
  if (!offlineSwitch.checked) {
    setConnection("online");
    upload({ quiet: true });
  }
});

setConnection(offlineSwitch.checked ? "offline" : navigator.onLine ? "online" : "down");
refreshQueue();
restoreList().then(refreshListIfOld);
setInterval(refreshListIfOld, 60 * 1000);
document.body.dataset.gateReady = "true";
