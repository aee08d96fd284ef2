// Which record fields a set of queries reads, so that a reader may leave the others out of the lines it makes
// (readers/jsonProjection.ts). Only queries whose answer depends on nothing but the fields they name qualify:
// aggregates and groups. A search or a plain SELECT returns whole records (or `*`), and a bare search term matches
// any field: those read every field.
import { lookupField } from '../schema';
import { QueryPlan } from './plan';

/**
 * The canonical names of the fields the plans read, or undefined when some plan reads (or may read) every field.
 * Over-counting is harmless; a field missed would give a wrong answer, so the whole syntax tree is walked.
 */
export function fieldsRead(plans: readonly QueryPlan[]): string[] | undefined {
  const names = new Set<string>();
  for (const plan of plans) {
    if (plan.kind !== 'sql' || !plan.aggregate) return undefined;
    if (!collect(plan.query, names)) return undefined;
  }
  return [...names];
}

/** Adds the fields named anywhere in a syntax tree; false when a node reads every field (a bare search term). */
function collect(node: unknown, names: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((n) => collect(n, names));
  if (node === null || typeof node !== 'object') return true;
  const n = node as { kind?: unknown; name?: unknown; field?: unknown };
  if (n.kind === 'term') return false;
  if (n.kind === 'column' && typeof n.name === 'string') add(n.name, names);
  if (n.kind === 'field' && typeof n.field === 'string') add(n.field, names);
  return Object.values(node).every((v) => collect(v, names));
}

function add(name: string, names: Set<string>): void {
  // `file` and SELECT aliases are no fields: nothing to keep for them.
  const f = lookupField(name);
  if (f) names.add(f.name);
}
