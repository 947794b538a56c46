/** Kept for existing imports: the type map lives in ./type-map. */
export { duckdbTypeFor, isOrderableWatermark, type SourceColumn, type TypeCategory } from './type-map';
