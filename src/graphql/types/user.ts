import type { Viewer } from '../../auth/viewer.ts';
import { isUuid } from '../../domain/interceptions.ts';
import { builder } from '../builder.ts';

export interface UserRow {
  id: string;
  username: string;
  name: string;
  avatarUrl: string;
}

export const UserRef = builder.objectRef<UserRow>('User');

builder.node(UserRef, {
  description: 'A Coder user: the initiator of interceptions.',
  id: { resolve: (u) => u.id },
  // A member may look up only themselves; owners and auditors anyone (soft-deleted included).
  loadMany: async (ids, { db, viewer }) => {
    const rows = await db.query<UserRow & { avatar_url: string }>(
      `SELECT id, username, name, avatar_url FROM users WHERE id = ANY($1::uuid[]) AND ($2 OR id = $3)`,
      [ids.filter(isUuid), viewer.seesAll, viewer.id],
    );
    const byId = new Map(rows.map((r) => [r.id, { id: r.id, username: r.username, name: r.name, avatarUrl: r.avatar_url }]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  },
  fields: (t) => ({
    uuid: t.expose('id', { type: 'UUID', description: "The user's UUID in Coder." }),
    username: t.exposeString('username', { description: 'Login name.' }),
    name: t.exposeString('name', { description: 'Display name; empty when unset.' }),
    avatarUrl: t.exposeString('avatarUrl', { description: 'Avatar URL; empty when unset.' }),
  }),
});

const toUser = (v: Viewer): UserRow => ({ id: v.id, username: v.username, name: v.name, avatarUrl: v.avatarUrl });

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    description: 'The authenticated caller.',
    resolve: (_root, _args, { viewer }) => toUser(viewer),
  }),
);
