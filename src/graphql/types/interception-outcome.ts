import type { InterceptionOutcome } from '../../domain/interception-outcome.ts';
import { builder } from '../builder.ts';
import { currentLoaders } from '../current-loaders.ts';
import { ErrorTypeEnum } from './error-type.ts';
import { InterceptionRef } from './interception.ts';
import { ThreadRef } from './thread.ts';

/**
 * The upstream error and Agent Firewall position of interceptions and threads (a thread shows
 * its root's, as Coder's session detail does). Null where not recorded, and always over a
 * database older than these columns.
 */

type InterceptionError = NonNullable<InterceptionOutcome['error']>;
type FirewallPosition = NonNullable<InterceptionOutcome['firewall']>;

export const InterceptionErrorRef = builder.objectRef<InterceptionError>('InterceptionError').implement({
  description: 'The terminal upstream error of a failed request.',
  fields: (t) => ({
    type: t.expose('type', { type: ErrorTypeEnum, description: 'What kind of failure.' }),
    message: t.exposeString('message', { nullable: true, description: "The provider's error message, as recorded (at most 1024 characters)." }),
  }),
});

export const FirewallPositionRef = builder.objectRef<FirewallPosition>('AgentFirewallPosition').implement({
  description: 'Where a request sits in the event stream of the Agent Firewall session it went through.',
  fields: (t) => ({
    sessionId: t.expose('sessionId', { type: 'UUID', description: 'The Agent Firewall (boundary) session.' }),
    sequenceNumber: t.exposeInt('sequenceNumber', { nullable: true, description: "The request's position in that session's events." }),
  }),
});

builder.objectFields(InterceptionRef, (t) => ({
  error: t.field({
    type: InterceptionErrorRef,
    nullable: true,
    description: 'The upstream error when the request failed; null on success.',
    resolve: async (i, _args, ctx) => (await currentLoaders(ctx).outcomes.load(i.id)).error,
  }),
  agentFirewall: t.field({
    type: FirewallPositionRef,
    nullable: true,
    description: 'The Agent Firewall session the request went through; null when none.',
    resolve: async (i, _args, ctx) => (await currentLoaders(ctx).outcomes.load(i.id)).firewall,
  }),
}));

builder.objectFields(ThreadRef, (t) => ({
  error: t.field({
    type: InterceptionErrorRef,
    nullable: true,
    description: "The root's upstream error (REST `error_type`, `error_message`); null on success.",
    resolve: async (th, _args, ctx) => (await currentLoaders(ctx).outcomes.load(th.id)).error,
  }),
  agentFirewall: t.field({
    type: FirewallPositionRef,
    nullable: true,
    description: "The root's Agent Firewall position (REST `agent_firewall_session_id`, `agent_firewall_sequence_number`).",
    resolve: async (th, _args, ctx) => (await currentLoaders(ctx).outcomes.load(th.id)).firewall,
  }),
}));
