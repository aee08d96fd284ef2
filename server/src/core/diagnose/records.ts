// The records adapter: the one place where the diagnosis reads flow log text. It reads a source as the engine does
// (query/input.ts units: an open document, whole files or byte ranges of them, gzip streams, chunks of whole lines)
// and packs each record into a row (recordPacker.ts, with the engine's byte scanner) in batches; on threads, the
// same packer runs in each reader (parallel.ts).
import { QuerySource, UnitReadInfo, expandSource, planUnits, readUnit, unitFormat } from '../query/input';
import { DecodeError } from '../readers/types';
import { RecordBatch } from './packed';
import { RecordPacker } from './recordPacker';
import { ReadOptions, ReadStats, RecordSink, addExpansionProblems, addUnitProblems } from './readStats';

/**
 * Reads every record of `source` on this thread, in order: whole files one after another (a header line binds the
 * records after it), an open document from memory (yielding to the event loop between chunks).
 */
export async function readHere(source: QuerySource, sink: RecordSink, options: ReadOptions = {}): Promise<ReadStats> {
  const expanded = source.kind === 'files' ? await expandSource(source) : undefined;
  const units = await planUnits(source, expanded, 1);
  const packer = new RecordPacker();
  const text = source.kind === 'text' ? source.text : undefined;
  let names = 0;
  const onBatch = (batch: RecordBatch) => {
    for (const list = packer.interfaces.list; names < list.length; names++) sink.interfaces.push(list[names]);
    sink.onBatch(batch, 0, batch.count);
  };
  if (expanded) addExpansionProblems(packer.stats, expanded);
  for (const unit of units) {
    sink.files.push(unit.file);
    packer.startUnit(sink.files.length - 1, unit.file, unitFormat(unit));
    const info: UnitReadInfo = {};
    try {
      // The packer copies what it keeps of a chunk (interface ids): the reader may reuse its read buffers.
      for await (const chunk of readUnit(unit, text, info, { reuseBuffers: true })) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
        packer.chunk(chunk, onBatch);
        options.onProgress?.(unit.before + Math.min(chunk.bytesRead, unit.end - unit.start), unit.total);
        if (unit.kind === 'text') await new Promise<void>((resolve) => setImmediate(resolve));
      }
      addUnitProblems(packer.stats, info);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      addUnitProblems(packer.stats, info, e);
    }
    packer.stats.bytes += unit.end - unit.start;
  }
  packer.flush(onBatch);
  return packer.stats;
}
