// Real records published by AWS, Tencent, Elastic and others (../shared/corpus, see its SOURCES.md): every line
// is free of errors unless SOURCES.md names it malformed or odd, and each odd one has its diagnostics pinned here,
// with why a user would agree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FlowLogDocument } from '../../server/src/core/document';
import { lookupField } from '../../server/src/core/schema';
import { CORPUS_DIR, corpusAvailable, corpusFiles, readCorpus, sourceFormat } from '../support/corpus';

/** `line:code` of every problem of a given severity, 1-based lines. */
function problems(text: string, severity: 'error' | 'warning'): string[] {
  return new FlowLogDocument(text).problems(1e9).problems.filter((p) => p.severity === severity).map((p) => `${p.line + 1}:${p.code}`);
}

const repeat = (n: number, code: string, from = 1) => Array.from({ length: n }, (_, i) => `${i + from}:${code}`);

/**
 * Files SOURCES.md names malformed or odd, with the errors they get and why.
 */
const ODD: Record<string, { errors: string[]; why: string }> = {
  'elastic-beats-vpcflow-bad.flowlog': { errors: ['1:field-count'], why: '"Phony unsupported log format." is not a record' },
  'elastic-integrations-vpcflow-ecs-samples.flowlog': { errors: repeat(10, 'field-count'), why: 'no header, and 39 fields in the integration\'s own order: the format is not the default one' },
  'elastic-integrations-vpcflow-tgw-samples.flowlog': { errors: repeat(10, 'field-count'), why: 'no header, transit-gateway fields in the integration\'s own order' },
  'elastic-integrations-vpcflow-v8-ecs-samples.flowlog': { errors: ['1:field-count'], why: 'no header, ECS and v8 fields appended' },
  'elastic-integrations-vpcflow-v5-all-fields.flowlog': { errors: ['1:field-count'], why: 'no header, v5 fields appended after log-status' },
  'sekoia-intake-formats-aws-flow-logs-v5-appended.flowlog': { errors: repeat(2, 'field-count'), why: 'no header, v3-v5 fields appended after log-status' },
  'vrl-parse-aws-vpc-flow-log-custom-nat-gateway.flowlog': { errors: repeat(6, 'field-count'), why: 'VRL takes the format as an argument: the file has no header' },
  'vrl-parse-aws-vpc-flow-log-v3-tcp-flag-sequence.flowlog': { errors: repeat(8, 'field-count'), why: 'format given out of band, no header' },
  'vrl-parse-aws-vpc-flow-log-v3-transit-gateway.flowlog': { errors: repeat(4, 'field-count'), why: 'format given out of band, no header' },
  'vrl-parse-aws-vpc-flow-log-v5-traffic-path.flowlog': { errors: repeat(2, 'field-count'), why: 'format given out of band, no header' },
  'vrl-parse-aws-vpc-flow-log-v7-ecs.flowlog': { errors: ['1:field-count'], why: 'format given out of band, no header' },
  'vrl-parse-aws-vpc-flow-log-v8-v11-fields.flowlog': { errors: repeat(2, 'field-count'), why: 'format given out of band, no header' },
  // 14 fields by coincidence, in another order: one format-mismatch, not a wall of per-field errors.
  'vrl-parse-aws-vpc-flow-log-v11-example.flowlog': { errors: ['1:format-mismatch'], why: 'format given out of band; 14 fields in a custom order' },
  'flowlogs-reader-v2-cloudwatch-records.flowlog': { errors: ['6:timestamp', '6:timestamp'], why: 'start/end in milliseconds (1512564058000), not the seconds the format uses' },
  'flowlogs-reader-v5-s3-file.flowlog': { errors: ['4:field-count'], why: 'the test\'s deliberate "bogus line"' },
  'panther-vpcflow-v2-default.flowlog': { errors: ['2:field-count'], why: 'an extra trailing token (extra-data-should-not-break) after log-status' },
  'panther-vpcflow-v3-extended-header.flowlog': { errors: ['1:header-unknown-field'], why: 'the header names a field that does not exist (unknown-header-should-not-break); the record\'s extra token is its value' },
};

