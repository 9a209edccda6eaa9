// The console's entry point: sign-in with the admin token, a hash router over the pages, and the
// navigation state. Every page renders into #page and may return a cleanup function.
import { api, session } from './api.js';
import { clearToast, h } from './ui.js';
import { renderOverview } from './pages/overview.js';
import { renderKeys } from './pages/keys.js';
import { renderGroups } from './pages/groups.js';
import { renderChannels } from './pages/channels.js';
import { renderUsage } from './pages/usage.js';
import { renderCompaction } from './pages/compaction.js';
import { renderAudit } from './pages/audit.js';

const PAGES = {
  overview: { title: 'Overview', render: renderOverview },
  keys: { title: 'Keys', render: renderKeys },
  groups: { title: 'Groups', render: renderGroups },
  channels: { title: 'Channels', render: renderChannels },
  usage: { title: 'Usage', render: renderUsage },
  compaction: { title: 'Compaction', render: renderCompaction },
  audit: { title: 'Audit log', render: renderAudit },
};

const els = {
  nav: document.getElementById('nav'),
  signIn: document.getElementById('sign-in'),
  signInForm: document.getElementById('sign-in-form'),
  signInError: document.getElementById('sign-in-error'),
  tokenInput: document.getElementById('admin-token'),
  signOut: document.getElementById('sign-out'),
  page: document.getElementById('page'),
  main: document.getElementById('main'),
};

let cleanup = null;

function showSignIn(message = '') {
  if (cleanup) cleanup();
  cleanup = null;
  els.page.replaceChildren();
  els.nav.hidden = true;
  els.signOut.hidden = true;
  els.signIn.hidden = false;
  els.signInError.textContent = message;
  document.title = 'Sign in · compact-relay console';
  els.tokenInput.focus();
}

function route() {
  if (!session.token) {
    showSignIn();
    return;
  }
  const name = (location.hash.replace(/^#\/?/, '').split('?')[0] || 'overview');
  const page = PAGES[name] ?? PAGES.overview;
  els.signIn.hidden = true;
  els.nav.hidden = false;
  els.signOut.hidden = false;
  for (const link of els.nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page.title} · compact-relay console`;
  if (cleanup) cleanup();
  clearToast();
  const container = h('div', { class: 'page', dataset: { page: name } });
  els.page.replaceChildren(container);
  cleanup = page.render(container) ?? null;
}

els.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = els.tokenInput.value.trim();
  if (!token) {
    els.signInError.textContent = 'Enter the admin token.';
    return;
  }
  const button = els.signInForm.querySelector('button');
  button.disabled = true;
  els.signInError.textContent = '';
  try {
    await api('GET', '/me', undefined, token);
    session.set(token);
    els.tokenInput.value = '';
    if (!location.hash || location.hash === '#/') location.hash = '#/overview';
    route();
    els.main.focus();
  } catch (err) {
    els.signInError.textContent = err.status === 401 ? 'That is not the admin token (API keys do not work here).' : err.message;
  } finally {
    button.disabled = false;
  }
});

els.signOut.addEventListener('click', () => {
  session.clear();
  showSignIn();
});

window.addEventListener('console:signed-out', () => {
  session.clear();
  showSignIn('The admin token was refused; sign in again.');
});
window.addEventListener('hashchange', route);
route();
