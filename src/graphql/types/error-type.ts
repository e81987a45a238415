import { ERROR_TYPES, type ErrorType } from '../../domain/interception-outcome.ts';
import { builder } from '../builder.ts';

const DESCRIPTIONS: Record<ErrorType, string> = {
  bad_request: 'The provider rejected the request (HTTP 400).',
  unauthorized: 'The provider refused the credentials (HTTP 401 or 403).',
  rate_limited: 'The provider rate-limited the request (HTTP 429).',
  overloaded: 'The provider was overloaded (Anthropic 529, OpenAI 503).',
  server_error: 'The provider failed (another 5xx).',
  timeout: 'The request timed out (HTTP 408).',
  unknown: 'Any other failure.',
};

export const ErrorTypeEnum = builder.enumType('ErrorType', {
  description: "Why an interception failed upstream: Coder's aibridge_interception_error_type.",
  values: Object.fromEntries(ERROR_TYPES.map((t) => [t.toUpperCase(), { value: t, description: DESCRIPTIONS[t] }])) as Record<
    Uppercase<ErrorType>,
    { value: ErrorType; description: string }
  >,
});
