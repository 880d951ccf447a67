// the registration function's (Lambda provides the SDK) and the readers' (the CLI bundles it, the functions get it from Lambda)
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';

/**
 * Reading and writing one registry entry on S3, with conditional writes (the registration function's): a write names
 * the ETag it read (If-Match) or that there was none (If-None-Match `*`), so two writers never overwrite each other
 * unseen. S3's PutObject: "If-Match: Uploads the object only if the ETag (entity tag) value provided during the WRITE
 * operation matches the ETag of the object in S3 bucket. If the ETag values do not match, the operation returns a 412
 * Precondition Failed error"; "If-None-Match: Uploads the object only if the object key name does not already exist in
 * the bucket specified. Otherwise, Amazon S3 returns a 412 Precondition Failed error"; "If a conflicting operation
 * occurs during the upload S3 returns a 409 ConditionalRequestConflict response. On a 409 failure you should retry the
 * upload" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html; conditional writes on general purpose
 * buckets: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html).
 */

/** An AWS SDK v3 client as used here (an `S3Client`, or a test's). */
export interface Sender {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** An entry as read: its text and ETag; `absent` when the key holds no object. */
export interface ReadObject {
  readonly absent: boolean;
  readonly etag?: string;
  readonly text?: string;
}

/** Time one S3 call may take, its SDK retries included. */
export const CALL_TIMEOUT_MS = 20_000;

/** Reads `key`; a missing key is `absent` (NoSuchKey, 404). Objects larger than `maxBytes` are refused. */
export async function readObject(s3: Sender, bucket: string, key: string, maxBytes: number, signal?: AbortSignal): Promise<ReadObject> {
  let out: any;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: callSignal(signal) });
  } catch (e) {
    if (isMissing(e)) {
      return { absent: true };
    }
    // without s3:ListBucket on the key S3 answers 403 for a missing key ("If you don't have the s3:ListBucket
    // permission, Amazon S3 returns an HTTP status code 403", API_GetObject.html): the registration function may list
    // its own key only, so it asks
    if (isDenied(e) && !(await listed(s3, bucket, key, signal))) {
      return { absent: true };
    }
    throw e;
  }
  if (typeof out.ContentLength === 'number' && out.ContentLength > maxBytes) {
    out.Body?.destroy?.();
    throw new Error(`s3://${bucket}/${key} is ${out.ContentLength} bytes, over the ${maxBytes} bytes a registry entry may hold`);
  }
  const text: string = await out.Body.transformToString('utf-8');
  if (Buffer.byteLength(text) > maxBytes) {
    throw new Error(`s3://${bucket}/${key} is over the ${maxBytes} bytes a registry entry may hold`);
  }
  return { absent: false, etag: out.ETag, text };
}

/**
 * Writes `body` to `key` on the condition that the object is still what was read (`etag`), or still absent (no
 * `etag`). Returns false when the condition failed (412) or a concurrent conditional write conflicted (409): read
 * again and decide again.
 */
export async function writeIfUnchanged(s3: Sender, bucket: string, key: string, body: string, etag: string | undefined,
  signal?: AbortSignal): Promise<boolean> {
  try {
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ...(etag !== undefined ? { IfMatch: etag } : { IfNoneMatch: '*' }),
    }), { abortSignal: callSignal(signal) });
    return true;
  } catch (e) {
    if (isConditionFailed(e)) {
      return false;
    }
    throw e;
  }
}

/** The signal of one call: the caller's, and `CALL_TIMEOUT_MS`. */
export function callSignal(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** NoSuchKey (404): the key holds no object. */
export function isMissing(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(e) === 404 && name !== 'NoSuchBucket';
}

/** 403 AccessDenied. */
export function isDenied(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === 'AccessDenied' || name === 'Forbidden' || status(e) === 403;
}

/** Whether `key` is listed (a list of that one key; a list that is denied too throws). */
async function listed(s3: Sender, bucket: string, key: string, signal?: AbortSignal): Promise<boolean> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }), { abortSignal: callSignal(signal) });
  return (out.Contents ?? []).some((o: { Key?: string }) => o.Key === key);
}

/** 412 PreconditionFailed, or 409 ConditionalRequestConflict. */
export function isConditionFailed(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status(e) === 412 || status(e) === 409;
}

/** The error in a few words: its name and first line. */
export function errorText(e: unknown): string {
  const err = e as Error;
  const name = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${name}${String(err?.message ?? e).split('\n')[0]}`;
}
