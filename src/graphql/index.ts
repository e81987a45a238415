import { builder } from './builder.ts';
import './scalars.ts';
import './types/user.ts';
import './types/token-usage.ts';
import './types/tool-usage.ts';
import './types/user-prompt.ts';
import './types/model-thought.ts';
import './types/token-usage-summary.ts';
import './types/interception-filter.ts';
import './types/interception.ts';
import './types/thought.ts';
import './types/agentic-action.ts';
import './types/thread.ts';
import './types/session.ts';
import './types/catalog.ts';

export const schema = builder.toSchema({ sortSchema: true });
