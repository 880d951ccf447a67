import { awscdk, javascript, DependencyType, JsonFile } from 'projen';
import { addLambdaBundles } from './projenrc/lambda-bundles';
import { COST_DATA_NO_CDK, layerZones } from './projenrc/layers';
import { DUCKDB_RECOMMENDED } from './src/cost-data/sources/duckdb-version';

/**
 * cdk-customer-value: every service tied to the customer value it delivers.
 *
 * projen owns every generated file (package.json, tsconfig*, .projen/, workflows).
 * Change this file and run `npx projen`; never edit the generated files by hand.
 */

// Peer floor: cdk-nag 3 (the `Validations` plugin API) walks the construct tree the validation context hands it
// (`IPolicyValidationContext.appConstruct`), which aws-cdk-lib provides from 2.258.0 on. cdk-nag 3.0.2 declares
// ^2.257.0, but with 2.257.0 every pack fails ("NagPack requires a construct tree on the validation context"), which
// `cdk synth` only records in the validation report and exits 0: no check runs. scripts/consumer-app.ts synthesizes
// the quick start at this floor and fails on a pack that did not run.
const CDK_FLOOR = '2.258.0';
// What we build and test against: 2.276.0 bundles AWS's offline CloudFormation validator
// (`@aws/cloudformation-validate`) and runs it at synth as the "CloudFormation Validate" plugin.
const CDK_TESTED = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-customer-value',
  description:
    'AWS CDK constructs that tie every service to the customer value it delivers: a CustomerService refuses to synthesize without a declared customer need, customer, owning team and business unit, tags every resource with them, and wires up cost and usage reporting (budgets, dashboards, unit cost, cost categories, anomaly detection, CUR 2.0 with Athena).',
  author: 'cdk-customer-value maintainers',
  authorAddress: 'maintainers@cdk-customer-value.dev',
  repositoryUrl: 'https://github.com/cdk-customer-value/cdk-customer-value.git',
  keywords: ['cdk', 'aws-cdk', 'finops', 'cost', 'tagging', 'budgets', 'cur', 'unit-cost', 'cdk-nag', 'customer-value'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  stability: 'experimental',

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '^6.0.3',

  peerDeps: ['cdk-nag@^3.0.2'],
  // Peers are listed with explicit dev versions below: we test against a newer aws-cdk-lib than the floor.
  peerDependencyOptions: { pinnedDevDependency: false },
  // Runtime dependencies of the `customer-value` CLI (not part of the jsii API), bundled as jsii requires.
  bundledDeps: [
    '@aws-sdk/client-cost-explorer@^3.1138.0',
    '@aws-sdk/client-athena@^3.1138.0',
    '@aws-sdk/client-cloudwatch@^3.1138.0',
    // --registry: the organization's declaration registry (S3), and its accounts (AWS Organizations) for stale entries
    '@aws-sdk/client-s3@^3.1138.0',
    '@aws-sdk/client-organizations@^3.1138.0',
    'yaml@^2',
  ],
  devDeps: [
    `aws-cdk-lib@${CDK_TESTED}`,
    'cdk-nag@^3.0.2',
    'aws-cdk@^2',
    'tsx',
    '@types/node@^20',
    '@types/aws-lambda',
    'aws-sdk-client-mock',
    // The cost allocation tag function's registry of live declarations (Parameter Store); Lambda provides the SDK.
    '@aws-sdk/client-ssm@^3.1138.0',
    // The value-review function notifies over SNS; Lambda provides the SDK (S3 is a bundled dependency: the CLI's --registry).
    '@aws-sdk/client-sns@^3.1138.0',
    // s3rver is the local S3-compatible server the declaration registry's tests write and read entries on (test/registry/).
    's3rver',
    // The Markdown reports are read back by CommonMark's reference parser (test/cli/markdown-pack.test.ts).
    'commonmark@^0.31.2',
    // The CUR 2.0 reader loads DuckDB on demand, at the release src/cli/sources/duckdb-version.ts names. It is a
    // 68 MB native binary that users who read CUR 2.0 files install themselves, and not a peer dependency: a jsii
    // package may only declare jsii modules as dependencies or peers (jsii refuses to compile, and jsii-reflect,
    // hence jsii-pacmak, jsii-docgen and Construct Hub, fail to load the published package, with or without DuckDB
    // installed; scripts/consumer-app.ts checks the published package loads).
    `@duckdb/node-api@${DUCKDB_RECOMMENDED}`,
    'playwright-core',
    // The CloudFormation registry schemas as compiled by the CDK team: scripts/generate-create-only-tags.ts derives
    // the resource types whose tags are create-only from it.
    '@aws-cdk/aws-service-spec',
    'esbuild',
    // test/jest/environment.ts extends jest's Node environment (one CloudFormation validator engine per worker).
    'jest-environment-node',
    'constructs@10.5.1',
    // Loads the packed package as jsii tools do (scripts/consumer-app.ts).
    'jsii-reflect',
    // Property-based tests: cost allocation over random value chains conserves every cent (test/cli/allocation.test.ts).
    'fast-check',
  ],

  // jsii targets: source generation is proven offline by `npx projen package:code-only`;
  // real packaging (PyPI, Maven Central, NuGet, Go proxy) needs a CI runner with internet access.
  publishToPypi: { distName: 'cdk-customer-value', module: 'cdk_customer_value' },
  publishToMaven: {
    javaPackage: 'dev.cdkcustomervalue',
    mavenGroupId: 'dev.cdk-customer-value',
    mavenArtifactId: 'cdk-customer-value',
  },
  publishToNuget: { dotNetNamespace: 'CdkCustomerValue', packageId: 'CdkCustomerValue' },
  publishToGo: { moduleName: 'github.com/cdk-customer-value/cdk-customer-value-go' },

  // The Lambda handlers (src/**/*.lambda.ts) are bundled by projenrc/lambda-bundles.ts and deployed by one construct,
  // src/private/bundled-function.ts, instead of a generated construct file per handler.
  lambdaAutoDiscover: false,


  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 180_000,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Synthesis is CPU-bound and the CI machine has 2 cores.
      maxWorkers: 2,
      // V8 coverage counts every function the tests run, aws-cdk-lib's included: a third of the suite's CPU time.
      // `npx projen test:coverage` writes the report to coverage/ when you want it.
      collectCoverage: false,
      // One CloudFormation validator engine per jest worker instead of one per test file (test/jest/environment.ts).
      testEnvironment: '<rootDir>/test/jest/environment.ts',
      moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/jest/cfn-validate.ts' },
      // esbuild instead of ts-jest (which projen still installs): the same transpile-only semantics, 20 times faster.
      transform: { '^.+\\.[t]sx?$': new javascript.Transform('<rootDir>/test/jest/esbuild-transform.js') },
    },
  },

  tsconfigDev: {
    // test/tsconfig.json: the paths are relative to test/.
    include: ['../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts', 'build-tools', 'projenrc'],
    // eslint's cache (by file content) lints again only the files that changed since the last run: 75 to 81 s of CPU
    // time for the whole tree, 39 s after a change to four files (building the type program is most of it). Its limit: a rule that reads other files
    // (import/no-cycle, the type-aware rules such as no-floating-promises) does not run again on an unchanged file
    // whose imports changed. CI lints a clean clone, without a cache, so everything; locally `npx projen eslint
    // --no-cache` does too.
    commandOptions: { extraArgs: ['--cache', '--cache-strategy=content', '--cache-location=node_modules/.cache/eslint/'] },
  },

  // cdk.context.json: the cdk CLI writes an empty one when the demo synthesizes the examples (they need no lookups).
  gitignore: ['cdk.out/', '*.cdk.out/', '.jsii.tabl.json', 'bench/out/', '/dist-code-only/', '.tmp/', '/cdk.context.json', '/customer-value-sample/'],
});

