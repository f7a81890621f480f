/**
 * The lesson panel: pick a lesson (or open one from `?lesson=` or a course
 * launch), read its explanation and goal, train with its locked and hidden
 * controls, and see the server's verdict once a run ends. A course launch also
 * says who is here: an instructor sees the class table, and in a deep-linking
 * launch can tune the lesson's goal and add the lesson to the course.
 */
import { api, ApiError } from './api.js';
import { forgetLaunch, launchToken } from './launch.js';
import { getLocale, t } from './i18n.js';
import { describeGoal, describeRun, renderClassTable } from './lessonview.js';

const URL_PARAM = 'lesson';
const POLL_MS = 500;
const POLL_TRIES = 60;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The course launch of this tab: {session} from the server, or {expired} when the token is refused. */
async function courseLaunch() {
  if (!launchToken()) return { session: null, expired: false };
  try {
    return { session: await api.ltiSession(), expired: false };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    forgetLaunch();
    return { session: null, expired: true };
  }
}

/** The goal's threshold field: accuracies are reached `at_least`, the test loss `at_most`. */
const boundOf = (goal) => (goal.metric === 'test_loss' ? 'at_most' : 'at_least');

/** The instructor's tuning of `goal` from the deep-linking fields (the metric stays the lesson's). */
function tunedGoal(goal, target, maxParameters) {
  const tuned = { metric: goal.metric, [boundOf(goal)]: Number(target) };
  if (maxParameters !== '') tuned.max_parameters = Number(maxParameters);
  return tuned;
}

/** Keep the open lesson in the address (so a reload or a copied link opens it again). */
function rememberInUrl(id) {
  const url = new URL(location.href);
  if (id) url.searchParams.set(URL_PARAM, id);
  else url.searchParams.delete(URL_PARAM);
  history.replaceState(history.state, '', url);
}

/**
 * @param {object} els  the lesson panel's elements (see playground.html)
 * @param {{onEnter: (lesson: object) => void, onLeave: () => void}} handlers
 *   onEnter loads the lesson's request and applies its constraints; onLeave lifts them
 */
