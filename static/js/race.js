/**
 * The optimizer race: all seven optimizers of the engine start from the same
 * point of a 2-D test surface and their paths grow side by side, so a student
 * sees SGD zig-zag across a ravine while momentum and Adam run along it. The
 * paths are the server's (POST /api/race, the engine's own optimizer code);
 * this module only chooses what to ask and plays the answer back, a few steps
 * per animation frame, with play/pause and a slider to scrub through it.
 */
import { api } from './api.js';
import { drawRace, showStep } from './racechart.js';
import { nameOf, t } from './i18n.js';

/** Learning rates at which the race on each surface tells its story (most optimizers stay on the plot). */
const SUGGESTED_LR = { ravine: 0.05, rosenbrock: 0.001, beale: 0.003, saddle: 0.01 };
const DEFAULT_STEPS = 300;
/** A race plays in about this long, whatever its number of steps. */
const PLAY_MS = 4000;
const TYPING_MS = 400;

/**
 * @param {{surface: HTMLSelectElement, lr: HTMLInputElement, steps: HTMLInputElement, play: HTMLButtonElement,
 *   step: Element, scrub: HTMLInputElement, chart: Element, status: Element, about: Element}} els
 */
export function createRace(els) {
  /** @type {object[]} */
  let surfaces = [];
  /** @type {{surface: object, paths: Record<string, number[][]>, steps: number, n: number}|null} n: the longest path's steps */
  let race = null;
  let step = 0;
  let frame = 0;
  let asked = 0;
  let typing = null;
  let loading = null;
  let status = { key: null, params: {} };
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  const surfaceLabel = (s) => {
    const name = nameOf('surfaces', s.name);
    return name === s.name ? s.title : name;
  };

  /** "SGD", or "SGD (diverged at step 11)" for a path that left the plot. */
  function label(kind) {
    const path = race?.paths[kind] ?? [];
    const name = nameOf('optimizers', kind);
    return race && path.length - 1 < race.steps ? t('race.diverged', { name, step: path.length - 1 }) : name;
  }

  function fillSurfaces() {
    const chosen = els.surface.value;
    els.surface.replaceChildren(...surfaces.map((s) => new Option(surfaceLabel(s), s.name)));
    if (chosen) els.surface.value = chosen;
    const current = surfaces.find((s) => s.name === els.surface.value);
    els.about.textContent = current ? t(`race.about.${current.name}`) : '';
  }

  function showCounter() {
    const n = race?.n ?? 0;
    els.step.textContent = t('race.stepOf', { step, n });
    els.step.dataset.step = String(step);
    els.step.dataset.total = String(n);
    els.scrub.max = String(n);
    els.scrub.value = String(step);
    els.scrub.setAttribute('aria-valuetext', t('race.stepOf', { step, n }));
  }

  function setPlaying(playing) {
    els.play.setAttribute('aria-pressed', String(playing));
    const atEnd = race && step >= race.n;
    els.play.textContent = t(playing ? 'race.pause' : atEnd ? 'race.replay' : 'race.play');
  }

  function goTo(next) {
    step = Math.max(0, Math.min(next, race?.n ?? 0));
    if (race) showStep(els.chart, race.paths, step);
    showCounter();
  }

  function pause() {
    cancelAnimationFrame(frame);
    frame = 0;
    setPlaying(false);
  }

  /** Play from the current step (from the start when at the end), time-based so slow machines just skip steps. */
  function play() {
    if (!race) return;
    if (step >= race.n) goTo(0);
    if (reducedMotion.matches) {
      goTo(race.n);
      setPlaying(false);
      return;
    }
    cancelAnimationFrame(frame);
    const from = step;
    const began = performance.now();
    const tick = (now) => {
      const next = Math.min(race.n, from + Math.floor(((now - began) * race.n) / PLAY_MS));
      if (next !== step) goTo(next);
      if (step >= race.n) {
        frame = 0;
        setPlaying(false);
        return;
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    setPlaying(true);
  }

  function readNumber(input, ok) {
    const value = Number(input.value);
    const valid = input.value.trim() !== '' && Number.isFinite(value) && ok(value);
    input.toggleAttribute('aria-invalid', !valid);
    return valid ? value : null;
  }

  /** Ask the server for the race with the chosen surface, learning rate and steps, and play it. */
  async function run() {
    clearTimeout(typing);
    const surface = surfaces.find((s) => s.name === els.surface.value);
    const learningRate = readNumber(els.lr, (v) => v > 0 && v <= 10);
    const steps = readNumber(els.steps, (v) => Number.isInteger(v) && v >= 1 && v <= 2000);
    if (!surface || learningRate === null || steps === null) {
      setStatus('race.badInput');
      return;
    }
    const ticket = ++asked;
    setStatus('race.computing');
    try {
      const answer = await api.race({ surface: surface.name, learning_rate: learningRate, steps });
      if (ticket !== asked) return;
      pause();
      race = { surface, paths: answer.paths, steps, n: Math.max(...Object.values(answer.paths).map((p) => p.length - 1)) };
      step = 0;
      els.chart.dataset.learningRate = String(learningRate);
      els.chart.dataset.steps = String(steps);
      drawRace(els.chart, () => ({ surface: race.surface, paths: race.paths, step, label }));
      showCounter();
      const lost = Object.values(answer.paths).filter((p) => p.length - 1 < steps).length;
      setStatus(lost ? 'race.someDiverged' : null, { n: lost });
      play();
    } catch (error) {
      if (ticket !== asked) return;
      setStatus('race.failed', { message: error.message });
    }
  }

  function later() {
    clearTimeout(typing);
    typing = setTimeout(run, TYPING_MS);
  }

  els.surface.addEventListener('change', () => {
    els.lr.value = String(SUGGESTED_LR[els.surface.value] ?? 0.01);
    fillSurfaces();
    run();
  });
  els.lr.addEventListener('input', later);
  els.steps.addEventListener('input', later);
  els.play.addEventListener('click', () => (frame ? pause() : play()));
  els.scrub.addEventListener('input', () => {
    pause();
    goTo(Number(els.scrub.value));
  });

  els.lr.value = String(SUGGESTED_LR.ravine);
  els.steps.value = String(DEFAULT_STEPS);
  setPlaying(false);
  showCounter();

  return {
    /** Load the surfaces and run the first race, once (when the view is first shown). */
    show() {
      loading ??= api.surfaces().then(
        (list) => {
          surfaces = list;
          fillSurfaces();
          els.lr.value = String(SUGGESTED_LR[els.surface.value] ?? 0.01);
          return run();
        },
        (error) => {
          loading = null; // showing the view again tries again
          setStatus('race.failed', { message: error.message });
        },
      );
      return loading;
    },
    /** Stop animating while the view is hidden. */
    hide: pause,
    relabel() {
      fillSurfaces();
      setPlaying(Boolean(frame));
      showCounter();
      setStatus(status.key, status.params);
    },
  };
}