addLambdaBundles(project);

// The peer floor is what users need; we build and test against CDK_TESTED on purpose, so jsii's
// "devDependency should equal the peer floor" warning is expected and silenced.
project.deps.addDependency('constructs@10.5.1', DependencyType.BUILD);
project.compileTask.reset('jsii --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency');

// A package without its Lambda bundles (assets/) installs fine and then fails at synth in the user's app
// ("Cannot find asset") for every service with cost reporting. So package:js bundles before it packs and checks
// the tarball it packed; and the package's prepack script (run by npm pack, npm publish and jsii-pacmak) refuses
// to pack without them, naming the missing bundles.
const checkAssets = project.addTask('package:check-assets', {
  description: 'Fail, naming them, when the Lambda bundles lib/ loads are missing (the prepack check)',
  exec: 'tsx scripts/check-package-assets.ts',
});
project.package.setScript('prepack', `projen ${checkAssets.name}`);
const packageJs = project.tasks.tryFind('package:js')!;
packageJs.prependSpawn(project.bundler.bundleTask);
// jsii-pacmak packs lib/ and .jsii: on a fresh clone (or after a change under src/) compile them first, instead of
// failing with the reason inside jsii-pacmak's stack trace.
packageJs.prependExec('tsx scripts/ensure-compiled.ts');
packageJs.exec('tsx scripts/check-package-assets.ts --tarball dist/js');

