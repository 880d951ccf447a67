/**
 * The jest test environment: Node's, plus one CloudFormation validator engine per jest worker.
 *
 * aws-cdk-lib runs AWS's offline CloudFormation validator (`@aws/cloudformation-validate`, a 9 MB WebAssembly
 * module) at every synthesis. Building its engine takes about 2.5 s, and jest gives every test file a fresh
 * module registry, so without this each test file built it again, and again whenever a synthesis brought a
 * resource type the engine had not seen (about two thirds of the suite's time). This environment is loaded
 * once per worker, outside the test files' registries: it keeps the real module and its engines, and hands
 * them to the test files (see cfn-validate.ts, which jest's moduleNameMapper puts in place of the module).
 * Every template is still validated by the same engine, built from the same configuration, as without it.
 */
import { createRequire } from 'module';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

type Module = Record<string, any>;

/** Engines by configuration (the rules aws-cdk-lib passes depend on the resource types it has seen). */
const ENGINES = new Map<string, object>();
let shared: Module | undefined;

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
      const built = new RealEngine(toThisRealm(config));
      const engine = new Proxy(built, {
        get(target, prop) {
          if (prop === 'free' || prop === Symbol.dispose) {
            return () => undefined;
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (...args: unknown[]) => value.apply(target, args.map(toThisRealm)) : value;
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

export default class CustomerValueTestEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    (this.global as any).__customerValueCfnValidate = sharedModule;
  }
}
