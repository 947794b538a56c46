/** Loads and resets of one warehouse serialize on this advisory lock, so concurrent DDL and state writes cannot race. */
export const LOAD_LOCK = 7_310_001;
