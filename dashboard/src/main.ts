import './style.css';
import type { GraphQLClient } from 'graphql-request';
import { createClient, errorMessage, forgetToken, isUnauthenticated, pageConfig, sessionHeaders, storedToken, storeToken } from './api';
import { failure, h, notice } from './dom';
import type { DashboardViewerQuery } from './generated/graphql';
import { durationChart } from './panels/durations';
import { filterBar } from './panels/filters';
import { livePanel } from './panels/live';
import { emptyState, overTimeCharts, totalsCards } from './panels/overview';
import { sessionDetail, sessionsPanel } from './panels/sessions';
import { toolsPanel } from './panels/tools';
import { topTables } from './panels/top';
import { DurationsQuery, OverviewQuery, ToolsQuery, TopQuery, ViewerQuery } from './queries';
import { bounds, bucketFor, readState, startOfToday, toFilter, writeState, type ViewState } from './url-state';

const config = pageConfig();
const listOf = (items: string[]) => new Intl.ListFormat('en', { type: 'conjunction' }).format(items);
const root = document.getElementById('app')!;

type Viewer = DashboardViewerQuery['viewer'];

/** The sign-in form: a Coder session token, pasted once and kept in this browser. */
function signIn(problem?: string) {
  document.body.dataset.state = 'signed-out';
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true, size: 40, 'aria-describedby': 'token-help' });
  root.replaceChildren(
    h(
      'form',
      {
        class: 'signin panel',
        onsubmit: (e) => {
          e.preventDefault();
          storeToken(input.value);
          void boot();
        },
      },
      h('h1', {}, 'AI Bridge usage'),
      problem ? h('p', { class: 'notice error', role: 'alert' }, problem) : null,
      h('label', { for: 'token' }, 'Coder session token'),
      input,
      h('p', { id: 'token-help', class: 'muted' }, 'Create one with ', h('code', {}, 'coder tokens create'), ' (or this gateway’s ', h('code', {}, 'token create'), '). It stays in this browser until you sign out.'),
      h('button', { type: 'submit' }, 'Sign in'),
    ),
  );
  input.focus();
}

class Dashboard {
  private state: ViewState = readState(location.search);
  private stopLive = () => {};
  private detailSlot = h('div', {});
  /** Bumped by each render, so an older render finishing late does not mark the page ready. */
  private generation = 0;

  constructor(
    private client: GraphQLClient,
    private viewer: Viewer,
  ) {
    history.replaceState(null, '', writeState(this.state));
    addEventListener('popstate', () => this.show(readState(location.search)));
  }

  navigate = (next: ViewState) => {
    history.pushState(null, '', writeState(next));
    this.show(next);
  };

  private show(next: ViewState) {
    const onlySession = writeState({ ...next, session: undefined }) === writeState({ ...this.state, session: undefined });
    this.state = next;
    if (onlySession) this.renderDetail();
    else this.render();
  }

  private renderDetail() {
    const id = this.state.session;
    const close = () => {
      this.navigate({ ...this.state, session: undefined });
      // Back to the row the session was opened from, when it is on the page.
      if (id) document.querySelector<HTMLElement>(`#sessions tr[data-session="${CSS.escape(id)}"] a`)?.focus();
    };
    this.detailSlot.replaceChildren(id ? sessionDetail(this.client, id, { timeZone: this.state.tz, close }) : '');
  }

