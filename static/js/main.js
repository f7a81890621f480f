/**
 * Start-up and wiring: loads what the server offers, builds the set-up from
 * the link (or the defaults), and connects the settings, the designer, the
 * live training, the run comparison, the run's diagnostics, the sweeps, the
 * lessons (with a course launch's token and the embedded layout), the draw tab
 * and the "why it learns" tab (optimizer race, activations) to one state object.
 */
import { api } from './api.js';
import { createCatalog } from './registry.js';
import { defaultState, encodeSetup, fromRequest, requestFromUrl, switchDataset, toRequest, urlWithSetup } from './state.js';
import { analyseNetwork } from './shapes.js';
import { clearErrors, locToPath, setPath, showErrors } from './form.js';
import { renderSettings, STRUCTURAL_PATHS } from './settings.js';
import { createDesigner } from './designer.js';
import { createRuns } from './runs.js';
import { createTraining } from './training.js';
import { createDrawView } from './draw.js';
import { createLookInside } from './lookinside.js';
import { createExplorer } from './explorer.js';
import { createCorrections } from './corrections.js';
import { createDiagnostics } from './diagnostics.js';
import { createSweep } from './sweep.js';
import { createRace } from './race.js';
import { createActivations } from './activations.js';
import { redrawAll } from './charts.js';
import { readLaunchFromUrl } from './launch.js';
import { setUpEmbedding } from './embed.js';
import { applyConstraints, FREE } from './constraints.js';
import { createLessons } from './lessons.js';
import { createSnippet } from './snippet.js';
import { applyTranslations, dictionaries, getLocale, initialLocale, onLocaleChange, setLocale, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
/** Elements by id, keyed by their camel-cased id ("train-start" → trainStart). */
const byIds = (ids) => Object.fromEntries(ids.map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

function setUpLocalePicker() {
  const picker = $('locale-select');
  picker.replaceChildren(...Object.entries(dictionaries).map(([tag, dict]) => new Option(dict['locale.name'], tag)));
  setLocale(initialLocale());
  picker.value = getLocale();
  picker.addEventListener('change', () => setLocale(picker.value));
  onLocaleChange((locale) => (picker.value = locale)); // also when a course launch sets the language
}

/** The three views as ARIA tabs; each has its own address (/, /draw, /learn) that keeps the set-up fragment. */
function setUpTabs(onShow) {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  function show(view, push) {
    for (const tab of tabs) {
      const selected = tab.dataset.viewTab === view;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !selected;
      if (selected && push && location.pathname !== tab.dataset.path) {
        history.pushState(null, '', tab.dataset.path + location.hash);
      }
    }
    document.documentElement.dataset.view = view;
    onShow(view);
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => show(tab.dataset.viewTab, true));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      show(next.dataset.viewTab, true);
    });
  });
  const viewOf = (path) => tabs.find((tab) => tab.dataset.path !== '/' && path.startsWith(tab.dataset.path))?.dataset.viewTab ?? 'playground';
  addEventListener('popstate', () => show(viewOf(location.pathname), false));
  const initial = document.documentElement.dataset.view;
  show(tabs.some((tab) => tab.dataset.viewTab === initial) ? initial : 'playground', false);
}

async function main() {
  readLaunchFromUrl();
  setUpEmbedding($('open-window'));
  applyTranslations();
  setUpLocalePicker();
  let registry, optimizers, datasets, presets, limits;
  try {
    [registry, optimizers, datasets, presets, limits] = await Promise.all([
      api.registry(), api.optimizers(), api.datasets(), api.presets(), api.limits()]);
  } catch (error) {
    $('run-error').hidden = false;
    $('run-error').textContent = t('errors.load', { message: error.message });
    return;
  }
  const catalog = createCatalog({ registry, optimizers, datasets, limits });
  /** The link's set-up: it also wins over the defaults of the lesson the page opens with. */
  let fromLink = requestFromUrl();
  let state = fromLink ? fromRequest(fromLink) : defaultState();
  /** The open lesson's locked paths and hidden controls. */
  let constraints = FREE;
  /** The id of the run shown live (its `done` asks the lesson panel for the verdict). */
  let liveRunId = null;
  let analysis = null;
  /** @type {import('./settings.js').SettingsContext} */
  const settingsContext = { corrections: null };
  /** @type {ReturnType<typeof createSweep>|null} created below; told when the set-up changes */
  let sweep = null;

  const settingsRoot = $('settings');
  const playground = $('view-playground');
  const networkPanel = $('layers').closest('section');
  const constrain = () => [settingsRoot, networkPanel].forEach((root) => applyConstraints(root, constraints));
  const inputShape = () => catalog.dataset(state.dataset)?.input_shape ?? null;

  function changed() {
    analysis = analyseNetwork(inputShape(), state.network.layers, catalog.limits);
    clearErrors(settingsRoot);
    designer.showAnalysis(inputShape(), analysis);
    history.replaceState(null, '', urlWithSetup(toRequest(state, catalog)));
    sweep?.baseChanged();
    constrain();
  }

  function renderAll() {
    renderSettings(settingsRoot, state, catalog, onField, settingsContext);
    designer.render(state, catalog);
    changed();
  }

  function onField(path, value) {
    if (path === 'dataset') {
      state = switchDataset(state, value, catalog);
      training.showFiguresFor(state.dataset, state.network.layers);
      renderAll();
      return;
    }
    setPath(state, path, value);
    if (STRUCTURAL_PATHS.has(path)) renderSettings(settingsRoot, state, catalog, onField, settingsContext);
    changed();
  }

  function load(request) {
    state = fromRequest(request);
    training.showFiguresFor(state.dataset, state.network.layers);
    renderAll();
  }

  const designer = createDesigner(
    { layers: $('layers'), list: $('layer-list'), diagram: $('network-diagram'), addBar: $('layer-add'), total: $('network-params') },
    {
      onField,
      onLayers(layers) {
        state.network.layers = layers;
        designer.render(state, catalog);
        changed();
      },
    },
  );

  const runs = createRuns($('runs-list'), {
    onChange: () => {
      training.redrawCurves();
      if (document.documentElement.dataset.view === 'draw') draw.refreshModels();
    },
    onLoad: load,
  });

  const diagnostics = createDiagnostics({
    empty: $('insight-empty'),
    content: $('insight-content'),
    ...byIds(['gradient-field', 'gradient-chart', 'histogram-epoch', 'histogram-epoch-value', 'histogram-chart',
      'results-note', 'confusion-box', 'confusion-matrix', 'roc-box', 'roc-chart', 'misclassified-box', 'misclassified-gallery']),
  });
  diagnostics.relabel();

  const training = createTraining(
    byIds(['train-start', 'train-pause', 'train-stop', 'epoch-counter', 'epoch-total', 'train-progress', 'run-status',
      'run-error', 'run-stats', 'loss-chart', 'accuracy-chart', 'time-chart', 'decision-boundary', 'boundary-box',
      'line-chart', 'line-box', 'loss-surface', 'surface-box', 'accuracy-box', 'feature-maps', 'feature-maps-box']),
    {
      prepare: currentRequest,
      onRefused(error) {
        const detail = Array.isArray(error.detail) ? error.detail : [];
        const tags = new Set(catalog.names('layer_types'));
        showErrors(playground, detail.map((d) => ({ path: locToPath(d.loc, tags), message: d.msg })));
      },
      runs,
      catalog,
      onRunStart(id, request) {
        liveRunId = id;
        diagnostics.start(request);
      },
      onRunEvent(event) {
        diagnostics.event(event);
        if (event.type === 'done') lessons.runEnded(liveRunId);
      },
      submit: (request) => lessons.submit(request),
    },
  );

  /** The set-up as a request, or null (with the problem shown at the layers) when it cannot run. */
  function currentRequest() {
    if (analysis?.valid) return toRequest(state, catalog);
    const layers = $('layers');
    (layers.querySelector('[aria-invalid=true]') ?? layers.querySelector('.invalid select'))?.focus();
    return null;
  }

  sweep = createSweep(
    { form: $('sweep-form'), start: $('sweep-start'), count: $('sweep-count'), status: $('sweep-status'),
      table: $('sweep-table'), chart: $('sweep-chart'), results: $('sweep-results') },
    {
      base: () => (analysis?.valid ? toRequest(state, catalog) : null),
      submitBase: currentRequest,
      onLoad(request) {
        load(request);
        $('setup-title').scrollIntoView({ block: 'start', behavior: 'smooth' });
      },
      maxRuns: catalog.limits.max_sweep_runs ?? null,
    },
  );
  const race = createRace(
    { surface: $('race-surface'), lr: $('race-lr'), steps: $('race-steps'), play: $('race-play'), step: $('race-step'),
      scrub: $('race-scrub'), chart: $('race-chart'), status: $('race-status'), about: $('race-about') },
  );
  const activations = createActivations(
    { gallery: $('activation-gallery'), activation: $('dist-activation'), init: $('dist-init'),
      chart: $('activation-distribution'), summary: $('dist-summary'), status: $('acts-status') },
    { inits: catalog.names('inits') },
  );

  const lookInside = createLookInside(
    { content: $('inside-content'), layers: $('inspect-layers'), saliency: $('saliency-map'), target: $('saliency-class'),
      caption: $('saliency-caption'), empty: $('inside-empty') },
    { onExplain: () => draw.again() },
  );
  const explorer = createExplorer(
    { kernel: $('explorer-kernel'), custom: $('explorer-custom'), status: $('explorer-status'),
      featureMap: $('explorer-feature-map'), relu: $('explorer-relu'), pooled: $('explorer-pooled'),
      flattened: $('explorer-flattened') },
  );
  const corrections = createCorrections(
    { markWrong: $('mark-wrong'), picker: $('correct-picker'), digits: $('correct-digits'), cancel: $('correct-cancel'),
      status: $('corrections-status'), count: $('corrections-count'), gallery: $('corrections-gallery') },
    {
      onCount(n) {
        settingsContext.corrections = n;
        if (state.dataset !== 'mnist') return;
        renderSettings(settingsRoot, state, catalog, onField, settingsContext);
        constrain();
      },
    },
  );
  const draw = createDrawView(
    { canvas: $('draw-canvas'), undo: $('draw-undo'), clear: $('draw-clear'), model: $('draw-model'),
      label: $('prediction-label'), status: $('draw-status'), chart: $('prediction-chart'), seen: $('draw-seen') },
    {
      runs,
      target: () => lookInside.target(),
      onAnswer(answer) {
        lookInside.show(answer);
        explorer.setDigit(answer?.pixels ?? null);
        corrections.setDigit(answer);
      },
    },
  );

  const presetSelect = $('preset-select');
  const lessons = createLessons(
    { select: $('lesson-select'), pick: $('lesson-pick'), who: $('lesson-who'), notice: $('lesson-notice'),
      body: $('lesson-body'), title: $('lesson-title'), explanation: $('lesson-explanation'), goal: $('lesson-goal'),
      result: $('lesson-result'), classBox: $('lesson-class'), classTable: $('lesson-class-table'),
      refresh: $('lesson-class-refresh'), deepLink: $('lesson-deep-link'), tune: $('lesson-tune'),
      tuneTarget: $('lesson-tune-target'), tuneTargetLabel: $('lesson-tune-target-label'),
      tuneParams: $('lesson-tune-params') },
    {
      onEnter(lesson) {
        constraints = { locked: lesson.locked, hidden: lesson.hidden_controls };
        presetSelect.disabled = true; // a preset would replace locked fields
        load(fromLink ?? lesson.request);
        fromLink = null;
      },
      onLeave() {
        constraints = FREE;
        presetSelect.disabled = false;
        renderAll();
      },
    },
  );
  const snippet = createSnippet(
    { button: $('embed-button'), box: $('embed-box'), code: $('embed-code'), status: $('embed-status') },
    { setup: () => encodeSetup(toRequest(state, catalog)), lesson: () => lessons.current()?.id ?? null },
  );
  function fillPresets() {
    presetSelect.replaceChildren(new Option(t('setup.choosePreset'), ''), ...presets.map((p) => new Option(p.title, p.id)));
  }
  presetSelect.addEventListener('change', () => {
    const preset = presets.find((p) => p.id === presetSelect.value);
    if (preset) load(preset.request);
  });

  $('copy-link').addEventListener('click', async () => {
    const url = urlWithSetup(toRequest(state, catalog));
    try {
      await navigator.clipboard.writeText(url);
      $('copy-status').textContent = t('setup.copied');
    } catch {
      $('copy-status').textContent = t('setup.copyFailed', { url });
    }
  });

  addEventListener('hashchange', () => {
    const request = requestFromUrl();
    if (request && JSON.stringify(request) !== JSON.stringify(toRequest(state, catalog))) load(request);
  });

  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redrawAll);
  onLocaleChange(() => {
    fillPresets();
    renderAll();
    runs.render();
    training.relabel();
    draw.relabel();
    lookInside.relabel();
    explorer.relabel();
    corrections.relabel();
    diagnostics.relabel();
    sweep.relabel();
    race.relabel();
    activations.relabel();
    lessons.relabel();
    snippet.relabel();
    redrawAll();
  });

  fillPresets();
  training.showFiguresFor(state.dataset, state.network.layers);
  renderAll();
  training.redrawCurves();
  setUpTabs((view) => {
    if (view === 'draw') draw.refreshModels();
    if (view === 'learn') {
      race.show();
      activations.show();
    } else {
      race.hide();
    }
    requestAnimationFrame(redrawAll);
  });
  try {
    const session = await lessons.start();
    if (session?.language && session.language !== getLocale()) setLocale(session.language);
  } catch (error) {
    $('lesson-notice').hidden = false;
    $('lesson-notice').textContent = t('errors.load', { message: error.message });
  }
  fromLink = null;
  document.body.dataset.ready = 'true';
}

main();