// The npm user's first hour, on the packed tarball: fresh `cdk init` apps, with the newest and with the lowest versions
// the peer ranges allow, install it, synthesize the README's quick start and run the installed CLI (CI runs it after
// the build; locally after `npx projen package:js`).
project.addTask('package:consumer-app', {
  description: 'Install the packed tarball into fresh cdk init apps (newest and lowest allowed versions), synthesize the README quick start, run the installed CLI',
  exec: 'tsx scripts/consumer-app.ts',
  // --prepare DIR / --prepared DIR (CI: the apps are installed while the build packs), --only newest|lowest, TARBALL
  receiveArgs: true,
});

// The local `package` task: JS package plus an offline proof of the other jsii targets.
// `npx projen package-all` builds every language package and needs PyPI / Maven Central / NuGet / Go.
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);

project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('CDK_DISABLE_CLI_TELEMETRY', 'true');

// What the demo, the tests and the CLI write in a clone stays out of the package too: npm packs what .npmignore does not
// exclude, whatever .gitignore says (a clone's cdk.out, which the demo writes, made the tarball 5.7 MB instead of 3.1 and
// raced the demo when package:code-only packed next to it).
for (const p of ['/examples/', '/bench/', '/scripts/', '/.ci/', '/rosetta/', '/dist-code-only/', '/.tmp/', '/CONTRIBUTING.md',
  '/cdk.out/', '*.cdk.out/', '/cdk.context.json', '/customer-value-sample/']) {
  project.npmignore?.exclude(p);
}
// Golden files are compared byte for byte (CSV output uses CRLF line ends, RFC 4180): no line-end conversion.
project.gitattributes.addAttributes('/test/cli/golden/**', '-text');

// Ship the CLI launcher.
project.npmignore?.include('/bin/');

// jsii-pacmak source generation for every target language works offline; packaging needs registries.
// jsii-pacmak packs the npm tarball first, whatever the targets (npm pack with the bundled CLI dependencies: about 35 s
// of CPU time, most of its run), and the JS target of --code-only is that tarball: so one run gives the JS package
// (dist/js, the same tarball package:js writes) and the other languages' sources, and CI's build runs this instead of
// package:js then package:code-only (43.7 s of CPU time against 42.6 + 50.4).
const codeOnly = project.addTask('package:code-only', {
  description: 'The npm tarball (dist/js) and the Python, Java, .NET and Go sources (dist-code-only/) from one jsii-pacmak run (offline proof of the jsii targets)',
  steps: [
    ...packageJs.steps.filter((step) => !step.execArgs?.includes('jsii-pacmak') && !step.exec?.includes('check-package-assets')),
    { exec: 'jsii-pacmak -v --code-only --target js --target python --target java --target dotnet --target go --outdir dist-code-only' },
    // projen runs a command without a shell
    { exec: "bash -c 'mkdir -p dist/js && rm -f dist/js/*.tgz && mv dist-code-only/js/*.tgz dist/js/ && rmdir dist-code-only/js'" },
    ...packageJs.steps.filter((step) => step.exec?.includes('check-package-assets')),
  ],
});

