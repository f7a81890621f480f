/**
 * The network designer: one editable card per layer (add, remove, reorder,
 * change type and settings) and a live diagram of the network with each
 * layer's output shape and parameter count. Shapes come from shapes.js, so an
 * impossible layer is marked on its card and in the diagram as it is made.
 */
import { createField, clearErrors, keepFocus, showErrors } from './form.js';
import { LAYER_TYPES, newLayer } from './layers.js';
import { formatShape } from './shapes.js';
import { t, nameOf } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_NODES = 8;
const COLUMN = 96;
const HEIGHT = 190;

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

function button(name, label, text, onClick, testid) {
  const b = document.createElement('button');
  b.type = 'button';
  b.name = name;
  b.className = 'icon';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.title = label;
  if (testid) b.dataset.testid = testid;
  b.addEventListener('click', onClick);
  return b;
}

const formatCount = (n) => n.toLocaleString();

/**
 * @param {{layers: Element, list: Element, diagram: Element, addBar: Element, total: Element}} els
 *   layers wraps the card list and the network-wide error slot
 * @param {{onField: (path: string, value: *) => void, onLayers: (layers: object[]) => void}} handlers
 *   onField for a setting edited in place, onLayers when layers are added, removed, moved or retyped
 */
export function createDesigner(els, { onField, onLayers }) {
  let layers = [];
  /** Controls to focus after the next render: where a keyboard user's action leads. */
  let focusNext = null;

  function edit(change, focus = null) {
    const next = layers.map((l) => ({ ...l }));
    change(next);
    focusNext = focus;
    onLayers(next);
  }

  function card(layer, index, catalog) {
    const li = document.createElement('li');
    li.className = 'layer-card';
    li.dataset.field = `network.layers.${index}`;
    li.dataset.testid = 'layer-card';
    const n = index + 1;

    const head = document.createElement('div');
    head.className = 'layer-head';
    const number = document.createElement('span');
    number.className = 'layer-index';
    number.textContent = String(n);
    const type = document.createElement('select');
    type.dataset.testid = 'layer-type';
    type.setAttribute('aria-label', t('layer.typeOf', { n }));
    for (const name of catalog.names('layer_types')) {
      type.append(new Option(nameOf('layer_types', name), name, false, name === layer.type));
    }
    type.name = `network.layers.${index}.type`;
    type.dataset.changes = `network.layers.${index}`; // a new type replaces the whole layer
    type.addEventListener('change', () => edit((next) => (next[index] = newLayer(type.value))));
    const last = index === layers.length - 1;
    const name = (i, action) => `network.layers.${i}.${action}`;
    const move = (to, action) => () =>
      edit((next) => next.splice(to, 0, ...next.splice(index, 1)), [name(to, action), name(to, 'type')]);
    const up = button(name(index, 'up'), t('layer.moveUp', { n }), '↑', move(index - 1, 'up'), 'layer-up');
    const down = button(name(index, 'down'), t('layer.moveDown', { n }), '↓', move(index + 1, 'down'), 'layer-down');
    up.disabled = index === 0;
    down.disabled = last;
    const after = Math.min(index, layers.length - 2);
    const remove = button(name(index, 'remove'), t('layer.remove', { n }), '✕',
      () => edit((next) => next.splice(index, 1), [name(after, 'remove'), name(after, 'type')]), 'layer-remove');
    remove.disabled = layers.length === 1;
    for (const b of [up, down, remove]) b.dataset.changes = 'network.layers'; // they reshape the list
    head.append(number, type, up, down, remove);

    const fields = document.createElement('div');
    fields.className = 'field-grid';
    for (const spec of LAYER_TYPES[layer.type]?.fields ?? []) {
      const options =
        spec.kind !== 'select'
          ? undefined
          : typeof spec.options === 'string'
            ? catalog.names(spec.options).map((v) => ({ value: v, label: nameOf(spec.options, v) }))
            : spec.options.map((v) => ({ value: v, label: t(`option.${v}`) }));
      const field = {
        ...spec,
        path: `network.layers.${index}.${spec.key}`,
        label: t(`layer.${spec.key}`),
        testid: `layer-${spec.key}`,
        placeholder: t('setting.default'),
        options,
      };
      fields.append(createField(field, layer[spec.key], onField));
    }

    const shape = document.createElement('p');
    shape.className = 'layer-shape';
    shape.dataset.testid = 'layer-shape';
    const error = document.createElement('p');
    error.className = 'field-error';
    error.dataset.testid = 'layer-error';
    error.hidden = true;
    li.append(head, fields, shape, error);
    return li;
  }

  function addButtons(catalog) {
    els.addBar.replaceChildren(
      ...catalog.names('layer_types').map((type) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.dataset.testid = `add-${type}`;
        b.dataset.changes = 'network.layers';
        b.textContent = t('network.add', { type: nameOf('layer_types', type) });
        // New layers go before the output layer: that is where hidden layers belong.
        const at = Math.max(layers.length - 1, 0);
        b.addEventListener('click', () => edit((next) => next.splice(at, 0, newLayer(type)), [`network.layers.${at}.type`]));
        return b;
      }),
    );
  }

  function drawDiagram(inputShape, analysis) {
    const columns = [
      { name: t('network.input'), shape: inputShape, params: 0, problem: null },
      ...layers.map((layer, i) => ({ name: nameOf('layer_types', layer.type), ...analysis.layers[i] })),
    ];
    const root = svg('svg', { viewBox: `0 0 ${columns.length * COLUMN} ${HEIGHT}`, width: columns.length * COLUMN });
    const nodeY = (count, k) => 20 + ((k + 0.5) * 110) / count;
    let previous = null;
    columns.forEach((col, i) => {
      const cx = i * COLUMN + COLUMN / 2;
      const group = svg('g', { class: col.problem ? 'col invalid' : col.shape ? 'col' : 'col unknown' });
      const vector = col.shape?.length === 1;
      if (vector) {
        const shown = Math.min(col.shape[0], MAX_NODES);
        const nodes = Array.from({ length: shown }, (_, k) => nodeY(shown, k));
        if (previous) {
          for (const y0 of previous.nodes) for (const y1 of nodes) {
            group.append(svg('line', { class: 'link', x1: previous.x + 8, y1: y0, x2: cx - 8, y2: y1 }));
          }
        }
        nodes.forEach((y, k) => {
          const ellipsis = k === shown - 1 && col.shape[0] > MAX_NODES;
          group.append(ellipsis ? svg('text', { x: cx, y: y + 4, class: 'more' }, '⋮') : svg('circle', { cx, cy: y, r: 7, class: 'node' }));
        });
        previous = { x: cx, nodes };
      } else {
        const maps = col.shape ? Math.min(col.shape[0], 5) : 1;
        const side = col.shape ? 24 + Math.min(col.shape[1] ?? 0, 28) : 36;
        for (let k = maps - 1; k >= 0; k--) {
          group.append(svg('rect', { class: 'map', x: cx - side / 2 + k * 4, y: 75 - side / 2 - k * 4, width: side, height: side, rx: 2 }));
        }
        if (!col.shape) group.append(svg('text', { x: cx, y: 80, class: 'mark' }, '!'));
        if (previous) group.append(svg('line', { class: 'link arrow', x1: previous.x + 10, y1: 75, x2: cx - side / 2 - 4, y2: 75 }));
        previous = { x: cx + side / 2, nodes: [75] };
      }
      group.append(svg('text', { x: cx, y: 150, class: 'name' }, col.name));
      group.append(svg('text', { x: cx, y: 166, class: 'shape' }, formatShape(col.shape)));
      if (col.params) group.append(svg('text', { x: cx, y: 182, class: 'params' }, formatCount(col.params)));
      root.append(group);
    });
    els.diagram.replaceChildren(root);
    els.diagram.setAttribute('aria-label', columns.map((c) => `${c.name} ${formatShape(c.shape)}`).join(' → '));
  }

  return {
    /** Rebuild the cards and the add-layer buttons for the state's layers. */
    render(state, catalog) {
      layers = state.network.layers;
      keepFocus(els.layers, () => {
        els.list.replaceChildren(...layers.map((layer, i) => card(layer, i, catalog)));
        addButtons(catalog);
      }, focusNext);
      focusNext = null;
    },
    /** Show shapes, parameter counts and problems from analyseNetwork() on the cards and the diagram. */
    showAnalysis(inputShape, analysis) {
      clearErrors(els.layers);
      [...els.list.children].forEach((li, i) => {
        const info = analysis.layers[i];
        li.classList.toggle('invalid', Boolean(info?.problem));
        li.querySelector('.layer-shape').textContent = info?.shape
          ? t('layer.output', { shape: formatShape(info.shape), params: formatCount(info.params) })
          : '';
      });
      const problems = analysis.layers.flatMap((info, i) =>
        info.problem
          ? [{ path: `network.layers.${i}${info.problem.field ? `.${info.problem.field}` : ''}`, message: t(info.problem.key, info.problem.params) }]
          : [],
      );
      if (analysis.network) problems.push({ path: 'network.layers', message: t(analysis.network.key, analysis.network.params) });
      showErrors(els.layers, problems);
      drawDiagram(inputShape, analysis);
      els.total.textContent = analysis.layers.every((l) => l.shape) ? formatCount(analysis.total) : '—';
    },
  };
}
