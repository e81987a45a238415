import { PrismaPg } from '@prisma/adapter-pg';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, expect, it } from 'vitest';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { describeEachDb, type TestDb } from './support/databases.ts';
import { addInterception, addPrompt, addTokenUsage, addToolUsage, addUser } from './support/fixtures.ts';

/**
 * prisma/schema.prisma maps Prisma models onto Coder's table and column names. The gateway reads
 * with SQL (microsecond timestamps, the visibility filter in SQL), so this test is what keeps the
 * mapping honest: Prisma's client, through its driver adapters, reads every model and field
 * back from the migrated database. A wrong @map or @@map fails here.
 */
const clients: PrismaClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.$disconnect()));
});

function prismaFor(t: TestDb): PrismaClient {
  const adapter = t.kind === 'pglite' ? new PrismaPGlite((t.db as unknown as { pglite: PGlite }).pglite) : new PrismaPg({ connectionString: t.url! });
  const client = new PrismaClient({ adapter });
  clients.push(client);
  return client;
}

let ids: { user: string; root: string; child: string };

describeEachDb(
  'Prisma models over the migrated tables',
  (ctx) => {
    it('reads users and api_keys', async () => {
      const prisma = prismaFor(ctx());
      const user = await prisma.user.findUniqueOrThrow({ where: { id: ids.user }, include: { apiKeys: true } });
      expect(user).toMatchObject({ username: 'pm', name: 'Pat Mapper', avatarUrl: '', rbacRoles: ['auditor'], status: 'active', deleted: false });
      expect(user.apiKeys).toHaveLength(1);
      expect(user.apiKeys[0]).toMatchObject({ loginType: 'token', userId: ids.user });
      expect(user.apiKeys[0].hashedSecret).toHaveLength(32);
    });

    it('reads interceptions with the generated session_id, the enum and the initiator relation', async () => {
      const prisma = prismaFor(ctx());
      const child = await prisma.interception.findUniqueOrThrow({ where: { id: ids.child }, include: { initiator: true } });
      expect(child).toMatchObject({
        provider: 'copilot', providerName: 'copilot-business', model: 'gpt-4.1', client: null, apiKeyId: 'abcdefghij',
        threadRootId: ids.root, threadParentId: ids.root, clientSessionId: null, sessionId: ids.root,
        credentialKind: 'byok', credentialHint: 'sk-a...efgh', metadata: { k: [1, 2] },
      });
      expect(child.startedAt.toISOString()).toBe('2026-04-01T12:34:56.789Z');
      expect(child.endedAt).toBeNull();
      expect(child.initiator.username).toBe('pm');
    });

    it('reads token usages as exact 64-bit integers, tool usages and prompts', async () => {
      const prisma = prismaFor(ctx());
      const [usage] = await prisma.tokenUsage.findMany({ where: { interceptionId: ids.root } });
      expect(usage).toMatchObject({ inputTokens: 5_000_000_000n, outputTokens: 7n, cacheReadInputTokens: 3n, cacheWriteInputTokens: 0n, metadata: null });
      const [tool] = await prisma.toolUsage.findMany({ where: { interceptionId: ids.root } });
      expect(tool).toMatchObject({ tool: 'coder_list_workspaces', serverUrl: 'https://mcp.example.com', injected: true, invocationError: 'boom', providerItemId: null });
      const [prompt] = await prisma.userPrompt.findMany({ where: { interceptionId: ids.root } });
      expect(prompt).toMatchObject({ prompt: 'hello', providerResponseId: 'resp_1' });
    });
  },
  async ({ db }) => {
    const user = await addUser(db, { username: 'pm', role: 'auditor', name: 'Pat Mapper' });
    const root = await addInterception(db, { initiatorId: user.id, startedAt: '2026-04-01T12:00:00Z' });
    const child = await addInterception(db, {
      initiatorId: user.id, provider: 'copilot', providerName: 'copilot-business', model: 'gpt-4.1', client: null,
      apiKeyId: 'abcdefghij', startedAt: '2026-04-01T12:34:56.789012Z', endedAt: null, threadRootId: root, threadParentId: root,
      credentialKind: 'byok', credentialHint: 'sk-a...efgh', metadata: { k: [1, 2] },
    });
    await addTokenUsage(db, { interceptionId: root, input: '5000000000', output: 7, cacheRead: 3, createdAt: '2026-04-01T12:00:01Z' });
    await addToolUsage(db, { interceptionId: root, tool: 'coder_list_workspaces', serverUrl: 'https://mcp.example.com', injected: true, invocationError: 'boom', createdAt: '2026-04-01T12:00:02Z' });
    await addPrompt(db, { interceptionId: root, prompt: 'hello', createdAt: '2026-04-01T12:00:00Z' });
    ids = { user: user.id, root, child };
  },
);
