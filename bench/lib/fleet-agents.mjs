// One process of simulated agents for bench/fleet.mjs (forked with an IPC channel): each
// agent heartbeats and announces on its own timers over the real HTTP API with its own
// node credential and key, and retries exactly as the agent does, with the agent's own
// backoff module (agent/dist/util/backoff.js). Time is compressed by `k`: every interval,
// retry delay and Retry-After is divided by k, so N agents here make the requests N × k
// agents make at production intervals.
//
// Reports to the parent once a second: per wall-clock second, the requests answered by
// kind and outcome, the latencies of the answered ones, and how many agents have had no
// successful heartbeat since the parent's last mark (the re-registration measure).
import { createPrivateKey } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Backoff, jittered, spread, retryAfterOf } from '../../agent/dist/util/backoff.js';
import { NODE_PROOF, nodeProofHeaders, TRACKER_SESSION, trackerSessionHeader } from '../../contract/dist/index.js';

// The agent's own schedule (agent/src/cli/runtime.ts, agent/src/swarm/tracker-client.ts).
const RETRY_BASE_MS = 2_000;
const RETRY_CAP_MS = 120_000;
const INTERVAL_JITTER = 0.1;
const MIN_INTERVAL_SECONDS = 5;
const DEFAULT_INTERVAL_SECONDS = 30;
const REQUEST_TIMEOUT_MS = 10_000;
/** An answer larger than this is cut off and counted as an error (announces list at most 50 peers). */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Latencies kept per second per process: enough for percentiles, bounded whatever the rate. */
const MAX_LATENCIES_PER_SECOND = 20_000;

let cfg = null;
let agents = [];
let httpAgent = null;
let mark = 0;
let stopped = false;
let reporter = null;
/** second -> { hb: counts, ann: counts, lat: number[] } */
const buckets = new Map();

const emptyCounts = () => ({ ok: 0, s429: 0, s503: 0, other: 0, conn: 0 });
/** Counted in the second the request was sent: the rate the fleet offers, not when the server got round to it. */
function count(kind, outcome, sentAtMs, latencyMs, err = null) {
  const sec = Math.floor(sentAtMs / 1000);
  let b = buckets.get(sec);
  if (!b) buckets.set(sec, (b = { hb: emptyCounts(), ann: emptyCounts(), lat: [], otherSample: null, connSample: null }));
  b[kind][outcome]++;
  if (err && !b.connSample) b.connSample = `${err.code ?? ''} ${err.message}`.trim().slice(0, 200);
  if (latencyMs !== null && b.lat.length < MAX_LATENCIES_PER_SECOND) b.lat.push(Math.round(latencyMs * 10) / 10);
}

