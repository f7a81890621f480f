/**
 * The optimizer race's figure: the test surface as a filled contour of
 * log₁₀ f (a ravine's floor and Rosenbrock's curved valley only show on a log
 * scale), with one path per optimizer drawn up to the current step and a dot
 * at its head. Trace 0 is the surface, traces 1… the paths in the order of
 * the race's answer; `showStep` moves the heads without redrawing the surface.
 */
import { drawFigure, themeColor } from './charts.js';
import { t } from './i18n.js';

/** Seven colours that read on the contour in both themes. */
export const RACE_COLORS = ['#e41a1c', '#ff7f00', '#c9b400', '#4daf4a', '#17becf', '#984ea3', '#f781bf'];

/**
 * log₁₀(f − min f + ε): the shift makes the saddle's negative values loggable;
 * ε (a ten-thousandth of the range) keeps the minimum finite.
 */
function logSurface(z) {
  const flat = z.flat();
  const lo = Math.min(...flat);
  const eps = (Math.max(...flat) - lo) * 1e-4 || 1e-6;
  return z.map((row) => row.map((v) => Math.log10(v - lo + eps)));
}

/** The points of `path` reached by `step` (a diverged path ends early). */
const upTo = (path, step) => path.slice(0, Math.min(step, path.length - 1) + 1);

/** Marker sizes: only the head of the path gets a dot. */
const heads = (n) => Array.from({ length: n }, (_, i) => (i === n - 1 ? 10 : 0));

/**
 * @typedef {{surface: {name: string, start: number[], minimum: number[]|null, x: number[], y: number[], z: number[][]},
 *   paths: Record<string, number[][]>, step: number, label: (kind: string) => string}} RaceView
 */

/**
 * Draw the whole figure for the view `current()` returns (read anew on every
 * redraw, e.g. after a change of theme or language).
 * @param {Element} el
 * @param {() => RaceView} current
 */
export function drawRace(el, current) {
  let cache = { z: null, log: null };
  drawFigure(el, () => {
    const { surface, paths, step, label } = current();
    if (cache.z !== surface.z) cache = { z: surface.z, log: logSurface(surface.z) };
    const fg = themeColor('--fg');
    const traces = [
      {
        type: 'contour', name: t('race.surface'), x: surface.x, y: surface.y, z: cache.log, customdata: surface.z,
        ncontours: 28, colorscale: [[0, '#0b3a66'], [0.45, '#5d8fbd'], [1, '#e3ecf5']], opacity: 0.85,
        line: { width: 0.5, color: 'rgba(0,0,0,0.3)' },
        colorbar: { thickness: 10, len: 0.85, outlinewidth: 0, title: { text: 'log₁₀ f', side: 'right' } },
        hovertemplate: 'x %{x:.2f}, y %{y:.2f}<br>f = %{customdata:.4g}<extra></extra>',
      },
      ...Object.entries(paths).map(([kind, path], i) => {
        const shown = upTo(path, step);
        return {
          type: 'scatter', mode: 'lines+markers', name: label(kind),
          x: shown.map((p) => p[0]), y: shown.map((p) => p[1]),
          line: { color: RACE_COLORS[i % RACE_COLORS.length], width: 2.5 },
          marker: { size: heads(shown.length), color: RACE_COLORS[i % RACE_COLORS.length], line: { color: '#ffffff', width: 1.5 } },
          hovertemplate: `${label(kind)}<br>${t('race.stepWord')} %{pointNumber}: (%{x:.3f}, %{y:.3f})<extra></extra>`,
        };
      }),
    ];
    const marks = [{ at: surface.start, text: t('race.start'), ax: 0, ay: -28 }];
    // off to one side, so the paths arriving at the minimum stay visible
    if (surface.minimum) marks.push({ at: surface.minimum, text: t('race.minimum'), ax: 34, ay: -34 });
    return {
      traces,
      layout: {
        margin: { l: 44, r: 8, t: 8, b: 40 },
        xaxis: { range: [surface.x[0], surface.x.at(-1)], title: { text: 'x' }, showgrid: false, zeroline: false },
        yaxis: { range: [surface.y[0], surface.y.at(-1)], title: { text: 'y' }, showgrid: false, zeroline: false },
        annotations: marks.map(({ at, text, ax, ay }) => ({
          x: at[0], y: at[1], text, showarrow: true, arrowhead: 0, arrowcolor: fg, ax, ay,
          font: { color: fg, size: 12 }, bgcolor: themeColor('--panel'), opacity: 0.85,
        })),
      },
    };
  });
}

/**
 * Move every path to `step` (one animation frame): only the path traces change.
 * @param {Element} el
 * @param {Record<string, number[][]>} paths
 * @param {number} step
 */
export function showStep(el, paths, step) {
  const shown = Object.values(paths).map((path) => upTo(path, step));
  window.Plotly.restyle(el, {
    x: shown.map((s) => s.map((p) => p[0])),
    y: shown.map((s) => s.map((p) => p[1])),
    'marker.size': shown.map((s) => heads(s.length)),
  }, shown.map((_, i) => i + 1));
}
