/**
 * The LTI launch token. After a course launch the server opens `/?launch=<token>`;
 * the token is taken out of the address (so a copied link or a Referer never
 * carries it) and kept in this tab only: in memory and sessionStorage, never a
 * cookie, because browsers drop third-party cookies inside an LMS iframe.
 * api.js sends it as `Authorization: Bearer`, socket.js as `?token=`.
 */

import { session } from './storage.js';

const STORAGE_KEY = 'nnplay.launch';
const PARAM = 'launch';

let token = null;

/** Take the token from the address (a fresh launch wins over an older one of this tab). */
export function readLaunchFromUrl() {
  const url = new URL(location.href);
  const fresh = url.searchParams.get(PARAM);
  if (fresh) {
    session.set(STORAGE_KEY, fresh); // blocked in some frames: then the token lives in memory only
    url.searchParams.delete(PARAM);
    history.replaceState(history.state, '', url);
  }
  token = fresh || session.get(STORAGE_KEY);
}

/** The launch token of this tab, or null when the page was not opened from a course. */
export const launchToken = () => token;

/** Drop an expired or refused token: the page goes on without the course. */
export function forgetLaunch() {
  token = null;
  session.set(STORAGE_KEY, null);
}

/** `url` with the launch token added, for a link that opens this launch in another window. */
export function withLaunch(url) {
  if (token) url.searchParams.set(PARAM, token);
  return url;
}
