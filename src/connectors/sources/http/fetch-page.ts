import { ApplicationFailure } from '@temporalio/activity';
import { currentContext, throwIfCancelled } from '../../../runtime/heartbeat';

/** Where a request is, for errors: pipeline, table and the page number (1 = the first page this run). */
export interface PageContext {
  pipeline: string;
  table: string;
  page: number;
}

/** One page as fetched: its JSON body and its Link header. */
export interface FetchedPage {
  body: unknown;
  link: string | null;
}

const where = (context: PageContext, url: string) => `pipeline ${context.pipeline}, table ${context.table}, step extract: GET ${url} (page ${context.page})`;

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), at least 1 s; undefined if absent. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds)) return Math.max(1000, Math.round(seconds * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(1000, at - now);
}

/**
 * The failure a non-2xx answer is: 429 retried after Retry-After, 5xx retried with the activity's backoff,
 * any other status terminal (nothing of the window is loaded), naming the URL and the status.
 */
export function classifyHttpStatus(input: { status: number; retryAfter: string | null; url: string; context: PageContext }): ApplicationFailure {
  const at = where(input.context, input.url);
  if (input.status === 429) {
    const delay = retryAfterMs(input.retryAfter);
    return ApplicationFailure.create({ message: `${at} answered 429 Too Many Requests; retried${delay === undefined ? ' with backoff' : ` after Retry-After (${delay} ms)`}`, type: 'HttpRateLimited', ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
  }
  if (input.status >= 500) return ApplicationFailure.retryable(`${at} answered ${input.status}; retried with backoff`, 'HttpServerError');
  const hint = input.status === 401 || input.status === 403 ? 'check the headers\' secret references and the token the worker resolves them to' : 'check http.url, paging and incremental in the pipeline file';
  return ApplicationFailure.nonRetryable(`${at} answered ${input.status}; nothing of this run's window was loaded: ${hint}`, 'HttpClientError');
}

/** A page that is not the JSON the table expects: terminal, naming URL and page, never the body's values. */
export function malformedPage(input: { url: string; context: PageContext; why: string }): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${where(input.context, input.url)}: malformed page: ${input.why}; nothing of this run's window was loaded: fix the API or http.records / columns, then run again`, 'HttpMalformedPage');
}

/** GETs one page and parses its JSON; network errors and timeouts are retried, statuses classified. */
export async function fetchPage(input: { url: string; headers: Record<string, string>; timeoutSeconds: number; context: PageContext }): Promise<FetchedPage> {
  let response: Response;
  try {
    // A cancelled run (or a worker shutting down) aborts the request in flight, as it does a query.
    const cancelled = currentContext()?.cancellationSignal;
    const timeout = AbortSignal.timeout(input.timeoutSeconds * 1000);
    response = await fetch(input.url, { headers: { accept: 'application/json', ...input.headers }, signal: cancelled ? AbortSignal.any([timeout, cancelled]) : timeout });
  } catch (error) {
    throwIfCancelled();
    const name = (error as { name?: string }).name ?? 'Error';
    throw ApplicationFailure.retryable(`${where(input.context, input.url)} failed (${name}): the API did not answer; retried with backoff`, 'HttpUnavailable');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw classifyHttpStatus({ status: response.status, retryAfter: response.headers.get('retry-after'), url: input.url, context: input.context });
  }
  const text = await response.text();
  try {
    return { body: JSON.parse(text) as unknown, link: response.headers.get('link') };
  } catch {
    // JSON.parse's message quotes the body: say only what it was.
    throw malformedPage({ url: input.url, context: input.context, why: `not JSON (${text.length} characters, content-type ${response.headers.get('content-type') ?? 'none'})` });
  }
}
