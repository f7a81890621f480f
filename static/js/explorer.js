/**
 * The convolution explorer: the course's walk-through of one convolutional
 * layer, on the student's own digit. Pick a ready 3×3 kernel (or type one),
 * and see the feature map, the same after ReLU, after 2×2 max pooling and
 * flattened into the 196 numbers a dense layer would read. The numbers come
 * from the engine through /api/convolve, for the 28×28 pixels the network saw.
 */
import { api } from './api.js';
import { clearChart } from './charts.js';
import { drawStage } from './insidecharts.js';
import { nameOf, t } from './i18n.js';

const CUSTOM = 'custom';
const DEFAULT_KERNEL = 'edge_horizontal';
const TYPING_MS = 300;

/** The value shown in a kernel cell: 1/9 as 0.1111 rather than 0.1111111111111111. */
const shown = (v) => String(Number(Number(v).toFixed(4)));

/**
 * @param {{kernel: HTMLSelectElement, custom: Element, status: Element,
 *   featureMap: Element, relu: Element, pooled: Element, flattened: Element}} els
 *   custom: the fieldset that receives the nine number inputs
 */
export function createExplorer(els) {
  /** @type {{name: string, title: string, kernel: number[][]}[]} */
  let kernels = [];
  /** @type {number[]|null} */
  let pixels = null;
  let asked = 0;
  let typing = null;
  /** The kernel chosen (a name or CUSTOM), kept while the menu is refilled. */
  let choice = DEFAULT_KERNEL;
  let status = { key: null, params: {} };

  const cells = Array.from({ length: 9 }, (_, i) => {
    const input = document.createElement('input');
    input.type = 'number';
    input.step = 'any';
    input.inputMode = 'decimal';
    input.dataset.cell = String(i);
    input.addEventListener('input', () => {
      els.kernel.value = choice = CUSTOM;
      clearTimeout(typing);
      typing = setTimeout(compute, TYPING_MS);
    });
    return input;
  });
  const grid = document.createElement('div');
  grid.className = 'kernel-grid';
  grid.append(...cells);
  els.custom.append(grid);

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  function kernelLabel(k) {
    const name = nameOf('kernels', k.name);
    return name === k.name ? k.title : name;
  }

  function labelCells() {
    cells.forEach((input, i) => input.setAttribute('aria-label', t('explorer.cell', { row: Math.floor(i / 3) + 1, column: (i % 3) + 1 })));
  }

  function fillKernels() {
    els.kernel.replaceChildren(
      ...kernels.map((k) => new Option(kernelLabel(k), k.name)),
      new Option(t('explorer.yourOwn'), CUSTOM),
    );
    els.kernel.value = [...els.kernel.options].some((o) => o.value === choice) ? choice : els.kernel.options[0].value;
  }

  function showKernel(matrix) {
    matrix.flat().forEach((v, i) => {
      cells[i].value = shown(v);
      cells[i].removeAttribute('aria-invalid');
    });
  }

  /** The kernel to send: a ready one by name, else the nine typed numbers (null if one is not a number). */
  function chosenKernel() {
    if (els.kernel.value !== CUSTOM) return els.kernel.value;
    let valid = true;
    const values = cells.map((input) => {
      const v = input.value.trim() === '' ? NaN : Number(input.value);
      const ok = Number.isFinite(v) && Math.abs(v) <= 1000;
      input.toggleAttribute('aria-invalid', !ok);
      if (!ok) valid = false;
      return v;
    });
    return valid ? [values.slice(0, 3), values.slice(3, 6), values.slice(6, 9)] : null;
  }

  const stages = () => [els.featureMap, els.relu, els.pooled, els.flattened];

  function clear() {
    for (const el of stages()) clearChart(el);
  }

  async function compute() {
    clearTimeout(typing);
    const ticket = ++asked;
    if (!pixels) {
      clear();
      setStatus('explorer.drawFirst');
      return;
    }
    const kernel = chosenKernel();
    if (kernel === null) {
      setStatus('explorer.badKernel');
      return;
    }
    try {
      const answer = await api.convolve(pixels, kernel);
      if (ticket !== asked) return;
      setStatus(null);
      const scale = Math.max(0, ...answer.feature_map.flat().map(Math.abs));
      drawStage(els.featureMap, answer.feature_map, scale);
      drawStage(els.relu, answer.relu, scale);
      drawStage(els.pooled, answer.pooled, scale);
      drawStage(els.flattened, [answer.flattened], scale, { strip: true });
    } catch (error) {
      if (ticket !== asked) return;
      clear();
      setStatus('explorer.failed', { message: error.message });
    }
  }

  els.kernel.addEventListener('change', () => {
    choice = els.kernel.value;
    const ready = kernels.find((k) => k.name === els.kernel.value);
    if (ready) showKernel(ready.kernel);
    compute();
  });

  labelCells();
  setStatus('explorer.drawFirst');
  api.kernels().then(
    (list) => {
      kernels = list;
      fillKernels();
      const ready = kernels.find((k) => k.name === els.kernel.value);
      if (ready) showKernel(ready.kernel);
      if (pixels) compute();
    },
    (error) => {
      fillKernels(); // typing a kernel still works
      setStatus('explorer.failed', { message: error.message });
    },
  );

  return {
    /** The 784 pixels the network saw (null: nothing drawn): the explorer follows the drawing. */
    setDigit(next) {
      pixels = next;
      if (kernels.length || !next) compute();
    },
    relabel() {
      fillKernels();
      labelCells();
      setStatus(status.key, status.params);
    },
  };
}
