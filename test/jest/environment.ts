/**
 * The jest test environment: Node's, plus one CloudFormation validator engine per jest worker.
 *
 * aws-cdk-lib runs AWS's offline CloudFormation validator (`@aws/cloudformation-validate`, a 9 MB WebAssembly
 * module) at every synthesis. Building its engine takes 4 to 6 s of CPU time, and jest gives every test file a fresh
 * module registry, so without this each test file built it again, and again whenever a synthesis brought a
 * resource type the engine had not seen (about two thirds of the suite's time). This environment is loaded
 * once per worker, outside the test files' registries: it keeps the real module and its engines, and hands
 * them to the test files (see cfn-validate.ts, which jest's moduleNameMapper puts in place of the module).
 * Every template is still validated by the same engine, built from the same configuration, as without it.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

type Module = Record<string, any>;

/** Engines by configuration (the rules aws-cdk-lib passes depend on the resource types it has seen). */
const ENGINES = new Map<string, object>();
let shared: Module | undefined;
/** CPU seconds this worker spent building engines and validating templates (for CUSTOMER_VALUE_TEST_CPU_LOG). */
const VALIDATOR_CPU = { build: 0, validate: 0, templates: 0 };

function cpuSecondsOf<T>(f: () => T): [T, number] {
  const start = process.cpuUsage();
  const result = f();
  const used = process.cpuUsage(start);
  return [result, (used.user + used.system) / 1e6];
}

/**
 * A copy made in this realm of a plain object or array from a test file's realm: the engine's bindings accept
 * only plain objects of their own realm (configuration and options are JSON data).
 */
function toThisRealm(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  const plain = proto === null || Array.isArray(value) || proto.constructor?.name === 'Object';
  return plain ? JSON.parse(JSON.stringify(value)) : value;
}

/** The real module, loaded by Node once per worker, with `CompositeEngine` built once per configuration. */
function sharedModule(): Module {
  if (!shared) {
    const fromCdk = createRequire(require.resolve('aws-cdk-lib/package.json'));
    const real = fromCdk('@aws/cloudformation-validate') as Module;
    const RealEngine = real.CompositeEngine;
    // `new SharedEngine(config)` returns the engine already built for that configuration. aws-cdk-lib frees its
    // engine before building one for a new configuration: an engine kept here stays usable for later test files.
    function SharedEngine(config: unknown): object {
      const key = JSON.stringify(config ?? null);
      const known = ENGINES.get(key);
      if (known) {
        return known;
      }
      const [built, buildSeconds] = cpuSecondsOf(() => new RealEngine(toThisRealm(config)));
      VALIDATOR_CPU.build += buildSeconds;
      const engine = new Proxy(built, {
        get(target, prop) {
          if (prop === 'free' || prop === Symbol.dispose) {
            return () => undefined;
          }
          const value = Reflect.get(target, prop, target);
          if (typeof value !== 'function') {
            return value;
          }
          return (...args: unknown[]) => {
            const [result, seconds] = cpuSecondsOf(() => value.apply(target, args.map(toThisRealm)));
            VALIDATOR_CPU.validate += seconds;
            VALIDATOR_CPU.templates += prop === 'validateTemplate' ? 1 : 0;
            return result;
          };
        },
      });
      ENGINES.set(key, engine);
      return engine;
    }
    SharedEngine.prototype = RealEngine.prototype;
    shared = { ...real, CompositeEngine: SharedEngine };
  }
  return shared;
}

/**
 * CPU seconds (user + system) of this process's children that have ended, from /proc (Linux): what a test file's
 * `cdk synth`, CLI or browser processes used. undefined where /proc is missing.
 */
function childrenCpuSeconds(): number | undefined {
  try {
    // fields after the command's closing parenthesis: cutime and cstime are the 14th and 15th, in clock ticks (100/s)
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

export default class CustomerValueTestEnvironment extends TestEnvironment {
  /**
   * CUSTOMER_VALUE_TEST_CPU_LOG=<file>: each test file appends one JSON line with its wall time and its CPU time, its
   * own and its child processes'. On the shared 2-core machine the CPU time is the figure that does not depend on the
   * load; CONTRIBUTING ("Test tiers") uses it to place a suite in `test` or `test:slow`.
   */
  private readonly cpuLog = process.env.CUSTOMER_VALUE_TEST_CPU_LOG;
  private readonly testPath: string;
  private start?: { cpu: NodeJS.CpuUsage; children?: number; wall: number; validator: typeof VALIDATOR_CPU };

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    (this.global as any).__customerValueCfnValidate = sharedModule;
    this.testPath = context.testPath;
  }

  async setup(): Promise<void> {
    if (this.cpuLog) {
      this.start = { cpu: process.cpuUsage(), children: childrenCpuSeconds(), wall: Date.now(), validator: { ...VALIDATOR_CPU } };
    }
    await super.setup();
  }

  async teardown(): Promise<void> {
    await super.teardown();
    if (this.cpuLog && this.start) {
      const cpu = process.cpuUsage(this.start.cpu);
      const children = childrenCpuSeconds();
      fs.appendFileSync(this.cpuLog, JSON.stringify({
        file: this.testPath,
        wallSeconds: (Date.now() - this.start.wall) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        childrenCpuSeconds: children !== undefined && this.start.children !== undefined ? children - this.start.children : undefined,
        // part of cpuSeconds: the CloudFormation validator's engine builds (once per worker and configuration) and its
        // template validations
        validatorEngineBuildCpuSeconds: VALIDATOR_CPU.build - this.start.validator.build,
        validatorCpuSeconds: VALIDATOR_CPU.validate - this.start.validator.validate,
        validatedTemplates: VALIDATOR_CPU.templates - this.start.validator.templates,
      }) + '\n');
    }
  }
}
