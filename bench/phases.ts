/**
 * Where synthesis spends its time, per phase and per kind of construct (a development aid, not part of the bench).
 *
 *   npx tsx bench/phases.ts --variant c --services 500 [--runs 3]
 *
 * Wraps aws-cdk-lib internals: reference discovery (`findTokens` per element, in prepareApp), the template (each
 * element's `_toCloudFormation` and its resolution), tree.json (`synthAttributes` per construct), and the build.
 * CPU time (process.cpuUsage) per bucket, from the last of `--runs` runs in one process (the first warm the JIT).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { buildApp, isVariant } from './app';

// aws-cdk-lib's package exports hide its private modules: load them by file
const cdkCore = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'core', 'lib', 'private');
/* eslint-disable @typescript-eslint/no-require-imports */
const resolveModule = require(path.join(cdkCore, 'resolve.js'));
const treeModule = require(path.join(cdkCore, 'tree-metadata.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

const buckets = new Map<string, number>();
function add(key: string, us: number): void {
  buckets.set(key, (buckets.get(key) ?? 0) + us);
}
function cpu(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** A kind of construct: its CloudFormation type, grouped by where it is (reporting, publisher, dashboard, user). */
function kind(c: IConstruct): string {
  const p = c.node.path;
  const type = CfnResource.isCfnResource(c) ? c.cfnResourceType : c.constructor.name;
  const where = p.includes('/CustomerValueCostPublisher') ? 'publisher' : p.includes('/CustomerValueDashboard') ? 'stack dashboard'
    : p.includes('/CostReporting') ? 'service reporting' : 'user';
  return `${where} ${type}`;
}

let depth = 0;
function wrap<T>(key: string, fn: () => T): T {
  if (depth > 0) {
    return fn();
  }
  depth++;
  const t0 = cpu();
  try {
    return fn();
  } finally {
    add(key, cpu() - t0);
    depth--;
  }
}

const findTokens = resolveModule.findTokens;
resolveModule.findTokens = (scope: IConstruct, fn: () => unknown) => wrap(`refs: ${kind(scope)}`, () => findTokens(scope, fn));

// the template: Stack._toCloudFormation resolves each element's fragment (`this.resolve(e._toCloudFormation())`)
const fragments = new WeakMap<object, IConstruct>();
for (const proto of [CfnElement.prototype, CfnResource.prototype]) {
  const toCfn = proto._toCloudFormation;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (proto as any)._toCloudFormation = function (this: CfnElement) {
    const t0 = cpu();
    const fragment = toCfn.call(this);
    if (depth === 0) {
      add(`template: ${kind(this)}`, cpu() - t0);
    }
    if (fragment && typeof fragment === 'object') {
      fragments.set(fragment, this);
    }
    return fragment;
  };
}
const stackResolve = Stack.prototype.resolve;
Stack.prototype.resolve = function (this: Stack, obj: unknown) {
  const c = obj && typeof obj === 'object' ? fragments.get(obj) : undefined;
  return c ? wrap(`template: ${kind(c)}`, () => stackResolve.call(this, obj)) : stackResolve.call(this, obj);
};
const synthAttributes = treeModule.TreeMetadata.prototype.synthAttributes;
treeModule.TreeMetadata.prototype.synthAttributes = function (construct: IConstruct) {
  return wrap(`tree: ${kind(construct)}`, () => synthAttributes.call(this, construct));
};

/** Inner timers: time inside a function, wherever it is called from (also counted in the bucket around it). */
function inner(key: string, proto: any, name: string): void {
  const original = proto[name];
  let active = 0;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    if (active > 0) {
      return original.apply(this, args);
    }
    active++;
    const t0 = cpu();
    try {
      return original.apply(this, args);
    } finally {
      add(`inner: ${key}`, cpu() - t0);
      active--;
    }
  };
}

function main(): void {
  const argv = process.argv.slice(2);
  const arg = (n: string, d: string) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
  const variant = arg('variant', 'c');
  const services = Number(arg('services', '500'));
  const runs = Number(arg('runs', '2'));
  if (!isVariant(variant)) throw new Error(`unknown variant ${variant}`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  inner('dashboard widgets built (LazyWidgets.layout)', require('../src/reporting/private/lazy-widgets').LazyWidgets.prototype, 'layout');
  inner('dashboard widgets to JSON (LazyWidgets.toJson)', require('../src/reporting/private/lazy-widgets').LazyWidgets.prototype, 'toJson');
  inner('dashboard bodies compiled (ReportingDashboard.compileOnce)', require('../src/reporting/private/dashboard-body').ReportingDashboard.prototype, 'compileOnce');
  inner('dashboard bodies rendered (ReportingDashboard.render, compiling included)', require('../src/reporting/private/dashboard-body').ReportingDashboard.prototype, 'render');
  inner('usage metrics discovered', require('../src/reporting/service-cost-reporting').ServiceCostReporting.prototype, 'discover');
  inner('customer-value:service records built', require('../src/customer-service').CustomerService.prototype, 'declarationRecord');
  inner('service validation (validateService)', require('../src/customer-service').CustomerService.prototype, 'validateService');
  inner('tag aspects (Tag.visit)', require('aws-cdk-lib').Tag.prototype, 'visit');
  inner('stack artifacts with their metadata (addStackArtifactToAssembly)', require(path.join(cdkCore, '..', 'stack-synthesizers', '_shared.js')), 'addStackArtifactToAssembly');
  inner('files written (fs.writeFileSync)', require('fs'), 'writeFileSync');
  inner('construct validations (Node.validate)', require('constructs').Node.prototype, 'validate');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-phases-'));
  let total = 0;
  let build = 0;
  for (let r = 0; r < runs; r++) {
    buckets.clear();
    const t0 = cpu();
    const app = buildApp({ variant, services, outdir: path.join(outdir, String(r)) });
    const t1 = cpu();
    app.synth();
    total = cpu() - t0;
    build = t1 - t0;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  const rows = [...buckets.entries()].sort((a, b) => b[1] - a[1]);
  const sum = (prefix: string) => rows.filter(([k]) => k.startsWith(prefix)).reduce((t, [, v]) => t + v, 0);
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  process.stdout.write(`variant ${variant}, N = ${services}: total ${ms(total)} ms CPU, build ${ms(build)}, synth ${ms(total - build)}\n`);
  for (const phase of ['refs:', 'template:', 'tree:']) {
    const wheres = ['user', 'service reporting', 'stack dashboard', 'publisher'].map((w) => `${w} ${ms(sum(`${phase} ${w} `))}`);
    process.stdout.write(`${phase.padEnd(10)} ${ms(sum(phase))} ms (${wheres.join(', ')})\n`);
  }
  process.stdout.write(`other synth ${ms(total - build - sum('refs:') - sum('template:') - sum('tree:'))} ms\n`);
  for (const [k, v] of rows.filter(([key]) => key.startsWith('inner:'))) {
    process.stdout.write(`${ms(v)} ms  ${k}\n`);
  }
  for (const [k, v] of rows.filter(([key]) => !key.startsWith('inner:')).slice(0, Number(arg('top', '40')))) {
    process.stdout.write(`${ms(v)} ms  ${k}\n`);
  }
}

main();
