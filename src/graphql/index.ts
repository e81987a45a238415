import { builder } from './builder.ts';
import './types/user.ts';

export const schema = builder.toSchema({ sortSchema: true });
