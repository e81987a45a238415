import type { Validation } from '../domain/validation.ts';
import { encodeCoderJson } from './encode.ts';

export type { Validation };

/** Coder's JSON responses: bodies are JSON, errors are {message, detail?, validations?}. */
export interface CoderError {
  message: string;
  detail?: string;
  validations?: Validation[];
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Like `json`, for a body already encoded (Coder's field order and number rules kept). */
export function rawJson(text: string, status = 200): Response {
  return new Response(text, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

export function errorResponse(status: number, err: CoderError): Response {
  const body: CoderError = { message: err.message };
  if (err.detail !== undefined) body.detail = err.detail;
  if (err.validations !== undefined) body.validations = err.validations;
  return rawJson(encodeCoderJson(body), status);
}

/** An expected failure a handler throws; the router turns it into Coder's error JSON. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: CoderError) {
    super(body.message);
    this.name = 'HttpError';
  }
}
