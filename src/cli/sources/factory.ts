import { AthenaSource } from './athena';
import { CostExplorerSource } from './ce';
import { CurFileSource } from './cur';
import { CostSource } from './types';
import { UsageError } from '../errors';

export type SourceKind = 'ce' | 'cur' | 'athena';

export interface SourceOptions {
  readonly kind: SourceKind;
  /** CUR 2.0 files, folders or globs (`--source cur PATH...`). */
  readonly paths: string[];
  readonly profile?: string;
  readonly region?: string;
  readonly athenaDatabase?: string;
  readonly athenaTable?: string;
  readonly athenaWorkgroup?: string;
  readonly athenaOutput?: string;
}

/** The wiring of `--source` to a `CostSource`, in one place. */
export function createSource(o: SourceOptions): CostSource {
  switch (o.kind) {
    case 'ce':
      return new CostExplorerSource({ profile: o.profile });
    case 'cur':
      return new CurFileSource({ paths: o.paths });
    case 'athena':
      return new AthenaSource({
        database: o.athenaDatabase,
        table: o.athenaTable,
        workgroup: o.athenaWorkgroup,
        outputLocation: o.athenaOutput,
        profile: o.profile,
        region: o.region,
      });
    default:
      throw new UsageError(`--source is ${JSON.stringify(o.kind)}: accepted values are ce, cur, athena`, 'cost');
  }
}
