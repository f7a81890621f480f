/**
 * Web storage that may be refused. Inside another site's iframe (an LMS page)
 * browsers may block localStorage and sessionStorage as third-party storage, and
 * merely reading `window.localStorage` then throws. Here a refused read gives
 * null and a refused write is dropped: the page works and forgets on reload.
 */

function area(kind) {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

function store(kind) {
  return {
    /** The text kept under `key`, or null. */
    get(key) {
      try {
        return area(kind)?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    /** Keep `value` under `key`; null removes it. */
    set(key, value) {
      try {
        if (value == null) area(kind)?.removeItem(key);
        else area(kind)?.setItem(key, value);
      } catch {
        // refused or full: kept in memory only
      }
    },
  };
}

/** Kept across visits (the language, this browser's id). */
export const local = store('localStorage');
/** Kept for this tab (its runs, its sweep, its course launch). */
export const session = store('sessionStorage');
