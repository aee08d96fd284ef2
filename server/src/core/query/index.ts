// The query engine: `[search] [| SQL]` over an open document or files of any size.
export { runQuery, checkQuery, DEFAULT_ROW_LIMIT } from './execute';
export type { QueryOptions, QueryResult, QueryStats } from './execute';
export type { QuerySource } from './sources';
export { QueryError, QueryCancelledError } from './errors';
export { parseQuery } from './parser';
export type { Value } from './values';
