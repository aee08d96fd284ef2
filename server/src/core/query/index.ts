// The query engine: `[search] [| SQL]` over an open document or files of any size.
export { runQuery, runPlans, checkQuery, planQuery, DEFAULT_ROW_LIMIT, MIN_MEMORY_BUDGET_MB } from './run';
export type { QueryOptions, QueryResult, QueryStats, FileProblem, SkippedFile, FileTally, PlanResult } from './run';
export type { QuerySource, FilesSource } from './input';
export { QueryError, QueryCancelledError } from './errors';
export { parseQuery } from './parser';
export type { Value } from './values';
