/**
 * Paces chart drawing. Small runs send epochs far faster than charts can be
 * drawn, so events update their data at once and each figure is redrawn with
 * its newest data at most once per interval, on an animation frame.
 */

const DEFAULT_INTERVAL_MS = 120;

/**
 * @param {Record<string, number>} intervals  minimum ms between two paints of a named figure
 * @returns {{later: (name: string, paint: () => void) => void, reset: () => void}}
 *   later: paint the figure soon (the newest paint given wins); reset: drop all pending paints
 */
export function createPainter(intervals = {}) {
  const figures = new Map();
  return {
    later(name, paint) {
      const figure = figures.get(name) ?? { last: 0, timer: 0 };
      figure.paint = paint;
      figures.set(name, figure);
      if (figure.timer) return;
      const wait = Math.max(0, figure.last + (intervals[name] ?? DEFAULT_INTERVAL_MS) - performance.now());
      figure.timer = setTimeout(() => requestAnimationFrame(() => {
        if (figures.get(name) !== figure) return; // reset meanwhile
        figure.timer = 0;
        figure.last = performance.now();
        figure.paint();
      }), wait);
    },
    reset() {
      for (const figure of figures.values()) clearTimeout(figure.timer);
      figures.clear();
    },
  };
}
