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

export const schema = builder.toSchema({ sortSchema: true });