  render() {
    this.stopLive();
    const generation = ++this.generation;
    const state = this.state;
    const now = new Date();
    const filter = toFilter(state, now);
    const { after, before } = bounds(state, now);
    const bucket = bucketFor(after, before);
    // What the page asked the API for, for whoever wants to check a figure (the browser test does).
    document.body.dataset.filter = JSON.stringify(filter);
    document.body.dataset.bucket = bucket;
    document.body.dataset.state = 'loading';

    const signOut = config.headers
      ? h('span', { class: 'muted' }, 'demo owner (embedded demo)')
      : h('button', { type: 'button', onclick: () => (forgetToken(), signIn()) }, 'Sign out');
    const header = h(
      'header',
      {},
      h('h1', {}, 'AI Bridge usage'),
      h('span', { class: 'who' }, 'Signed in as ', h('strong', { id: 'viewer' }, this.viewer.username), ' · ', signOut, ' · ', h('a', { href: '/graphql' }, 'GraphiQL')),
    );
    const overview = h('div', { id: 'overview' }, notice('loading', 'Loading usage…'));
    const charts = h('div', { class: 'grid2', id: 'over-time' });
    const top = h('div', { class: 'grid3' });
    const perf = h('div', { class: 'grid2' });
    const tools = h('div', { id: 'tools-slot' });
    // One alert at the top for what failed (usually one cause for every panel: the gateway is
    // down, or the view's input was refused), saying why and what to do; each panel says it is missing.
    const problems = h('div', { id: 'page-error' });
    const failedPanels = new Map<string, Set<string>>();
    const failed = (slot: HTMLElement, what: string) => (err: unknown) => {
      if (isUnauthenticated(err)) return signIn('Your session has ended or its token was revoked; sign in again.');
      slot.replaceChildren(h('p', { class: 'notice error' }, `${what} could not be loaded (see above).`));
      const message = errorMessage(err);
      failedPanels.set(message, (failedPanels.get(message) ?? new Set()).add(what));
      problems.replaceChildren(failure([...failedPanels].map(([m, panels]) => `${listOf([...panels])} could not be loaded: ${m}`), () => this.render()));
    };
    const sessions = sessionsPanel(this.client, {
      // A relative range ends now: when live updates reload the table, "now" has moved on.
      filter: () => (state.range === 'custom' ? filter : toFilter(state, new Date())),
      timeZone: state.tz,
      sessionHref: (id) => writeState({ ...this.state, session: id }),
      open: (id) => this.navigate({ ...this.state, session: id }),
      failed,
    });
    const live = livePanel(this.client, { filter, todayStart: startOfToday(state.tz, now), timeZone: state.tz, headers: sessionHeaders(config), onEnded: () => void sessions.reloadIfFirstPage(), failed });
    this.stopLive = live.stop;
    // A keyboard user who changed a filter keeps their place: the control they used is focused again.
    const focused = root.contains(document.activeElement) ? document.activeElement?.id : undefined;
    root.replaceChildren(header, filterBar(this.client, state, this.navigate), problems, live.element, overview, charts, top, perf, tools, this.detailSlot, sessions.element);
    if (focused) document.getElementById(focused)?.focus();
    this.renderDetail();

    void Promise.allSettled([
      this.client.request(OverviewQuery, { filter, bucket, timeZone: state.tz, stack: [state.stack === 'model' ? 'MODEL' : 'PROVIDER'] }).then((data) => {
        overview.replaceChildren(...(data.summary.totals.requests ? [] : [emptyState(state, this.navigate)]), totalsCards(data.summary.totals));
        charts.replaceChildren(...overTimeCharts(data.overTime.groups, { stack: state.stack, timeZone: state.tz, bucket }));
      }, failed(overview, 'Usage')),
      this.client.request(TopQuery, { filter }).then((data) => top.replaceChildren(...topTables(data)), failed(top, 'Rankings')),
      this.client.request(DurationsQuery, { filter }).then((d) => perf.replaceChildren(durationChart(d.usage.groups)), failed(perf, 'Durations')),
      this.client.request(ToolsQuery, { filter }).then((d) => tools.replaceChildren(toolsPanel(d)), failed(tools, 'Tool failures')),
    ]).then(() => {
      // After the charts' first frame: they draw in requestAnimationFrame.
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          if (generation === this.generation) document.body.dataset.state = 'ready';
        }),
      );
    });
  }
}

async function boot() {
  root.replaceChildren(notice('loading', 'Loading…'));
  const client = createClient(config);
  try {
    const { viewer } = await client.request(ViewerQuery);
    new Dashboard(client, viewer).render();
  } catch (err) {
    if (!isUnauthenticated(err)) {
      root.replaceChildren(failure([`The dashboard could not start: ${errorMessage(err)}`], () => void boot()));
      return;
    }
    const refused = storedToken() !== undefined;
    if (refused) forgetToken();
    // The API's own message ("sign in again") would only repeat the form: say what to check instead.
    signIn(refused ? 'That token was refused. Check that you pasted all of it and that it has not expired or been revoked, or create a new one (below).' : undefined);
  }
}

void boot();