// The main job: synthesize the examples and read back the declared services and their cost.
// examples/, scripts/ and bench/ are type-checked and linted like the tests: each gets a tsconfig extending the
// tests' one, so eslint's project service finds them.
for (const dir of ['examples', 'scripts', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
  });
}

// jest transpiles without type-checking (test/jest/esbuild-transform.js), so the tests, the examples they synthesize,
// the scripts and the benchmarks are type-checked in a step of their own: `typecheck-and-lint:types` below (in
// test:slow, so in CI). This task is the same check alone, for a developer:
// --incremental keeps what the last run found (node_modules/.cache/): after a change tsc checks again the files the
// change can affect, as it does in watch mode.
project.addTask('typecheck', {
  description: 'Type-check the tests, examples, scripts and benchmarks (incremental; CI runs typecheck-and-lint:types)',
  exec: 'tsc -p test/tsconfig.json --noEmit --incremental --tsBuildInfoFile node_modules/.cache/typecheck/test.tsbuildinfo',
});

// Data flows one way (declaration -> tags -> metadata -> reporting/billing -> CLI): an import cycle in src/ fails the
// lint (only src/: the rule doubles eslint's time over the whole tree).
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] } });
// The layers of src/ (CONTRIBUTING.md, "Layers"; projenrc/layers.ts): which folder may import which, private/ folders
// used by their own area only, the cost engine free of the CLI, the billing and reporting constructs and the CDK.
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { 'import/no-restricted-paths': ['error', { zones: layerZones(__dirname) }] } });
project.eslint?.addOverride({ files: ['src/cost-data/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', COST_DATA_NO_CDK] } });

// The type-aware rules run in `typecheck-and-lint:types` (in test:slow, so in CI), not in `eslint`: they need a
// TypeScript program of the whole tree. From a clean clone eslint took 83 s of CPU time, 42 % of it in
// no-floating-promises; without them `eslint` parses each file on its own (about half the time) and the rules that
// read other files, import/no-cycle and the layers (import/no-restricted-paths), stay in it.
const TYPE_AWARE_RULES = ['@typescript-eslint/no-floating-promises', '@typescript-eslint/return-await'];
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
const parserOptions = project.eslint!.config.parserOptions;
const typeAwareRules = Object.fromEntries(TYPE_AWARE_RULES.map((rule) => [rule, project.eslint!.rules[rule]]));
for (const rule of TYPE_AWARE_RULES) {
  eslintrc.addOverride(`rules.${rule}`, 'off');
}
eslintrc.addDeletionOverride('parserOptions.projectService');
new JsonFile(project, '.eslintrc.types.json', {
  allowComments: true, // the projen marker as a comment: eslint refuses a "//" key
  obj: {
    root: true,
    parser: '@typescript-eslint/parser',
    // every plugin of .eslintrc.json, so the files' eslint-disable comments name rules eslint knows
    plugins: project.eslint!.config.plugins,
    parserOptions,
    ignorePatterns: project.eslint!.ignorePatterns,
    rules: typeAwareRules,
  },
});
project.npmignore?.exclude('/.eslintrc.types.json');
// tsc and the type-aware rules read one TypeScript program (build-tools/typecheck-and-lint.ts): 52 s of CPU time from
// a clean clone, where tsc (33 s) and eslint with its project service (58 s, a program per tsconfig) took 91 s. It
// runs in the slow tier, beside its suites; `npx projen test` keeps the untyped, cached lint (CONTRIBUTING, "Test and
// CI time").
project.npmignore?.exclude('/build-tools/');
const eslintTypes = project.addTask('typecheck-and-lint:types', {
  description: 'The type check (tsc -p test/tsconfig.json) and the type-aware lint rules (no-floating-promises, return-await) over one TypeScript program, without a cache',
  steps: [{
    execArgs: ['tsx', 'build-tools/typecheck-and-lint.ts', ...project.eslint!.lintPatterns, '.projenrc.ts'],
  }],
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
});

