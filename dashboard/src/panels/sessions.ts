import type { GraphQLClient } from 'graphql-request';
import { errorMessage } from '../api';
import { figure, h, notice, type Failed } from '../dom';
import { count, dateTime, plural, tokens, usd } from '../format';
import type { DashboardSessionQuery, DashboardSessionsQueryVariables, InterceptionFilter } from '../generated/graphql';
import { SessionQuery, SessionsQuery } from '../queries';

const PAGE = 10;

interface Page {
  after?: string;
  before?: string;
}

/**
 * Recent sessions, most recently active first, paged with the API's Relay cursors (older: first +
 * after endCursor; newer: last + before startCursor). Each session links (?session=…) to its
 * threads and what the agents did in them.
 */
export function sessionsPanel(
  client: GraphQLClient,
  opts: { filter: () => InterceptionFilter; timeZone: string; sessionHref: (id: string) => string; open: (id: string) => void; failed: Failed },
): { element: HTMLElement; reloadIfFirstPage: () => Promise<void> } {
  const body = h('div', {}, notice('loading', 'Loading sessions…'));
  const element = h('section', { class: 'panel wide', id: 'sessions' }, h('h2', {}, 'Recent sessions'), body);
  let page: Page = {};
  let atFirst = true;

  const load = async (next: Page) => {
    try {
      const filter = opts.filter();
      const vars: DashboardSessionsQueryVariables = next.before ? { filter, last: PAGE, before: next.before } : { filter, first: PAGE, after: next.after };
      const { sessions } = await client.request(SessionsQuery, vars);
      page = next;
      atFirst = !sessions.pageInfo.hasPreviousPage;
      if (!sessions.edges.length) {
        body.replaceChildren(notice('empty', 'No sessions in this range and filter. Widen the range or clear a filter.'));
        return;
      }
      const pager = h(
        'nav',
        { class: 'pager', 'aria-label': 'Sessions pages' },
        h('button', { type: 'button', id: 'sessions-newer', disabled: !sessions.pageInfo.hasPreviousPage, onclick: () => void load({ before: sessions.pageInfo.startCursor ?? undefined }) }, '← Newer'),
        h('span', {}, figure('sessionCount', plural(sessions.totalCount, 'session'), sessions.totalCount)),
        h('button', { type: 'button', id: 'sessions-older', disabled: !sessions.pageInfo.hasNextPage, onclick: () => void load({ after: sessions.pageInfo.endCursor ?? undefined }) }, 'Older →'),
      );
      // Paging by keyboard keeps the focus on the button pressed (the other one at the last page).
      const focused = body.contains(document.activeElement) ? document.activeElement?.id : undefined;
      body.replaceChildren(
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...['Last active', 'User', 'Client', 'Models', 'Threads', 'Tokens in / out', 'Cost', 'Last prompt'].map((t, i) => h('th', { scope: 'col', class: i >= 4 && i <= 6 ? 'num' : undefined }, t)))),
            h(
              'tbody',
              {},
              ...sessions.edges.map(({ node: s }) =>
                h(
                  'tr',
                  { 'data-session': s.sessionId },
                  h('td', {}, h('a', { href: opts.sessionHref(s.sessionId), onclick: (e) => (e.preventDefault(), opts.open(s.sessionId)) }, dateTime(s.lastActiveAt, opts.timeZone))),
                  h('td', {}, s.initiator.username),
                  h('td', {}, s.client ?? 'Unknown'),
                  h('td', {}, s.models.join(', ')),
                  h('td', { class: 'num' }, count(s.threadCount)),
                  h('td', { class: 'num' }, `${tokens(s.tokenUsageSummary.inputTokens)} / ${tokens(s.tokenUsageSummary.outputTokens)}`),
                  h('td', { class: 'num' }, figure('cost', usd(s.cost.total), s.cost.total), s.cost.unpricedRequests ? h('span', { class: 'warn', title: 'some requests have no known price' }, ' *') : null),
                  h('td', { class: 'prompt' }, s.lastPrompt ?? ''),
                ),
              ),
            ),
          ),
        ),
        pager,
      );
      if (focused) (pager.querySelector<HTMLButtonElement>(`#${focused}:enabled`) ?? pager.querySelector<HTMLButtonElement>('button:enabled'))?.focus();
    } catch (err) {
      opts.failed(body, 'Sessions')(err);
    }
  };
  void load(page);
  // Only the first page changes when sessions become active (the list is newest first); a reader
  // paging through older ones keeps their page.
  return { element, reloadIfFirstPage: () => (atFirst ? load({}) : Promise.resolve()) };
}

