import type { Viewer } from '../../auth/viewer.ts';
import { usersVisibleTo, type UserRow } from '../../domain/users.ts';
import { builder } from '../builder.ts';
import { branded } from '../node-brand.ts';

export const UserRef = builder.objectRef<UserRow>('User');

builder.node(UserRef, {
  description: 'A Coder user: the initiator of interceptions.',
  id: { resolve: (u) => u.id },
  // A member may look up only themselves; owners and auditors anyone (soft-deleted included).
  brandLoadedObjects: false,
  loadMany: (ids, { db, viewer }) => branded(UserRef, usersVisibleTo(db, viewer, ids)),
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
