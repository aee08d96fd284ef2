// Writes syntaxes/flowlog.tmLanguage.json. The header-line rule lists the schema's field names, so the grammar is
// generated (test/unit/grammar.test.ts checks the file is in sync and tokenizes as expected).
import { writeFileSync } from 'node:fs';
import { FIELDS } from '../server/src/core/schema';

export function flowlogGrammar(): object {
  const names = [...new Set(FIELDS.flatMap((f) => [f.name, ...f.aliases]))].sort((a, b) => b.length - a.length);
  const fieldName = `(?:${names.map((n) => n.replace(/[-]/g, '\\-')).join('|')})`;
  const token = (match: string, name: string) => ({ match: `(?<=^|[ \\t])${match}(?=$|[ \\t\\r])`, name });
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Flow Log',
    scopeName: 'source.flowlog',
    patterns: [{ include: '#comment' }, { include: '#header' }, { include: '#record' }],
    repository: {
      comment: { match: '^\\s*#.*$', name: 'comment.line.number-sign.flowlog' },
      header: {
        // A line of field names (as in files delivered to object storage) binds the field order.
        match: `^(?:\\x{FEFF})?\\s*(${fieldName}(?:[ \\t]+[A-Za-z][A-Za-z0-9_-]*)+)\\s*$`,
        captures: { 1: { name: 'entity.name.tag.header.flowlog' } },
      },
      record: {
        patterns: [
          { match: '(?<=[ \\t])#.*$', name: 'comment.line.number-sign.trailing.flowlog' },
          token('ACCEPT', 'markup.inserted.accept.flowlog'),
          token('REJECT', 'markup.deleted.reject.flowlog invalid.deprecated.reject.flowlog'),
          token('(?:OK)', 'support.constant.status.ok.flowlog'),
          token('(?:NODATA|SKIPDATA)', 'markup.changed.status.flowlog'),
          token('-1?', 'comment.other.empty.flowlog'),
          token('(?:\\d{1,3}\\.){3}\\d{1,3}', 'constant.other.address.ipv4.flowlog'),
          token('[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?::(?:\\d{1,3}\\.){3}\\d{1,3})?', 'constant.other.address.ipv6.flowlog'),
          token('(?:eni|vpc|subnet|i|tgw|tgw-attach|nat|vpce)-[0-9A-Za-z]+', 'variable.other.resource-id.flowlog'),
          token('1[0-9]{9}', 'constant.numeric.timestamp.flowlog string.other.timestamp.flowlog'),
          token('V1', 'keyword.other.version.flowlog'),
          token('(?:IPv4|IPv6|EFA|ingress|egress)', 'support.type.flowlog'),
          token('\\d+', 'constant.numeric.flowlog'),
        ],
      },
    },
  };
}

if (require.main === module) {
  writeFileSync('syntaxes/flowlog.tmLanguage.json', JSON.stringify(flowlogGrammar(), null, 2) + '\n');
}
