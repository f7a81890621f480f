/**
 * Labelled form controls bound to a path in the set-up ("network.layers.2.kernel"),
 * and the display of errors next to the control a path names. Both the client's
 * own checks and the server's 422 `detail` use these paths, so a refusal lands
 * beside the field it is about.
 */

let nextId = 0;

/** Read `obj` at a dotted path ("network.optimizer.kind"). */
export function getPath(obj, path) {
  return path.split('.').reduce((o, key) => (o == null ? undefined : o[key]), obj);
}

/** Write `value` into `obj` at a dotted path, creating objects on the way. */
export function setPath(obj, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const target = keys.reduce((o, key) => (o[key] ??= {}), obj);
  target[last] = value;
}

/**
 * @typedef {object} FieldSpec
 * @property {string} path        where the value lives in the state
 * @property {string} label       visible label (already translated)
 * @property {'int'|'number'|'select'|'checkbox'} kind
 *   a checkbox reports `on` (a copy) when ticked and null when not: an optional part of the request
 * @property {Array<{value: *, label: string, disabled?: boolean}>} [options]  for selects
 * @property {number} [min] @property {number} [max] @property {number|string} [step]
 * @property {string} [testid]    data-testid of the control
 * @property {boolean} [nullable] an empty number means null: "let the server choose the default"
 * @property {string} [placeholder] shown in an empty nullable field
 * @property {*} [on]             a checkbox's value when ticked
 * @property {boolean} [disabled]
 * @property {string} [hint]      a line under the control that explains it (already translated)
 */

/**
 * A label, its control and an error slot, wired so that every edit calls
 * `onChange(path, value)` with a value of the right type (numbers as numbers,
 * option values with their original type). Invalid numbers are not reported;
 * an emptied nullable field reports null.
 * @param {FieldSpec} spec
 * @param {*} value current value
 * @param {(path: string, value: *) => void} onChange
 */
export function createField(spec, value, onChange) {
  const id = `f${++nextId}`;
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.dataset.field = spec.path;

  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = spec.label;

  const error = document.createElement('p');
  error.className = 'field-error';
  error.id = `${id}-error`;
  error.hidden = true;

  const controls = { select: selectControl, checkbox: checkboxControl };
  const control = (controls[spec.kind] ?? numberControl)(spec, value);
  control.id = id;
  control.name = spec.path;
  control.disabled = Boolean(spec.disabled);
  control.setAttribute('aria-describedby', error.id);
  if (spec.testid) control.dataset.testid = spec.testid;

  let hint = null;
  if (spec.hint) {
    hint = document.createElement('p');
    hint.className = 'hint';
    hint.id = `${id}-hint`;
    hint.textContent = spec.hint;
    control.setAttribute('aria-describedby', `${hint.id} ${error.id}`);
  }

  if (spec.kind === 'checkbox') {
    wrap.classList.add('check');
    control.addEventListener('change', () => onChange(spec.path, control.checked ? structuredClone(spec.on ?? true) : null));
    wrap.append(control, label, ...(hint ? [hint] : []), error);
    return wrap;
  }
  if (spec.kind === 'select') {
    control.addEventListener('change', () => onChange(spec.path, spec.options[control.selectedIndex].value));
  } else {
    control.addEventListener('input', () => {
      if (control.value.trim() === '') {
        if (spec.nullable) onChange(spec.path, null);
        return;
      }
      const parsed = spec.kind === 'int' ? Number.parseInt(control.value, 10) : Number(control.value);
      if (Number.isFinite(parsed)) onChange(spec.path, parsed);
    });
  }
  wrap.append(label, control, ...(hint ? [hint] : []), error);
  return wrap;
}

function selectControl(spec, value) {
  const select = document.createElement('select');
  for (const option of spec.options) {
    const el = new Option(option.label, String(option.value), false, option.value === value);
    el.disabled = Boolean(option.disabled);
    select.append(el);
  }
  return select;
}

function checkboxControl(spec, value) {
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = value != null && value !== false;
  return input;
}

function numberControl(spec, value) {
  const input = document.createElement('input');
  input.type = 'number';
  input.inputMode = spec.kind === 'int' ? 'numeric' : 'decimal';
  for (const attr of ['min', 'max']) if (spec[attr] != null) input[attr] = String(spec[attr]);
  input.step = String(spec.step ?? (spec.kind === 'int' ? 1 : 'any'));
  input.value = value ?? '';
  if (spec.nullable) input.placeholder = spec.placeholder ?? '';
  return input;
}

/**
 * Rebuild part of the page without losing the keyboard focus: afterwards the
 * first enabled control named in `names` (by default, the name of the control
 * that had the focus) gets it back.
 * @param {Element} root
 * @param {() => void} rebuild
 * @param {string[]|null} [names]
 */
export function keepFocus(root, rebuild, names = null) {
  const active = document.activeElement;
  const wanted = names ?? (root.contains(active) && active.name ? [active.name] : []);
  rebuild();
  for (const name of wanted) {
    const el = root.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el && !el.disabled) {
      el.focus();
      return;
    }
  }
}

/** Remove every error shown inside `root`. */
export function clearErrors(root) {
  for (const slot of root.querySelectorAll('.field-error')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
}

/**
 * Show each message next to the control its path names; a path with no
 * control of its own (e.g. "network.layers.2") falls back to the nearest
 * enclosing element that has one. Returns the messages no element could take.
 * @param {Element} root
 * @param {Array<{path: string, message: string}>} errors
 */
export function showErrors(root, errors) {
  const unplaced = [];
  for (const { path, message } of errors) {
    const target = findTarget(root, path);
    const slot = target?.querySelector(':scope > .field-error');
    if (!slot) {
      unplaced.push(message);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    const control = target.querySelector(':scope > input, :scope > select');
    (control ?? target).setAttribute('aria-invalid', 'true');
  }
  return unplaced;
}

function findTarget(root, path) {
  const keys = path.split('.');
  while (keys.length) {
    const el = root.querySelector(`[data-field="${CSS.escape(keys.join('.'))}"]`);
    if (el) return el;
    keys.pop();
  }
  return null;
}

/**
 * FastAPI's `loc` (["body", "network", "layers", 2, "kernel"]) as a state path.
 * Pydantic puts the tag of a tagged union after a list index
 * (["network", "layers", 2, "conv2d", "kernel"]); parts named in `tags` that
 * follow an index are dropped so the path matches the form.
 */
export function locToPath(loc, tags = new Set()) {
  const parts = (loc ?? []).filter((part, i) => !(i === 0 && part === 'body'));
  return parts.filter((part, i) => !(tags.has(part) && Number.isInteger(parts[i - 1]))).join('.');
}
