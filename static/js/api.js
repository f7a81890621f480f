/**
 * The REST calls of the server, in one place so every caller gets the same
 * error handling: a refusal becomes an ApiError carrying the HTTP status and
 * FastAPI's `detail`, which the form code maps back onto fields.
 */

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status code
   * @param {*} detail FastAPI's `detail` (a string or a list of {loc, msg, type})
   */
  constructor(status, detail) {
    super(describeDetail(detail) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/** Turn FastAPI's `detail` into one readable line for places that have no field to point at. */
function describeDetail(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg ?? String(d)).join('; ');
  return detail ? JSON.stringify(detail) : '';
}

async function call(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? data);
  return data;
}

const run = (id) => `/api/runs/${encodeURIComponent(id)}`;

/** Thin wrappers naming each server call the UI makes. */
export const api = {
  registry: () => call('GET', '/api/registry'),
  optimizers: () => call('GET', '/api/optimizers'),
  limits: () => call('GET', '/api/limits'),
  datasets: () => call('GET', '/api/datasets'),
  presets: () => call('GET', '/api/presets'),
  savedRuns: () => call('GET', '/api/runs'),
  run: (id) => call('GET', run(id)),
  startRun: (request) => call('POST', '/api/runs', request),
  pause: (id) => call('POST', `${run(id)}/pause`),
  resume: (id) => call('POST', `${run(id)}/resume`),
  stop: (id) => call('POST', `${run(id)}/stop`),
  /** Classify a drawn image with the built-in model, or with a run's model when `runId` is given. */
  predict: (image, runId) =>
    call('POST', runId ? `${run(runId)}/predict` : '/api/predict', { image }),
};
