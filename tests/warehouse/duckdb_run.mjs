// Runs SQL files in one in-memory DuckDB (@duckdb/node-api), then one query,
// and prints its rows as CSV (every value cast to text by the query itself).
// usage: node duckdb_run.mjs QUERY FILE.sql...
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [query, ...files] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
for (const file of files) {
  await connection.run(readFileSync(file, 'utf8'));
}
const started = performance.now();
const reader = await connection.runAndReadAll(query);
// The query's own time, for docs/warehouse.md's timings (the loads above are not in it).
console.error(`query ms: ${Math.round(performance.now() - started)}`);
for (const row of reader.getRows()) {
  console.log(row.map((v) => (v === null ? '' : String(v))).join(','));
}
