/**
 * A lesson's limits on the page: controls of locked request paths are disabled
 * and the controls a lesson hides are hidden. Controls are found by the request
 * path they change (`data-changes`, else their `name`), sections by the path they
 * edit (`data-field`, else `data-controls`), so the settings and the designer need
 * no lesson code. The server checks locked paths again: this only saves the
 * student a refusal.
 */

/** `hidden_controls` names that are not themselves request paths (docs/LESSONS.md). */
const CONTROL_PATHS = {
  layers: 'network.layers',
  cost: 'network.cost',
  init: 'network.init',
  regularization: 'network.regularization',
  optimizer: 'network.optimizer',
  optimizer_kind: 'network.optimizer.kind',
};

/** Whether changing path `a` changes path `b` too (one is the other or contains it). */
const overlaps = (a, b) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/**
 * @typedef {{locked: string[]|'*', hidden: string[]}} Constraints  a lesson's `locked` and `hidden_controls`
 */

/** No lesson: nothing locked or hidden. */
export const FREE = Object.freeze({ locked: [], hidden: [] });

/**
 * Disable locked controls and hide hidden ones under `root`. Only ever disables or
 * hides: leaving a lesson re-renders the controls, which restores them.
 * @param {Element} root
 * @param {Constraints} constraints
 */
export function applyConstraints(root, { locked, hidden }) {
  const isLocked = (path) => locked === '*' || locked.some((lock) => overlaps(path, lock));
  for (const control of root.querySelectorAll('input, select, button')) {
    const path = control.dataset.changes ?? control.name;
    if (path && isLocked(path)) {
      control.disabled = true;
      control.dataset.locked = 'true';
    }
  }
  const hiddenPaths = hidden.map((name) => CONTROL_PATHS[name] ?? name);
  for (const section of root.querySelectorAll('[data-field], [data-controls]')) {
    const path = section.dataset.field ?? section.dataset.controls;
    if (hiddenPaths.some((hide) => path === hide || path.startsWith(`${hide}.`))) section.hidden = true;
  }
  for (const group of root.querySelectorAll('details[data-group]')) {
    group.hidden = ![...group.querySelectorAll('.field')].some((field) => !field.hidden);
  }
}