const bundleTask = project.bundler.bundleTask;
// One esbuild process for every handler instead of one projen step each: the four steps took about 8.5 s of CPU time
// (mostly starting processes; esbuild itself needs 0.2 s), and test, test:slow, the build, package:js and the demo
// each bundle. Same flags as projen's per-handler tasks (bundle:<handler>, still there, with their :watch), same files
// written: assets/<dir>/<name>/index.js for src/<dir>/<name>.ts. scripts/bundle.js runs esbuild into a scratch folder
// and renames each file into assets/, so a test or npm pack reading a bundle meanwhile (CI builds the package beside
// the slow test tier) never reads one esbuild is rewriting.
const handlerBundles = project.tasks.all.filter((t) => /^bundle:.*\.lambda$/.test(t.name));
const bundleArgs = handlerBundles.map((t) => t.steps[0].execArgs!);
bundleTask.reset();
bundleTask.exec('esbuild');
bundleTask.updateStep(0, {
  execArgs: [
    'node', 'scripts/bundle.js',
    ...bundleArgs[0].filter((a) => a !== 'esbuild' && !a.startsWith('--outfile=') && !a.endsWith('.ts')),
    ...bundleArgs.map((args) => args.find((a) => a.endsWith('.ts'))!),
    '--outbase=src', '--outdir=assets', '--entry-names=[dir]/[name]/index',
  ],
});
// Tests synthesize stacks holding the Lambda handlers, so the handlers are bundled first.
project.testTask.prependSpawn(bundleTask);

