/**
 * How a lesson's goal, a run's verdict and the class table read, in the page's
 * language. The numbers are the server's own (measured on held-out data when
 * the run ended); nothing here decides whether a goal is met.
 */
import { t } from './i18n.js';

const percent = (v) => `${(v * 100).toFixed(1)}%`;
const loss = (v) => Number(v).toPrecision(3);

/** A goal value as the metric shows it: accuracies in percent, the loss as a number. */
export function formatValue(metric, value) {
  if (value == null) return '—';
  return metric === 'test_loss' ? loss(value) : percent(value);
}

/** "Goal: test accuracy of at least 95.0% (at most 25,000 parameters)". */
export function describeGoal(goal) {
  const target = formatValue(goal.metric, goal.metric === 'test_loss' ? goal.at_most : goal.at_least);
  const text = t(`lesson.goal.${goal.metric}`, { target });
  return goal.max_parameters ? `${text} ${t('lesson.goal.maxParameters', { n: goal.max_parameters.toLocaleString() })}` : text;
}

/**
 * The verdict on one lesson run (a row of GET /api/lessons/{id}/results), or
 * null when there is none yet.
 */
export function describeRun(run, goal) {
  if (!run) return null;
  if (!run.evaluated) return t('lesson.checking');
  const value = formatValue(goal.metric, run.value);
  if (run.met) return run.passback === 'posted' ? `${t('lesson.met', { value })} ${t('lesson.gradeSent')}` : t('lesson.met', { value });
  if (run.status !== 'completed') return t('lesson.incomplete');
  if (goal.max_parameters && run.parameters > goal.max_parameters) {
    return t('lesson.tooManyParameters', { n: run.parameters.toLocaleString(), max: goal.max_parameters.toLocaleString() });
  }
  return t('lesson.notMet', { value });
}

function cell(tag, text, column) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (column) el.dataset.column = column;
  return el;
}

/** Fill `table` with the instructor's class view: who reached the goal, runs, best value. */
export function renderClassTable(table, learners, goal) {
  const caption = document.createElement('caption');
  caption.className = 'visually-hidden';
  caption.textContent = t('lesson.classTitle');
  const head = document.createElement('tr');
  head.append(...['learner', 'runs', 'met', 'best'].map((key) => {
    const th = cell('th', t(`lesson.class.${key}`));
    th.scope = 'col';
    return th;
  }));
  const rows = learners.map((who) => {
    const tr = document.createElement('tr');
    tr.dataset.met = String(who.met);
    tr.dataset.testid = 'lesson-class-row';
    tr.append(cell('td', who.name ?? who.sub ?? '—', 'learner'), cell('td', String(who.runs), 'runs'),
      cell('td', t(who.met ? 'lesson.yes' : 'lesson.no'), 'met'), cell('td', formatValue(goal.metric, who.best_value), 'best'));
    return tr;
  });
  if (!rows.length) {
    const none = document.createElement('tr');
    const empty = cell('td', t('lesson.class.empty'));
    empty.colSpan = 4;
    none.append(empty);
    rows.push(none);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  tbody.append(...rows);
  table.replaceChildren(caption, thead, tbody);
}
