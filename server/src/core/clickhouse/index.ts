// ClickHouse as a flow-log backend: the documented schema, loading files, and running our queries there with the
// local engine's answers.
export { ClickHouseClient, ClickHouseError, isClickHouseError } from './http';
export type { ClickHouseCredentials, ClickHouseEndpoint } from './http';
export { loadFiles, expandInputs, MAX_LISTED } from './load';
export type { LoadOptions, LoadProgress, LoadReport, FileLoadReport } from './load';
export { runClickHouseQuery } from './query';
export type { ClickHouseSource, ClickHouseQueryOptions } from './query';
export { translateToClickHouse } from './translate';
export type { ClickHouseQuery } from './translate';
export { fetchTableInfo, defaultTableInfo } from './tableInfo';
export type { TableInfo } from './tableInfo';
export { createTableSql, createJournalSql, checkTableName, journalName } from './schema';
export { computeClickHouseSummary } from './summary';
