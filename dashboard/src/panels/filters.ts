import type { GraphQLClient } from 'graphql-request';
import { h } from '../dom';
import { FilterOptionsQuery } from '../queries';
import { FILTER_KEYS, isTimeZone, RANGES, type RangeKey, type ViewState } from '../url-state';

const LABELS: Record<(typeof FILTER_KEYS)[number], string> = { initiator: 'Initiator', provider: 'Provider', model: 'Model', client: 'Client' };

const dateInput = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

/**
 * The filter bar. Each control is one InterceptionFilter field (initiator, provider, model,
 * client; the range gives startedAfter/startedBefore), listed from what the API says the caller
 * may see. A change navigates: the URL is the state.
 */
export function filterBar(client: GraphQLClient, state: ViewState, navigate: (next: ViewState) => void): HTMLElement {
  const selects = Object.fromEntries(
    FILTER_KEYS.map((key) => [
      key,
      h('select', { id: `filter-${key}`, name: key, onchange: (e) => navigate({ ...state, session: undefined, [key]: (e.target as HTMLSelectElement).value || undefined }) }, h('option', { value: '' }, 'All'), state[key] ? h('option', { value: state[key], selected: true }, state[key]) : null),
    ]),
  ) as Record<(typeof FILTER_KEYS)[number], HTMLSelectElement>;

  void client.request(FilterOptionsQuery).then(
    (options) => {
      const lists: Record<(typeof FILTER_KEYS)[number], string[]> = {
        initiator: options.initiators.groups.flatMap((g) => (g.initiator ? [g.initiator.username] : [])),
        provider: options.providers.groups.flatMap((g) => (g.provider ? [g.provider] : [])),
        model: options.models,
        client: options.clients,
      };
      for (const key of FILTER_KEYS) {
        const values = [...new Set([...lists[key], ...(state[key] ? [state[key]] : [])])].sort();
        selects[key].replaceChildren(h('option', { value: '' }, 'All'), ...values.map((v) => h('option', { value: v, selected: v === state[key] }, v)));
      }
    },
    () => {
      // The lists only help choosing; the panels report the error that caused this.
    },
  );

  const from = h('input', { type: 'date', id: 'filter-from', value: dateInput(state.from), 'aria-label': 'From (first day)' });
  const to = h('input', { type: 'date', id: 'filter-to', value: dateInput(state.to), 'aria-label': 'To (last day)' });
  const applyCustom = () => {
    if (!from.value || !to.value) return;
    // Whole days in the view's time zone would need the zone's offsets; UTC days are exact and say so.
    const start = new Date(`${from.value}T00:00:00Z`);
    const end = new Date(`${to.value}T23:59:59.999Z`);
    if (end > start) navigate({ ...state, range: 'custom', from: start.toISOString(), to: end.toISOString(), session: undefined });
  };
  from.addEventListener('change', applyCustom);
  to.addEventListener('change', applyCustom);
  const custom = h('span', { class: 'custom-range', hidden: state.range !== 'custom' }, from, '–', to, h('small', {}, ' (UTC days)'));

  const range = h(
    'select',
    {
      id: 'filter-range',
      name: 'range',
      onchange: (e) => {
        const value = (e.target as HTMLSelectElement).value as RangeKey;
        if (value === 'custom') {
          custom.hidden = false;
          from.focus();
          return;
        }
        navigate({ ...state, range: value, from: undefined, to: undefined, session: undefined });
      },
    },
    ...Object.entries(RANGES).map(([key, label]) => h('option', { value: key, selected: key === state.range }, label)),
  );

  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const tz = h('input', {
    id: 'filter-tz',
    name: 'tz',
    list: 'time-zones',
    value: state.tz,
    size: 16,
    'aria-describedby': 'filter-tz-help',
    onchange: (e) => {
      const input = e.target as HTMLInputElement;
      const value = input.value.trim();
      // Said at the field, where it was typed: the page keeps the zone it has until a known one is given.
      input.setCustomValidity(value && !isTimeZone(value) ? `Unknown time zone “${value}”: use an IANA name such as Europe/Berlin.` : '');
      if (!input.reportValidity()) return;
      if (value && value !== state.tz) navigate({ ...state, tz: value });
    },
  });
  const stack = h(
    'select',
    { id: 'filter-stack', name: 'stack', onchange: (e) => navigate({ ...state, stack: (e.target as HTMLSelectElement).value === 'provider' ? 'provider' : 'model' }) },
    h('option', { value: 'model', selected: state.stack === 'model' }, 'model'),
    h('option', { value: 'provider', selected: state.stack === 'provider' }, 'provider'),
  );

  const field = (label: string, control: HTMLElement, ...extra: HTMLElement[]) => h('label', { class: 'field' }, h('span', {}, label), control, ...extra);
  return h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filters', onsubmit: (e) => e.preventDefault() },
    field('Range', range, custom),
    field('Time zone', tz, h('datalist', { id: 'time-zones' }, ...zones.map((z) => h('option', { value: z }))), h('small', { id: 'filter-tz-help', class: 'sr-only' }, 'An IANA name such as Europe/Berlin; press Enter to apply.')),
    ...FILTER_KEYS.map((key) => field(LABELS[key], selects[key])),
    field('Stack by', stack),
    h('a', { class: 'reset', href: '?' }, 'Reset'),
  );
}
