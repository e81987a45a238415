import type { ModelThoughtRow } from '../../domain/children.ts';
import { builder } from '../builder.ts';

export const ThoughtRef = builder.objectRef<ModelThoughtRow>('Thought');

ThoughtRef.implement({
  description: "A piece of the model's thinking in an agentic action (REST `thinking[]`).",
  fields: (t) => ({
    text: t.exposeString('content', { description: 'The thinking text.' }),
  }),
});
