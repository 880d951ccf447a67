import type { AthenaSource } from './athena';
import type { CostExplorerSource } from './ce';
import type { CurFileSource } from './cur';
import type { FocusFileSource } from './focus';
import type { CallLimits } from './limits';
import { CostDataError } from '../errors';
import { CostSource } from '../query';

export type SourceKind = 'ce' | 'cur' | 'focus' | 'athena';

export interface SourceOptions {
  readonly kind: SourceKind;
  /** CUR 2.0 or FOCUS files, folders or globs (`--source cur|focus PATH...`). */
  readonly paths: string[];
  /** Page cap, timeouts, deadline and cancellation for the command. */
  readonly limits?: CallLimits;
  readonly profile?: string;
  readonly region?: string;
  readonly athenaDatabase?: string;
  readonly athenaTable?: string;
  readonly athenaWorkgroup?: string;
  readonly athenaOutput?: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The wiring of `--source` to a `CostSource`, in one place. Each source module (and its AWS SDK client or DuckDB)
 * is loaded only when chosen: loading the three SDK clients took a few hundred milliseconds at every start.
 */
export function createSource(o: SourceOptions): CostSource {
  switch (o.kind) {
    case 'ce': {
      const { CostExplorerSource: Source } = require('./ce') as { CostExplorerSource: typeof CostExplorerSource };
      return new Source({ profile: o.profile, limits: o.limits });
    }
    case 'cur': {
      const { CurFileSource: Source } = require('./cur') as { CurFileSource: typeof CurFileSource };
      return new Source({ paths: o.paths, limits: o.limits });
    }
    case 'focus': {
      const { FocusFileSource: Source } = require('./focus') as { FocusFileSource: typeof FocusFileSource };
      return new Source({ paths: o.paths, limits: o.limits });
    }
    case 'athena': {
      const { AthenaSource: Source } = require('./athena') as { AthenaSource: typeof AthenaSource };
      return new Source({
        database: o.athenaDatabase,
        table: o.athenaTable,
        workgroup: o.athenaWorkgroup,
        outputLocation: o.athenaOutput,
        profile: o.profile,
        region: o.region,
        limits: o.limits,
      });
    }
    default:
      // the CLI's parser refuses another --source first (its values are listed in the command's options)
      throw new CostDataError(`--source is ${JSON.stringify(o.kind)}: accepted values are ce, cur, focus, athena`);
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */
