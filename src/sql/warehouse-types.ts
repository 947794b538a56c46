import type { TypeCategory, WarehouseDialect } from './type-map';

/** Kept for existing imports: the type map lives in ./type-map. */
export { warehouseType, type WarehouseDialect } from './type-map';

/** A column of processed Parquet: its name and DuckDB type (as DuckDB's DESCRIBE prints it). */
export interface ColumnSpec {
  name: string;
  type: string;
  /** For a column passed through from the source unchanged: the warehouse types that keep its source type. */
  warehouse?: Record<WarehouseDialect, string>;
  /** NOT NULL in the source, and no transform step can make it NULL. */
  notNull?: boolean;
  /** What the column holds (the source's category when passed through): what checksums and renderings switch on. */
  category?: TypeCategory;
}