type Thread = NonNullable<DashboardSessionQuery['session']>['threads']['edges'][number]['node'];

function threadView(t: Thread, timeZone: string): HTMLElement {
  return h(
    'li',
    { class: 'thread' },
    h(
      'div',
      { class: 'thread-head' },
      h('strong', {}, dateTime(t.startedAt, timeZone)),
      ` · ${t.provider} · ${t.model} · ${tokens(t.tokenUsage.inputTokens)} in / ${tokens(t.tokenUsage.outputTokens)} out · ${usd(t.cost.total)}`,
      t.error ? h('span', { class: 'warn' }, ` · failed: ${t.error.type}${t.error.message ? ` (${t.error.message})` : ''}`) : null,
    ),
    t.prompt ? h('blockquote', {}, t.prompt) : null,
    t.agenticActions.length
      ? h(
          'ol',
          { class: 'actions' },
          ...t.agenticActions.map((a) =>
            h(
              'li',
              {},
              h('span', { class: 'muted' }, a.model),
              ...a.thinking.map((th) => h('details', { class: 'thinking' }, h('summary', {}, 'Thinking'), h('p', {}, th.text))),
              h(
                'ul',
                { class: 'tools' },
                ...a.toolCalls.map((c) =>
                  h(
                    'li',
                    { class: c.invocationError ? 'failed' : undefined },
                    h('code', {}, c.tool),
                    c.injected ? h('span', { class: 'badge', title: c.serverUrl ?? '' }, 'MCP') : null,
                    c.invocationError ? h('span', { class: 'warn' }, ` failed: ${c.invocationError}`) : null,
                    h('details', {}, h('summary', {}, 'input'), h('pre', {}, c.input)),
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No tool calls in this thread.'),
  );
}

/** One session's threads (oldest first, 10 at a time) with their agentic actions. */
export function sessionDetail(client: GraphQLClient, id: string, opts: { timeZone: string; close: () => void }): HTMLElement {
  const list = h('ol', { class: 'threads' });
  const more = h('div', {}, notice('loading', 'Loading threads…'));
  const title = h('h2', { tabindex: -1 }, `Session ${id}`);
  const element = h('section', { class: 'panel wide', id: 'session-detail', 'aria-label': 'Session threads', onkeydown: (e) => (e as KeyboardEvent).key === 'Escape' && opts.close() }, h('button', { type: 'button', class: 'close', onclick: opts.close, 'aria-label': 'Close session' }, '×'), title, list, more);
  const load = async (after?: string) => {
    try {
      const { session } = await client.request(SessionQuery, { id, after });
      if (!session) {
        more.replaceChildren(notice('empty', 'No such session, or not one you may see.'));
        return;
      }
      if (!after) title.textContent = `Session ${session.sessionId} · ${session.initiator.username} · ${session.client ?? 'Unknown'} · ${plural(session.threadCount, 'thread')} · ${usd(session.cost.total)}`;
      list.append(...session.threads.edges.map((e) => threadView(e.node, opts.timeZone)));
      const { hasNextPage, endCursor } = session.threads.pageInfo;
      more.replaceChildren(hasNextPage ? h('button', { type: 'button', onclick: () => void load(endCursor ?? undefined) }, 'More threads') : '');
    } catch (err) {
      more.replaceChildren(notice('error', `The session could not be loaded: ${errorMessage(err)}`));
    }
  };
  void load().then(() => title.focus());
  return element;
}