/** POST a JSON body; resolves { status, headers, text } or rejects on a connection error or timeout. */
function post(path, headers, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: cfg.host, port: cfg.port, path, method: 'POST', agent: httpAgent, timeout: REQUEST_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
          if (text.length > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

class SimAgent {
  constructor(id) {
    this.nodeId = id.nodeId;
    this.credential = id.credential;
    this.key = createPrivateKey({ key: Buffer.from(id.key, 'base64'), format: 'der', type: 'pkcs8' });
    this.resourceId = id.resourceId;
    this.address = id.address;
    this.hbBackoff = new Backoff(RETRY_BASE_MS / cfg.k, RETRY_CAP_MS / cfg.k);
    this.annBackoff = new Backoff(RETRY_BASE_MS / cfg.k, RETRY_CAP_MS / cfg.k);
    this.session = null;
    this.started = false;
    this.lastHeartbeatOk = 0;
  }

  start() {
    // A fleet already running: each agent's timers sit anywhere in their interval.
    const interval = (DEFAULT_INTERVAL_SECONDS * 1000) / cfg.k;
    this.hbTimer = setTimeout(() => void this.heartbeat(), spread(interval));
    this.annTimer = setTimeout(() => void this.announce(), spread(interval));
  }

  stop() {
    clearTimeout(this.hbTimer);
    clearTimeout(this.annTimer);
  }

  /** The next steady wait from an answer's intervalSeconds, as the agent computes it, compressed. */
  steady(text) {
    let s = DEFAULT_INTERVAL_SECONDS;
    try { s = Number(JSON.parse(text).intervalSeconds) || DEFAULT_INTERVAL_SECONDS; } catch { /* keep the default */ }
    return jittered((Math.max(MIN_INTERVAL_SECONDS, s) * 1000) / cfg.k, INTERVAL_JITTER);
  }

  async heartbeat() {
    const sentAt = Date.now();
    const t0 = performance.now();
    let delay;
    let answered = false;
    try {
      const path = '/api/nodes/heartbeat';
      const auth = await nodeProofHeaders({ credential: this.credential, key: this.key, method: 'POST', url: path });
      const res = await post(path, auth, {
        addresses: [this.address],
        holdings: [{ resourceId: this.resourceId, complete: true, piecesHeld: cfg.pieces }],
        uploadedBytes: 0, downloadedBytes: 0,
      });
      const outcome = classify(res.status);
      count('hb', outcome, sentAt, performance.now() - t0);
      answered = true;
      if (outcome === 'other') note(sentAt, res);
      if (res.status === 200) {
        const answer = JSON.parse(res.text);
        if (answer.credential) this.credential = answer.credential;
        this.lastHeartbeatOk = Date.now();
        this.hbBackoff.reset();
        delay = this.steady(res.text);
      } else delay = this.hbBackoff.next(scaled(retryAfterOf(res.status, res.headers)));
    } catch (err) {
      if (!answered) count('hb', 'conn', sentAt, null, err); // else an answer that was not JSON: counted as answered
      delay = this.hbBackoff.next(null);
    }
    if (!stopped) this.hbTimer = setTimeout(() => void this.heartbeat(), delay);
  }

  async announce() {
    const sentAt = Date.now();
    const t0 = performance.now();
    let delay;
    let answered = false;
    try {
      const path = '/api/tracker/announce';
      const now = Math.floor(Date.now() / 1000);
      // Between proofs, the HMAC of the session the tracker granted (as the agent does).
      const s = this.session;
      const auth = s && s.credential === this.credential && s.grant.expiresAt - now > TRACKER_SESSION.renewBeforeSeconds
        ? { authorization: `${NODE_PROOF.scheme} ${this.credential}`, [TRACKER_SESSION.header]: trackerSessionHeader(s.grant, now) }
        : await nodeProofHeaders({ credential: this.credential, key: this.key, method: 'POST', url: path });
      const res = await post(path, auth, {
        resourceId: this.resourceId, event: this.started ? 'update' : 'started',
        left: 0, uploaded: 0, downloaded: 0, addresses: [this.address], numWant: 50,
      });
      const outcome = classify(res.status);
      count('ann', outcome, sentAt, performance.now() - t0);
      answered = true;
      if (outcome === 'other') note(sentAt, res);
      if (res.status === 200) {
        const answer = JSON.parse(res.text);
        // a grant answers a proof, and is good for the credential that proof carried
        if (answer.session && auth[NODE_PROOF.header] !== undefined) this.session = { grant: answer.session, credential: this.credential };
        this.started = true;
        this.annBackoff.reset();
        delay = this.steady(res.text);
      } else {
        this.session = null;
        delay = this.annBackoff.next(scaled(retryAfterOf(res.status, res.headers)));
      }
    } catch (err) {
      this.session = null;
      if (!answered) count('ann', 'conn', sentAt, null, err); // else an answer that was not JSON: counted as answered
      delay = this.annBackoff.next(null);
    }
    if (!stopped) this.annTimer = setTimeout(() => void this.announce(), delay);
  }
}

const scaled = (ms) => (ms === null ? null : ms / cfg.k);
const classify = (status) => (status === 200 ? 'ok' : status === 429 ? 's429' : status === 503 ? 's503' : 'other');
/** The first unexpected answer of each second, so a report can say what went wrong. */
function note(sentAtMs, res) {
  const b = buckets.get(Math.floor(sentAtMs / 1000));
  if (b && !b.otherSample) b.otherSample = `${res.status} ${res.text.slice(0, 200)}`;
}

// A second is sent on once it is over; an answer that comes later (up to the request
// timeout) is sent in a later report for the same second, and the parent adds it up.
function flush(all = false) {
  if (!process.connected) return;
  const now = Math.floor(Date.now() / 1000);
  const out = [];
  for (const [sec, b] of buckets) if (all || sec < now) { out.push({ sec, ...b }); buckets.delete(sec); }
  const behind = agents.reduce((n, a) => n + (a.lastHeartbeatOk < mark ? 1 : 0), 0);
  process.send({ type: 'seconds', seconds: out, behind, mark, agents: agents.length });
}

process.on('message', (m) => {
  if (m.type === 'start') {
    cfg = m.cfg;
    // An idle socket is closed before the server's 5 s keep-alive timeout would close it,
    // so no request goes out on a socket the server is closing (a client-side artefact,
    // not a server failure).
    httpAgent = new Agent({ keepAlive: true, maxSockets: cfg.sockets, timeout: 4_000 });
    agents = m.identities.map((id) => new SimAgent(id));
    for (const a of agents) a.start();
    reporter = setInterval(() => flush(), 1000);
    process.send({ type: 'started' });
  } else if (m.type === 'mark') {
    mark = m.at;
    flush();
  } else if (m.type === 'stop') {
    stopped = true;
    clearInterval(reporter);
    for (const a of agents) a.stop();
    flush(true);
    httpAgent.destroy();
    process.disconnect();
  }
});