// Two test tiers (CONTRIBUTING, "Test tiers"): `test` runs the unit and synthesis tests, in about a minute of wall time
// on an idle 2-core machine; `test:slow` runs the suites that spend their time outside jest's process (the cdk CLI, the
// customer-value CLI as a process, a browser, the benchmark harness) or compile the README. CI runs both. Each path
// here runs in `test:slow` only; `npx jest <path>` runs any file alone, and `npx jest` runs every file.
const SLOW_TESTS = [
  // every README snippet compiled by tsc, the examples synthesized, the README's CLI commands run and compared
  'test/readme.test.ts',
  // `cdk synth` of the examples, with the cdk CLI in a process of its own
  'test/examples/pipeline.test.ts',
  // the benchmark harness at its smallest sizes (synthesis and CLI runs in child processes)
  'test/bench/smoke.test.ts',
  // the customer-value CLI as a process: exit codes, pipes, signals, concurrent writers
  'test/cli/process.test.ts',
  'test/cli/signals.test.ts',
  'test/cli/outputs.test.ts',
  // FOCUS files shaped like other providers' (Microsoft, Google Cloud, AWS, a three-provider file), every figure the CLI
  // reports compared with a plain DuckDB query: about 20 s of CPU time, the most of any suite
  'test/cli/cost-focus-providers.test.ts',
  // two apps' registrations on a local S3 server (s3rver, a process of its own) read by every CLI reader and the scheduled
  // function: about 20 s of CPU time
  'test/registry/cli-registry.test.ts',
  // HTML reports opened in Debian's chromium
  'test/cli/html.test.ts',
  'test/cli/review-html.test.ts',
  // the demo's synthesis of an example in its own process (value-review.ts: about 8 s of CPU time)
  'test/demo.test.ts',
];
const jestStep = project.testTask.steps.findIndex((step) => step.exec?.startsWith('jest ') || step.execArgs?.[0] === 'jest');
project.testTask.updateStep(jestStep, {
  // one --testPathIgnorePatterns=<regex> per path (a bare `--testPathIgnorePatterns a b` would take the paths a user
  // adds, `npx projen test test/cli`, as more patterns)
  execArgs: ['jest', '--passWithNoTests', '--ci', ...['/node_modules/', ...SLOW_TESTS.map((t) => `/${t.replace(/\./g, '\\.')}$`)]
    .map((pattern) => `--testPathIgnorePatterns=${pattern}`)],
  receiveArgs: true,
});
// `npx projen test` lints beside jest rather than after it: jest keeps both cores busy but for its last files, and the
// lint (one core, 35 s of CPU time from a clean clone, as in CI; a second or two with its cache) would otherwise run
// alone at the end. Its output and exit status follow jest's; a failed jest run stops the task, as before (the lint
// then ends on its own). Started in the bundle step, with its output in .tmp/, so the jest step stays as it is.
const lintStep = project.testTask.steps.findIndex((step) => step.spawn === 'eslint');
project.testTask.updateStep(lintStep, {
  say: 'eslint (started beside jest)',
  exec: 'bash -c \'while [ ! -f .tmp/eslint.status ]; do sleep 0.2; done; cat .tmp/eslint.log; exit "$(cat .tmp/eslint.status)"\'',
});
project.testTask.updateStep(project.testTask.steps.findIndex((step) => step.spawn === bundleTask.name), {
  exec: 'bash -c \'mkdir -p .tmp && rm -f .tmp/eslint.status && { projen eslint >.tmp/eslint.log 2>&1; echo $? >.tmp/eslint.status; } </dev/null >/dev/null 2>&1 & projen bundle\'',
});
project.addTask('test:slow', {
  description: 'The slow test tier: README compile, the examples\' cdk synth, the CLI as a process, the browser, the benchmark smoke; the type check and the type-aware lint rules',
  steps: [
    { spawn: bundleTask.name },
    // with no paths given, the type-aware lint (one core, about 60 s of CPU time from a clean clone) runs beside the
    // suites, which wait on their child processes part of the time; its output follows jest's
    {
      exec: `bash -c 'if [ $# -eq 0 ]; then mkdir -p .tmp; projen ${eslintTypes.name} >.tmp/eslint-types.log 2>&1 & lint=$!; fi; `
        + `jest --ci --runTestsByPath ${SLOW_TESTS.join(' ')} "$@"; tests=$?; lint_status=0; `
        + 'if [ -n "${lint:-}" ]; then wait $lint || lint_status=$?; cat .tmp/eslint-types.log; fi; '
        + '[ $tests -ne 0 ] && exit $tests; exit $lint_status\' test:slow',
      receiveArgs: true,
    },
  ],
});

// CI runs projen synthesis first, alone (`npx projen`: it rewrites the generated files the tests, the lint and the build
// read), then the rest of `build` (bundle, jsii compile, API.md, JS package) with this task beside the tests, which it
// runs with the README's commands (`npx projen test`, `npx projen test:slow`), instead of `build` running them again.
// Its packaging is package:code-only: the JS package package:js writes, and the other languages' sources, from one
// jsii-pacmak run.
project.addTask('build:no-test', {
  description: 'Everything `build` does except projen synthesis (`npx projen`) and the tests (CI runs them beside it), packaging with package:code-only (the JS package and the other languages\' sources)',
  steps: project.buildTask.steps.filter((step) => step.spawn !== project.testTask.name && step.spawn !== project.defaultTask?.name)
    .map((step) => (step.spawn === packageTask.name ? { spawn: codeOnly.name } : step)),
});

project.addTask('test:coverage', {
  description: 'Run the tests with a coverage report (coverage/)',
  exec: 'jest --coverage --passWithNoTests --ci',
  receiveArgs: true,
});

project.addTask('demo', {
  description: 'Synthesize the examples, list the declared services, and report cost per customer value from the sample CUR 2.0 export',
  steps: [{ spawn: 'bundle' }, { exec: 'tsx scripts/demo.ts' }],
});

project.addTask('bench', {
  description: 'Run the synth and report benchmarks (results go to bench/RESULTS.md)',
  exec: 'tsx bench/run.ts',
});

project.synth();