/** Warnings worth pinning: each is a real oddity of the data. */
const WARNINGS: Record<string, { warnings: string[]; why: string }> = {
  'aws-docs-flow-log-examples-v3-tcp-flag-sequence.flowlog': { warnings: ['9:multiple-spaces'], why: 'a double space in the published example' },
  'elastic-beats-processor-vpcflow-v3-tcp-flag-sequence.flowlog': { warnings: ['9:multiple-spaces'], why: 'the same double space' },
  'elastic-beats-processor-vpcflow-v6-transit-gateway-fields.flowlog': { warnings: ['2:multiple-spaces', '2:multiple-spaces'], why: 'two double spaces' },
  'elastic-beats-processor-vpcflow-v5-all-fields.flowlog': { warnings: ['2:too-few-bytes'], why: '52 packets in 1 byte cannot happen' },
  'elastic-beats-processor-vpcflow-v7-ecs-fields.flowlog': { warnings: ['2:too-few-bytes'], why: '52 packets in 1 byte' },
  'toshihirock-node-vpc-flow-log-parser-v2.flowlog': { warnings: ['2:nodata-with-traffic'], why: 'REJECT NODATA with traffic is not a real AWS combination' },
};

describe('the shared corpus of published records', () => {
  if (!corpusAvailable()) {
    it('is not here', (t) => {
      t.skip(`../shared/corpus not found at ${CORPUS_DIR}: corpus checks skipped`);
    });
    return;
  }

  for (const file of corpusFiles()) {
    it(file, () => {
      const text = readCorpus(file);
      const odd = ODD[file];
      assert.deepEqual(problems(text, 'error'), odd?.errors ?? [], odd ? `odd: ${odd.why}` : 'no errors in a well-formed published file');
      const pinned = WARNINGS[file];
      if (pinned) assert.deepEqual(problems(text, 'warning'), pinned.warnings, pinned.why);
    });
  }

  it('the out-of-band formats, written as a header line, make those files clean', () => {
    for (const file of corpusFiles()) {
      const format = sourceFormat(file);
      if (!format || !/^[a-z_ ]+$/.test(format)) continue; // a prose note, not a field list
      const header = format.split(' ').map((n) => lookupField(n)?.name ?? n).join(' ');
      assert.deepEqual(problems(`${header}\n${readCorpus(file)}`, 'error'), [], `${file} under "${header}"`);
    }
  });

  it('the default-format files with appended fields are clean under their documented field lists', () => {
    const appended = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';
    for (const file of ['sekoia-intake-formats-aws-flow-logs-v5-appended.flowlog', 'elastic-integrations-vpcflow-v5-all-fields.flowlog']) {
      assert.deepEqual(problems(`${appended}\n${readCorpus(file)}`, 'error'), [], file);
    }
  });

  it('the JSON files are read by their values: a {"message": …} wrapper and objects keyed by field names', () => {
    const wrapper = new FlowLogDocument(readCorpus('elastic-integrations-vpcflow-json-message-wrapper.flowlog'));
    assert.equal(wrapper.shape.encoding, 'json');
    assert.deepEqual([wrapper.getStats().records, wrapper.problems().problems.length], [1, 0]);
    const objects = new FlowLogDocument(readCorpus('sekoia-intake-formats-aws-flow-logs-json-structured.flowlog'));
    assert.equal(objects.shape.encoding, 'json');
    assert.deepEqual(objects.getStats(), { records: 3, rejects: 1, problems: 0, errors: 0, headers: 0 });
    // The v5 object's own keys bind it: 29 fields, `traffic_path: null` read as `-`.
    const { record, format } = objects.recordAt(1);
    assert.equal(format.names.length, 29);
    assert.equal(record.text.split(' ').at(-1), '-');
  });

  it('every example of the field reference passes clean', () => {
    const reference = readFileSync(resolve(CORPUS_DIR, '../reference/flowlog-format.md'), 'utf8');
    const block = /Examples from Tencent Cloud's documentation \(all valid\):\n```\n([\s\S]*?)```/.exec(reference);
    assert.ok(block, 'the examples block of flowlog-format.md');
    const doc = new FlowLogDocument(block[1]);
    assert.equal(doc.getStats().records, 6);
    assert.deepEqual(doc.problems().problems, []);
  });
});
