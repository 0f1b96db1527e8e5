// What a route gets and gives: the parsed request, and the status/body/headers the server writes back.
import type { RecordedFile } from './types.ts';
import type { FormErrors } from './util.ts';

export interface ApiRequest {
  method: string;
  /** path after /api/v10, percent-decoded (so `@original`), no query */
  path: string;
  query: Record<string, string>;
  /** JSON body, or `payload_json` of a multipart body; unchecked: each route narrows it after validating */
  json: unknown;
  files: RecordedFile[];
  auth: string | undefined;
  /** Date.now() when the request arrived (what the global limit counts by, and what is recorded) */
  at?: number;
}

export interface ApiResponse { status: number; body?: unknown; headers?: Record<string, string> }

/** A route family: its answer, or undefined when the path is not one of its own. */
export type RouteFamily<S> = (state: S, req: ApiRequest) => ApiResponse | undefined;

export const err = (status: number, code: number, message: string): ApiResponse => ({ status, body: { message, code } });
export const formErr = (e: FormErrors): ApiResponse => ({ status: 400, body: e.body() });
export const methodNotAllowed = (): ApiResponse => err(405, 0, '405: Method Not Allowed');
export const notFound = (): ApiResponse => err(404, 0, '404: Not Found');
