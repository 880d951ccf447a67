import * as fs from 'fs';
import * as path from 'path';
import { awscdk } from 'projen';

/** The suffix of a Lambda handler's entry point. */
export const HANDLER_SUFFIX = '.lambda.ts';

/**
 * Every Lambda handler under `src/` (files named `*.lambda.ts`), relative to the project root, sorted.
 */
export function lambdaHandlers(root: string): string[] {
  const walk = (dir: string): string[] => fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    return e.isDirectory() ? walk(rel) : e.name.endsWith(HANDLER_SUFFIX) ? [rel] : [];
  });
  return walk('src').sort();
}

/**
 * Bundles each handler with esbuild into `assets/<dir>/<name>.lambda/index.js`, the folder
 * `src/private/bundled-function.ts` deploys. projen's Lambda auto-discovery would do the same and, for each handler,
 * also generate a construct file (`<name>-function.ts`) of the same twenty lines; one construct serves them all.
 */
export function addLambdaBundles(project: awscdk.AwsCdkConstructLibrary): void {
  for (const entrypoint of lambdaHandlers(project.outdir)) {
    project.bundler.addBundle(entrypoint, {
      // The runtime the functions get is the newest the region offers (src/private/node-runtime.ts), Node.js 22 or later.
      target: 'node22',
      platform: 'node',
      // Lambda provides the AWS SDK v3; keep it out of the bundles.
      externals: ['@aws-sdk/*'],
      tsconfigPath: project.tsconfigDev.fileName,
    });
    // A handler imports the AWS SDK clients the Lambda runtime provides (devDependencies here).
    project.eslint?.allowDevDeps(entrypoint);
  }
}
