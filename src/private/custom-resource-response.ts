import * as http from 'http';
import * as https from 'https';
import type { CustomResourceEvent } from './custom-resource-event';

/** How long one attempt to answer CloudFormation may take. */
export const RESPONSE_TIMEOUT_MS = 10_000;
/** How many attempts to answer CloudFormation are made before the handler gives up (and the invocation fails). */
export const RESPONSE_ATTEMPTS = 3;

/** What a custom resource handler answers CloudFormation. */
export interface CustomResourceResult {
  readonly status: 'SUCCESS' | 'FAILED';
  /** Shown in the stack's events; CloudFormation keeps the first 1,000 characters here. */
  readonly reason: string;
  readonly physicalResourceId: string;
  /** Values `Fn::GetAtt` reads; each cut at 1,000 characters. */
  readonly data?: Record<string, string>;
}

/**
 * Sends the result to CloudFormation's pre-signed response URL (AWS CloudFormation user guide, "Custom resource
 * response objects": a PUT of the JSON body, with an empty content type). Each attempt within
 * {@link RESPONSE_TIMEOUT_MS}, at most `attempts` attempts, each failure logged; an answer of HTTP 300 or more counts as
 * a failure. Throws when every attempt failed: the invocation then fails, and CloudFormation times the resource out
 * rather than waiting for an answer that never comes unseen.
 */
export async function sendResponse(event: CustomResourceEvent, result: CustomResourceResult, attempts = RESPONSE_ATTEMPTS): Promise<void> {
  const body = JSON.stringify({
    Status: result.status,
    Reason: result.reason.slice(0, 1000),
    PhysicalResourceId: result.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: Object.fromEntries(Object.entries(result.data ?? {}).map(([k, v]) => [k, v.slice(0, 1000)])),
  });
  let failure: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await put(event.ResponseURL, body);
      return;
    } catch (e) {
      failure = e;
      console.log(JSON.stringify({ level: 'WARN', message: `answering CloudFormation failed (attempt ${attempt} of ${attempts}): ${messageOf(e)}` }));
    }
  }
  throw new Error(`could not answer CloudFormation after ${attempts} attempts: ${messageOf(failure)}`);
}

function put(responseUrl: string, body: string): Promise<void> {
  const url = new URL(responseUrl);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise<void>((resolve, reject) => {
    const req = transport.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: RESPONSE_TIMEOUT_MS,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode !== undefined && res.statusCode >= 300
        ? reject(new Error(`the response URL answered HTTP ${res.statusCode}`)) : resolve()));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the response URL within ${RESPONSE_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function messageOf(e: unknown): string {
  const err = e as Error;
  const name = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${name}${String(err?.message ?? e).split('\n')[0]}`;
}
