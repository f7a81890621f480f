/**
 * The activation gallery: f and f′ of every activation the engine has, as
 * small multiples, and what one of them does to a layer: the histograms of
 * the weighted inputs z and outputs f(z) of a 100-unit layer fed N(0, 1)
 * inputs, for a chosen initialization. With large weights z spreads far out,
 * sigmoid outputs pile up at 0 and 1 where f′ ≈ 0 — saturation, shown as the
 * share of units whose f′(z) is almost nothing. The numbers are the engine's
 * (GET /api/activations/curves and /distribution).
 */
import { api } from './api.js';
import { drawFigure, themeColor } from './charts.js';
import { nameOf, t } from './i18n.js';

/** A unit "barely learns" where f′(z) is below this share of f′'s peak. */
const FLAT = 0.05;

/**
 * @param {{gallery: Element, activation: HTMLSelectElement, init: HTMLSelectElement, chart: Element,
 *   summary: Element, status: Element}} els
 * @param {{inits: string[]}} deps  the initializations the engine offers
 */
export function createActivations(els, { inits }) {
  /** @type {Record<string, {z: number[], f: number[], df: number[]}>} */
  let curves = {};
  /** @type {{z: {counts: number[], edges: number[]}, a: {counts: number[], edges: number[]}}|null} */
  let distribution = null;
  let loading = null;
  let asked = 0;
  let status = { key: null, params: {} };

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  function drawCurve(el, name) {
    drawFigure(el, () => {
      const c = curves[name];
      return {
        traces: [
          { type: 'scatter', mode: 'lines', name: 'f(z)', x: c.z, y: c.f, line: { color: themeColor('--accent'), width: 2.5 },
            hovertemplate: 'z %{x:.2f}: f %{y:.3f}<extra></extra>' },
          { type: 'scatter', mode: 'lines', name: 'f′(z)', x: c.z, y: c.df, line: { color: '#f28e2b', width: 2, dash: 'dash' },
            hovertemplate: 'z %{x:.2f}: f′ %{y:.3f}<extra></extra>' },
        ],
        layout: {
          showlegend: false, margin: { l: 34, r: 6, t: 6, b: 26 },
          xaxis: { fixedrange: true, zeroline: true }, yaxis: { fixedrange: true, zeroline: true },
        },
      };
    });
  }

  /** One card per activation: its name (a button choosing it below) and its f and f′. */
  function renderGallery() {
    els.gallery.replaceChildren(...Object.keys(curves).map((name) => {
      const figure = document.createElement('figure');
      figure.className = 'activation-card';
      figure.dataset.activation = name;
      const pick = document.createElement('button');
      pick.type = 'button';
      pick.className = 'activation-pick';
      pick.dataset.testid = 'activation-pick';
      pick.textContent = nameOf('activations', name);
      pick.setAttribute('aria-pressed', String(els.activation.value === name));
      pick.title = t('acts.pick', { name: nameOf('activations', name) });
      pick.addEventListener('click', () => {
        els.activation.value = name;
        choose();
      });
      const chart = document.createElement('div');
      chart.className = 'mini-chart';
      chart.dataset.testid = 'activation-curve';
      chart.setAttribute('role', 'img');
      chart.setAttribute('aria-label', t('acts.curveLabel', { name: nameOf('activations', name) }));
      const caption = document.createElement('figcaption');
      caption.append(pick);
      figure.append(caption, chart);
      return figure;
    }));
    for (const chart of els.gallery.querySelectorAll('.mini-chart')) drawCurve(chart, chart.closest('figure').dataset.activation);
  }

  function fillMenus() {
    const activation = els.activation.value || 'sigmoid';
    const init = els.init.value || 'large';
    els.activation.replaceChildren(...Object.keys(curves).map((n) => new Option(nameOf('activations', n), n)));
    els.init.replaceChildren(...inits.map((n) => new Option(nameOf('inits', n), n)));
    els.activation.value = activation in curves ? activation : Object.keys(curves)[0];
    els.init.value = inits.includes(init) ? init : inits[0];
  }

  /** The share of units whose f′(z) is below FLAT of its peak, from z's histogram and the f′ curve. */
  function flatShare(name, zHist) {
    const c = curves[name];
    const peak = Math.max(...c.df.map(Math.abs));
    if (!(peak > 0)) return 0;
    const slope = (z) => {
      if (z <= c.z[0]) return c.df[0];
      if (z >= c.z.at(-1)) return c.df.at(-1);
      const i = c.z.findIndex((v) => v >= z);
      const w = (z - c.z[i - 1]) / (c.z[i] - c.z[i - 1]);
      return c.df[i - 1] * (1 - w) + c.df[i] * w;
    };
    let flat = 0;
    let total = 0;
    zHist.counts.forEach((count, i) => {
      total += count;
      if (Math.abs(slope((zHist.edges[i] + zHist.edges[i + 1]) / 2)) < FLAT * peak) flat += count;
    });
    return total ? flat / total : 0;
  }

  function paintDistribution() {
    const name = els.activation.value;
    const init = els.init.value;
    const share = Math.round(flatShare(name, distribution.z) * 100);
    els.summary.textContent = t('acts.flatShare', { share, name: nameOf('activations', name), init: nameOf('inits', init) });
    els.chart.dataset.flatShare = String(share);
    drawFigure(els.chart, () => {
      const bars = (hist, axis, color, label) => ({
        type: 'bar', name: label, xaxis: `x${axis}`, yaxis: `y${axis}`,
        x: hist.counts.map((_, i) => (hist.edges[i] + hist.edges[i + 1]) / 2),
        width: hist.counts.map((_, i) => hist.edges[i + 1] - hist.edges[i]),
        y: hist.counts, marker: { color, line: { width: 0 } },
        hovertemplate: `${label} ≈ %{x:.3g}: %{y}<extra></extra>`,
      });
      const title = (axis, text) => ({ xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0, y: 1, xanchor: 'left',
        yanchor: 'bottom', showarrow: false, text });
      return {
        traces: [
          bars(distribution.z, '', themeColor('--muted'), t('acts.zAxis')),
          bars(distribution.a, '2', themeColor('--accent'), t('acts.aAxis', { name: nameOf('activations', name) })),
        ],
        layout: {
          height: 260, showlegend: false, margin: { l: 48, r: 12, t: 28, b: 36 },
          grid: { rows: 1, columns: 2, pattern: 'independent', xgap: 0.14 },
          yaxis: { title: { text: t('acts.units') }, rangemode: 'tozero' },
          yaxis2: { rangemode: 'tozero' },
          annotations: [title('', t('acts.zAxis')), title('2', t('acts.aAxis', { name: nameOf('activations', name) }))],
        },
      };
    });
  }

  /** Ask for the distribution of the chosen activation × initialization. */
  async function choose() {
    for (const pick of els.gallery.querySelectorAll('.activation-pick')) {
      pick.setAttribute('aria-pressed', String(pick.closest('figure').dataset.activation === els.activation.value));
    }
    const ticket = ++asked;
    setStatus('acts.loading');
    try {
      const answer = await api.activationDistribution(els.activation.value, els.init.value);
      if (ticket !== asked) return;
      distribution = answer;
      setStatus(null);
      paintDistribution();
    } catch (error) {
      if (ticket === asked) setStatus('acts.failed', { message: error.message });
    }
  }

  els.activation.addEventListener('change', choose);
  els.init.addEventListener('change', choose);

  return {
    /** Load the curves and the first distribution, once (when the view is first shown). */
    show() {
      loading ??= api.activationCurves().then(
        (answer) => {
          curves = answer;
          fillMenus();
          renderGallery();
          return choose();
        },
        (error) => {
          loading = null; // showing the view again tries again
          setStatus('acts.failed', { message: error.message });
        },
      );
      return loading;
    },
    relabel() {
      if (!Object.keys(curves).length) return;
      fillMenus();
      renderGallery();
      if (distribution) paintDistribution();
      setStatus(status.key, status.params);
    },
  };
}
