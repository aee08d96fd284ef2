// The shared corpus of real published records (../shared/corpus beside the project). Tests read it in place.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(__dirname, '../../../shared/corpus');

export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS_DIR, 'SOURCES.md'));
}

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.flowlog')).sort();
}

export function readCorpus(name: string): string {
  return readFileSync(join(CORPUS_DIR, name), 'utf8');
}

/** The field list a source's parser was given out of band (`source_format` of an extracted expected file). */
export function sourceFormat(name: string): string | undefined {
  const expected = join(CORPUS_DIR, name.replace(/\.flowlog$/, '.expected.json'));
  if (!existsSync(expected)) return undefined;
  const json = JSON.parse(readFileSync(expected, 'utf8'));
  return typeof json.source_format === 'string' ? json.source_format : undefined;
}
