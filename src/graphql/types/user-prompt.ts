import type { UserPromptRow } from '../../domain/children.ts';
import { builder } from '../builder.ts';

export const UserPromptRef = builder.objectRef<UserPromptRow>('UserPrompt');

UserPromptRef.implement({
  description: 'A prompt the user sent in an interception.',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID', description: 'Row id.' }),
    interceptionId: t.expose('interceptionId', { type: 'UUID', description: 'The interception that carried the prompt.' }),
    providerResponseId: t.exposeString('providerResponseId', { description: "The provider's response id." }),
    prompt: t.exposeString('prompt', { description: 'The prompt text.' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Details, as stored.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the prompt was recorded.' }),
  }),
});
