import type { ModelThoughtRow } from '../../domain/children.ts';
import { builder } from '../builder.ts';

export const ModelThoughtRef = builder.objectRef<ModelThoughtRow>('ModelThought');

ModelThoughtRef.implement({
  description: "The model's reasoning (thinking) recorded for an interception. Coder's table has no id.",
  fields: (t) => ({
    interceptionId: t.expose('interceptionId', { type: 'UUID', description: 'The interception the thought belongs to.' }),
    content: t.exposeString('content', { description: 'The thinking text.' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Details, as stored.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the thought was recorded.' }),
  }),
});