export function createLessons(els, { onEnter, onLeave }) {
  let lesson = null;
  let session = null;
  let latest = null; // the newest of this learner's runs of the lesson
  let learners = null; // the class table (instructors only)
  let notice = null; // {key, params}
  /** lesson run id → lesson id, for the runs started here */
  const started = new Map();

  function setNotice(key, params = {}) {
    notice = key ? { key, params } : null;
    render();
  }

  function render() {
    const lang = getLocale();
    els.notice.hidden = !notice;
    els.notice.textContent = notice ? t(notice.key, notice.params) : '';
    els.who.hidden = !session;
    if (session) {
      els.who.textContent = t(`lesson.who.${session.role}`, { name: session.user_name ?? session.user_id,
        course: session.context?.title ?? session.context?.label ?? '' });
    }
    // launched into a lesson: the course chose it; otherwise students may browse
    els.pick.hidden = Boolean(session?.lesson && lesson?.id === session.lesson);
    els.body.hidden = !lesson;
    els.tune.hidden = !(lesson && session?.deep_linking && session.role === 'instructor');
    els.classBox.hidden = !(lesson && learners);
    if (!lesson) return;
    els.title.textContent = lesson.titles[lang] ?? lesson.title;
    els.explanation.textContent = lesson.explanations[lang] ?? lesson.explanation;
    els.goal.textContent = describeGoal(lesson.goal);
    els.tuneTargetLabel.textContent = t(`lesson.tune.${boundOf(lesson.goal)}`);
    els.result.textContent = describeRun(latest, lesson.goal) ?? '';
    els.result.dataset.met = latest?.evaluated ? String(Boolean(latest.met)) : '';
    if (learners) renderClassTable(els.classTable, learners, lesson.goal);
  }

  async function fillPicker() {
    const list = await api.lessons(getLocale());
    els.select.replaceChildren(new Option(t('lesson.none'), ''), ...list.map((item) => new Option(item.title, item.id)));
    els.select.value = lesson?.id ?? '';
  }

  /** Run an API step; a failure becomes the panel's notice rather than an unhandled rejection. */
  async function attempt(step, key) {
    try {
      return await step();
    } catch (error) {
      setNotice(key, { message: error.message });
      return null;
    }
  }

  /** Read this learner's verdicts (and the class table) anew; the answer, or null on failure. */
  function refreshResults() {
    if (!lesson) return null;
    return attempt(async () => {
      const answer = await api.lessonResults(lesson.id);
      latest = answer.runs[0] ?? null;
      learners = answer.class;
      render();
      return answer;
    }, 'lesson.resultsFailed');
  }

  async function enter(id) {
    try {
      lesson = await api.lesson(id);
    } catch (error) {
      lesson = null;
      els.select.value = '';
      setNotice(error instanceof ApiError && error.status === 404 ? 'lesson.unknown' : 'lesson.loadFailed',
        { id, message: error.message });
      return;
    }
    if (notice?.key !== 'lesson.expired') notice = null;
    latest = null;
    learners = null;
    els.select.value = id;
    if (!session) rememberInUrl(id);
    els.tuneTarget.value = lesson.goal[boundOf(lesson.goal)];
    els.tuneTarget.max = boundOf(lesson.goal) === 'at_least' ? '1' : '';
    els.tuneParams.value = lesson.goal.max_parameters ?? '';
    onEnter(lesson);
    render();
    await refreshResults();
  }

  function leave() {
    lesson = null;
    if (!session) rememberInUrl(null);
    onLeave();
    render();
  }

  els.select.addEventListener('change', () => (els.select.value ? enter(els.select.value) : leave()));
  els.refresh.addEventListener('click', refreshResults);
  els.deepLink.addEventListener('click', async () => {
    try {
      if (!els.tuneTarget.reportValidity() || !els.tuneParams.reportValidity()) return;
      const goal = tunedGoal(lesson.goal, els.tuneTarget.value, els.tuneParams.value);
      const page = await api.deepLink({ lesson: lesson.id, title: lesson.titles[getLocale()] ?? lesson.title, goal });
      document.open(); // the platform's return page replaces this one, as deep linking expects
      document.write(page);
      document.close();
    } catch (error) {
      setNotice('lesson.deepLinkFailed', { message: error.message });
    }
  });

  return {
    /** Load the course launch and the lessons, then open the launch's lesson or `?lesson=`. */
    async start() {
      const launch = await courseLaunch();
      session = launch.session;
      if (launch.expired) setNotice('lesson.expired');
      await fillPicker();
      const wanted = session?.lesson ?? new URL(location.href).searchParams.get(URL_PARAM);
      if (wanted) await enter(wanted);
      else render();
      return session;
    },
    /** The open lesson, or null in free play. */
    current: () => lesson,
    /** Start a run: a lesson run while a lesson is open (so the server checks its goal). */
    async submit(request) {
      if (!lesson) return api.startRun(request);
      const answer = await api.startLessonRun(lesson.id, request);
      started.set(answer.run_id, lesson.id);
      return answer;
    },
    /** A run ended: wait for the server's verdict on it (and, in a course, the grade's fate). */
    async runEnded(runId) {
      const stillOpen = () => lesson !== null && started.get(runId) === lesson.id;
      if (!stillOpen()) return;
      latest = { run_id: runId, evaluated: false };
      render();
      for (let i = 0; i < POLL_TRIES && stillOpen(); i++) {
        const answer = await refreshResults();
        if (!answer) return;
        const row = answer.runs.find((r) => r.run_id === runId);
        const graded = !row?.met || !session || row.passback != null;
        if (row?.evaluated && graded) return;
        await sleep(POLL_MS);
      }
    },
    /** Re-translate: the lesson's texts come in every language, the list is asked for again. */
    relabel() {
      render();
      return attempt(fillPicker, 'lesson.loadFailed');
    },
  };
}
