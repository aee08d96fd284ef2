// The seed's worked example (Tencent Cloud's security group vs network ACL case): a ping from home whose request is
// accepted and whose reply the stateless network ACL rejects. One response-rejected conversation, request line 1,
// reply line 2.
export const SEED_LINES: readonly string[] = [
  'V1 1251762227 eni-lq6mkcis 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  'V1 1251762227 eni-lq6mkcis 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
];

function seedJsonRecord(src: string, dst: string, start: number, action: string): string {
  return `{"version":"V1","account_id":"1251762227","interface_id":"eni-lq6mkcis","srcaddr":"${src}","dstaddr":"${dst}","srcport":0,"dstport":0,"protocol":1,"packets":4,"bytes":336,"start":${start},"end":1432917142,"action":"${action}","log_status":"OK"}`;
}

/**
 * The seed as a CLS JSON document with a blank line before each record: its request on the document's line 2, its
 * reply on line 4 (its engine text starts with a header line made of its keys, so the lines differ from the text's).
 */
export const SEED_JSON_DOCUMENT = ['', seedJsonRecord('203.0.113.12', '172.31.16.139', 1432917027, 'ACCEPT'), '', seedJsonRecord('172.31.16.139', '203.0.113.12', 1432917094, 'REJECT')].join('\n');
