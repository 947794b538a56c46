import type { HttpSpec } from '../../../config/http-schema';
import { nextLink, valueAtPath } from './json-path';

/** The URL with one query parameter set (replacing any value it had). */
function withParam(url: string, name: string, value: string): string {
  const next = new URL(url);
  next.searchParams.set(name, value);
  return next.toString();
}

/** The first page's URL: the incremental parameter bound to the saved watermark, the first page number. */
export function firstPageUrl(input: { spec: HttpSpec; since?: string }): string {
  const { spec } = input;
  let url = spec.url;
  if (spec.incremental && input.since !== undefined) url = withParam(url, spec.incremental.param, input.since);
  if (spec.paging?.type === 'page') url = withParam(url, spec.paging.param, String(spec.paging.startAt));
  return url;
}

/**
 * The next page's URL, or undefined at the end: a cursor while the page gives one, the next page number
 * while the page had records, the Link header's rel="next" while there is one. No paging: one page.
 */
export function nextPageUrl(input: { spec: HttpSpec; url: string; body: unknown; link: string | null; records: number }): string | undefined {
  const paging = input.spec.paging;
  if (!paging) return undefined;
  if (paging.type === 'link') return nextLink(input.link, input.url);
  if (paging.type === 'page') {
    if (input.records === 0) return undefined;
    const current = Number(new URL(input.url).searchParams.get(paging.param) ?? paging.startAt);
    return withParam(input.url, paging.param, String(current + 1));
  }
  const cursor = valueAtPath(input.body, paging.cursorPath);
  if ((typeof cursor !== 'string' && typeof cursor !== 'number') || cursor === '') return undefined;
  return withParam(input.url, paging.param, String(cursor));
}
