/**
 * The page inside another page (an LMS iframe, or any `?embed=1` address): the
 * compact layout, the page's height sent to the parent as Canvas'
 * `lti.frameResize` message (Canvas, and hosts that listen for it, size the
 * frame to fit, so it never scrolls), and a link that opens the same set-up,
 * lesson and launch in a new window, for frames too small or too strict.
 */
import { withLaunch } from './launch.js';

/** Whether this page is inside a frame (a cross-origin parent that hides itself counts as one). */
function isFramed() {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

/** Post the page's height to the parent whenever it changes. */
function reportHeight() {
  let sent = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ subject: 'lti.frameResize', height }, '*');
  }).observe(document.body);
}

/**
 * Switch to the embedded layout when framed or asked to, and keep `openLink`
 * pointing at this page as a full window (same fragment, lesson and launch).
 * @param {HTMLAnchorElement} openLink
 */
export function setUpEmbedding(openLink) {
  const root = document.documentElement;
  if (isFramed()) root.dataset.embed = 'true';
  openLink.hidden = root.dataset.embed !== 'true';
  if (openLink.hidden) return;
  const refresh = () => {
    const url = withLaunch(new URL(location.href));
    url.searchParams.delete('embed');
    openLink.href = url.toString();
  };
  refresh();
  for (const type of ['pointerdown', 'focus', 'click']) openLink.addEventListener(type, refresh);
  if (isFramed()) reportHeight();
}
