import type { ExtractDeps } from '../postgres/extract';
import type { ReadFileBookmarks } from './plan';

/** What the files source needs: S3, DuckDB and the spool (ExtractDeps), and the warehouse's file bookmarks. */
export type FilesDeps = ExtractDeps & { readFileBookmarks: ReadFileBookmarks };
