import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { AttributionRulesRecord } from '../../src/declaration/attribution-record';
import { ServiceDeclarationRecord } from '../../src/declaration/record';

/**
 * s3rver runs in a process of its own, with OpenSSL's legacy provider: it makes ListObjectsV2 continuation tokens with
 * DES, which Node.js 17 and later (OpenSSL 3) refuse without it, so every truncated list answered InternalError.
 */
const SERVER = `
const S3rver = require('s3rver');
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[1] });
server.run().then(({ port }) => process.stdout.write('READY ' + port + '\\n'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
setTimeout(() => process.exit(0), 15 * 60_000).unref(); // never outlives a test run
`;

/**
 * A real S3-compatible server on the loopback address (s3rver, from npm), one per test file: the registration function
 * and the reader write, list and read real objects over HTTP with the AWS SDK. s3rver keeps objects, ETags, listing
 * with continuation tokens and NoSuchKey as S3 does; it ignores conditional writes (If-Match / If-None-Match on
 * PutObject) and bucket policies, so those are tested against S3's documented contract with the SDK client mock
 * (conditional-writes.test.ts) and the synthesized policies (test/examples/registered-shop.test.ts, registered-ledger.test.ts).
 */
export interface LocalS3 {
  readonly client: S3Client;
  readonly bucket: string;
  /** The server's endpoint, e.g. `http://127.0.0.1:4568` (for \`AWS_ENDPOINT_URL_S3\`). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'org-registry'): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER, directory],
    { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 20 s')), 20_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}`));
    });
  });
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    client,
    bucket,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A sound `customer-value:service` record of a service in `stackName`, as the construct writes it. */
export function serviceRecord(serviceName: string, stackName: string, overrides: Partial<ServiceDeclarationRecord> = {}): ServiceDeclarationRecord {
  return {
    schemaVersion: 1,
    serviceName,
    customerNeed: `Shoppers use ${serviceName} without waiting`,
    customer: { kind: 'external', name: 'Online shoppers' },
    team: 'payments',
    businessUnit: 'retail',
    tagKeys: { service: 'customer-service', need: 'customer-need', customer: 'customer', team: 'team', businessUnit: 'business-unit' },
    tags: {
      'customer-service': serviceName,
      'customer-need': `Shoppers use ${serviceName} without waiting`,
      'customer': 'external:Online shoppers',
      'team': 'payments',
      'business-unit': 'retail',
    },
    resources: { total: 3, taggable: 2, tagged: 2, untaggableByType: { 'AWS::IAM::Policy': 1 } },
    costReporting: { enabled: false, disabledReason: 'test' },
    usageMetrics: [],
    constructPath: `${stackName}/${serviceName}`,
    stackName,
    includedScopes: [],
    consumes: [],
    consumedBy: [],
    ...overrides,
  };
}

/** A sound `customer-value:attribution` record of a rule set declared in `stackName`: its account's untagged spend to `service`. */
export function ruleSetRecord(ruleSet: string, stackName: string, service = 'checkout', overrides: Partial<AttributionRulesRecord> = {}): AttributionRulesRecord {
  return {
    schemaVersion: 1,
    ruleSet,
    precedence: 100,
    rules: [{ name: `${ruleSet}-account`, kind: 'accounts', match: { accounts: ['111111111111'] }, target: { kind: 'service', services: [service] } }],
    constructPath: `${stackName}/${ruleSet}`,
    stackName,
    ...overrides,
  };
}
