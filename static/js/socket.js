/**
 * Follows one run's event stream over `/ws/runs/{id}`. The server replays
 * every event so far to each new connection, so after a dropped connection
 * the client reconnects (with back-off) and skips what it has already seen;
 * callers get each event exactly once, in order, until `done`. A run started
 * under a course launch is only shown with the launch token (`?token=`).
 */
import { launchToken } from './launch.js';

const RETRY_MS = [500, 1000, 2000, 4000, 8000];
/** The server's close code for a course's run followed without a valid launch token of that course. */
const POLICY_VIOLATION = 1008;

/**
 * A key identifying an event within its run, so a replayed copy can be
 * recognised; null for state changes (queue place, paused, resumed), which may
 * recur and are harmless to see again in order.
 */
function eventKey(event) {
  if (event.epoch == null && event.type !== 'started' && event.type !== 'done') return null;
  return [event.type, event.epoch ?? '', event.layer ?? ''].join(':');
}

/**
 * @param {string} runId
 * @param {(event: object) => void} onEvent  called once per event
 * @param {(state: 'open'|'retrying'|'lost'|'refused') => void} [onConnection]  connection state changes
 * @returns {{close: () => void}}
 */
export function followRun(runId, onEvent, onConnection = () => {}) {
  const seen = new Set();
  let socket = null;
  let attempt = 0;
  let finished = false;
  let timer = null;

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = launchToken() ? `?${new URLSearchParams({ token: launchToken() })}` : '';
    socket = new WebSocket(`${scheme}://${location.host}/ws/runs/${encodeURIComponent(runId)}${query}`);
    socket.addEventListener('open', () => {
      attempt = 0;
      onConnection('open');
    });
    socket.addEventListener('message', (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      const key = eventKey(event);
      if (key !== null) {
        if (seen.has(key)) return;
        seen.add(key);
      }
      if (event.type === 'done') finished = true;
      onEvent(event);
    });
    socket.addEventListener('close', (closing) => {
      if (finished) return;
      if (closing.code === POLICY_VIOLATION) {
        onConnection('refused'); // retrying with the same (missing or expired) token cannot help
        return;
      }
      if (attempt >= RETRY_MS.length) {
        onConnection('lost');
        return;
      }
      onConnection('retrying');
      timer = setTimeout(connect, RETRY_MS[attempt++]);
    });
  }

  connect();
  return {
    close() {
      finished = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
