// Over 400 lines on purpose: one source (Athena) with its two table kinds (CUR 2.0, FOCUS) sharing the query lifecycle
// (start, poll, page, stop on signals); the SQL and the reading of results live in cur-query.ts and focus-table.ts.
import {
  AthenaClient, AthenaClientConfig, GetQueryExecutionCommand, GetQueryResultsCommand, GetQueryResultsCommandOutput, GetTableMetadataCommand,
  QueryExecution, StartQueryExecutionCommand, StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { absentTagKeys, curCostSql, curCostTable, curKeyCollisions, curNotes, explainAbsentKeys } from './cur-query';
import { absentFocusKeys, emptyCostNote, focusCostTable, groupAbsentMessage, serviceAbsentNote } from './focus-table';
import { CallLimits, MAX_ATTEMPTS, PageTokens, StoppedError } from './limits';
import { matchesByMonth, matchesOfRows, MatchTarget, sourceMatchSql } from '../attribution/file-sources';
import { CUR_RULE_SOURCE_COLUMNS, FOCUS_RULE_SOURCE_COLUMNS } from '../attribution/rules';
import { CostDataError, awsError, firstLine } from '../errors';
import { dimensionRefusal } from '../grouping';
import { curMetric, focusMetric } from '../metrics';
import { CostQuery, CostResult, CostSource, RuleMatch } from '../query';
import { SqlDialect } from '../query-terms';
import { CUR_2_0_SCHEMA } from '../schemas/cur-schema';
import { CurQueries } from '../schemas/cur-sql';
import { FOCUS_1_2_SCHEMA } from '../schemas/focus-schema';
import { FocusQueries } from '../schemas/focus-sql';
import { lastMonthBefore } from '../schemas/sql-util';

/** The names the `CostAndUsageExport` construct gives its Glue database, table and Athena workgroup by default. */
export const ATHENA_DEFAULTS = {
  database: 'customer_value',
  table: 'cur2',
  workgroup: 'customer-value',
  billingPeriodColumn: 'billing_period',
} as const;

/** The Glue table the `CostAndUsageExport` construct creates over its FOCUS 1.2 export, by default. */
export const ATHENA_FOCUS_TABLE = 'focus';

const PERMISSIONS = 'athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, athena:GetTableMetadata, glue:GetTable, glue:GetPartitions, '
  + 's3:GetObject/ListBucket on the export bucket and s3:PutObject on the query results location';

export interface AthenaSourceOptions {
  /** Glue database of the CUR 2.0 table. @default 'customer_value' */
  readonly database?: string;
  /** Glue table over the CUR 2.0 export. @default 'cur2' */
  readonly table?: string;
  /** Athena workgroup. @default 'customer-value' */
  readonly workgroup?: string;
  /**
   * Where Athena writes results (`s3://bucket/prefix/`).
   * @default - the workgroup's own location (the CostAndUsageExport workgroup enforces one)
   */
  readonly outputLocation?: string;
  /**
   * The table's partition column holding the billing period (`YYYY-MM`); the query filters on it so Athena reads only
   * the months of the period. Empty string: no partition filter.
   * @default 'billing_period'
   */
  readonly billingPeriodColumn?: string;
  /** Named profile (`--profile`), like the AWS CLI. */
  readonly profile?: string;
  /** Region of the Athena workgroup and Glue table (`--region`). @default - the SDK's region chain */
  readonly region?: string;
  /** SDK attempts per request, including the first (throttling and transient errors are retried). @default 5 */
  readonly maxAttempts?: number;
  /** First wait between status polls, in ms; it grows by half up to `maxPollIntervalMs`. @default 500 */
  readonly pollIntervalMs?: number;
  /** @default 5000 */
  readonly maxPollIntervalMs?: number;
  /** Longest wait for a query; it is stopped after that. @default 1800000 (30 minutes) */
  readonly timeoutMs?: number;
  /** Page cap, timeouts, deadline and cancellation. @default - default page cap and timeouts, no deadline */
  readonly limits?: CallLimits;
  /** Extra client configuration (tests). */
  readonly clientConfig?: AthenaClientConfig;
}

/** The result columns the CUR 2.0 and FOCUS cost queries read (`CurQueries.costBy`, `FocusQueries.costBy`). */
const CUR_RESULT_COLUMNS = ['service', 'group_value', 'usage_date', 'currency', 'amount'];
const FOCUS_RESULT_COLUMNS = ['service', 'group_value', 'usage_date', 'provider', 'currency', 'amount'];

/** The result columns of the attribution rules' match query (`matchSql`). */
const MATCH_RESULT_COLUMNS = ['rule_index', 'stack', 'usage_date', 'currency', 'amount', 'non_resource'];

/** Longest wait for StopQueryExecution when a command ends early. */
const STOP_TIMEOUT_MS = 10_000;

interface QueryOutcome {
  readonly rows: Array<Record<string, string>>;
  readonly bytesScanned: number;
  readonly id: string;
}

/**
 * Cost from Athena over the CUR 2.0 table of the `CostAndUsageExport` construct: the same `CurQueries` SQL as the
 * CUR file source (Athena dialect), run with StartQueryExecution, polled with GetQueryExecution (growing intervals),
 * read with GetQueryResults page by page (NextToken). Reports the bytes scanned (Athena bills per byte scanned).
 */
export class AthenaSource implements CostSource {
  private readonly limits: CallLimits;

  constructor(private readonly options: AthenaSourceOptions = {}) {
    this.limits = options.limits ?? CallLimits.withoutDeadline();
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? MAX_ATTEMPTS;
  }

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const o = this.options;
    const database = o.database ?? ATHENA_DEFAULTS.database;
    const tableName = o.table ?? ATHENA_DEFAULTS.table;
    let table: string;
    try {
      table = CurQueries.athenaTable(database, tableName);
    } catch (e) {
      throw new CostDataError(`--athena-database/--athena-table: ${(e as Error).message.replace(/^CurQueries\.athenaTable: /, '')}`);
    }
    const billingPeriodColumn = o.billingPeriodColumn ?? ATHENA_DEFAULTS.billingPeriodColumn;
    const partition = billingPeriodColumn === '' ? undefined : billingPeriodColumn;
    const client = new AthenaClient({
      ...(o.region ? { region: o.region } : {}),
      profile: o.profile,
      maxAttempts: this.maxAttempts,
      requestHandler: this.limits.requestHandler(),
      ...o.clientConfig,
    });
    let bytesScanned = 0;
    let requests = 0;
    try {
      const kind = await this.tableKind(client, database, tableName);
      if (kind.kind === 'focus') {
        return await this.fetchFocus(client, query, table, `${database}.${tableName}`, partition, kind, progress);
      }
      const collision = curKeyCollisions(query.tagKeys) ?? (query.dimension === undefined ? undefined : dimensionRefusal('cur', query.dimension));
      if (collision) {
        throw new CostDataError(collision);
      }
      const sql = curCostSql(query, { table, dialect: SqlDialect.ATHENA, estimatedFlag: true, billingPeriodColumn: partition });
      requests++;
      const cost = await this.run(client, sql, `${database}.${tableName}`, progress, CUR_RESULT_COLUMNS);
      bytesScanned += cost.bytesScanned;
      if (cost.rows.length === 0) {
        throw new CostDataError(`no CUR line items between ${query.from} and ${query.to} (exclusive) in Athena table ${database}.${tableName}`
          + ` (query ${cost.id}): check the period, and that the export has delivered data for it`);
      }
      const inCurrency = query.currency === undefined ? cost.rows : cost.rows.filter((r) => r.currency === query.currency);
      if (inCurrency.length === 0) {
        throw new CostDataError(`--currency ${query.currency}: Athena table ${database}.${tableName} holds no line items in ${query.currency} between `
          + `${query.from} and ${query.to} (its currencies: ${[...new Set(cost.rows.map((r) => r.currency))].sort().join(', ')})`);
      }
      const costs = curCostTable(inCurrency, query, `Athena table ${database}.${tableName} (query ${cost.id})`);
      const notes: string[] = [];
      const absent = absentTagKeys(query, costs.rows);
      if (absent.length > 0) {
        // Only when a key is missing from every row: one more scan of resource_tags, over the same partitions.
        requests++;
        const inPeriod = partition
          ? `(SELECT resource_tags FROM ${table} WHERE ${partition} >= '${query.from.slice(0, 7)}' AND ${partition} <= '${lastMonthBefore(query.to)}') AS cur`
          : table;
        const keys = await this.run(client, CurQueries.tagKeysPresent(inPeriod, SqlDialect.ATHENA), `${database}.${tableName}`, progress, ['tag_key']);
        bytesScanned += keys.bytesScanned;
        const present = new Set(keys.rows.map((r) => r.tag_key));
        notes.push(...explainAbsentKeys(query, absent, present, `of Athena table ${database}.${tableName}`,
          ` between ${query.from} and ${query.to}`));
      }
      // the attribution rules: one more query, over the untagged line items of the same partitions (docs/attribution.md section 7)
      const attributed = await this.ruleMatches(client, query, kind, {
        view: table,
        schema: CUR_2_0_SCHEMA,
        cost: CurQueries.metricExpression(curMetric(query.metric, `Athena table ${database}.${tableName}`)),
      }, partition, `${database}.${tableName}`, progress);
      if (attributed) {
        requests++;
        bytesScanned += attributed.bytesScanned;
      }
      notes.push(`Athena: ${requests} quer${requests === 1 ? 'y' : 'ies'} in workgroup ${o.workgroup ?? ATHENA_DEFAULTS.workgroup}, `
        + `${formatBytes(bytesScanned)} scanned (Athena bills per byte scanned`
        + `${attributed ? `; ${formatBytes(attributed.bytesScanned)} of it by the attribution rules' query` : ''})`);
      notes.push(...curNotes(costs), ...kind.notes);
      // CUR 2.0 holds AWS cost only: its rows name AWS when a report groups by provider.
      const rows = query.byProvider ? costs.rows.map((r) => ({ ...r, provider: 'AWS' })) : costs.rows;
      return {
        rows,
        ...(attributed ? {
          attributionMatches: query.granularity === 'month' ? matchesByMonth(attributed.matches) : attributed.matches,
          attributionWarnings: attributed.warnings,
        } : {}),
        source: `Athena (${database}.${tableName})`,
        requests,
        bytesScanned,
        notes,
        ...(query.dimension !== undefined ? { groupedBy: `CUR 2.0 ${CurQueries.dimensionColumn(query.dimension)}` } : {}),
      };
    } finally {
      client.destroy();
    }
  }

  /**
   * Whether the table is over a FOCUS or a CUR 2.0 export, from its columns (Athena GetTableMetadata: metadata only,
   * no query, nothing scanned). When the columns cannot be read, the table name decides, and a note says so.
   */
  private async tableKind(client: AthenaClient, database: string, table: string): Promise<TableKind> {
    let columns: string[] | undefined;
    try {
      const out = await this.limits.send(client, new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: database, TableName: table }),
        { what: 'Athena GetTableMetadata', maxAttempts: this.maxAttempts });
      columns = out?.TableMetadata?.Columns?.map((c) => (c.Name ?? '').toLowerCase());
    } catch (e) {
      const stopped = this.limits.stoppedError('Athena GetTableMetadata');
      if (stopped) {
        throw stopped;
      }
      const kind = table === ATHENA_FOCUS_TABLE ? 'focus' : 'cur';
      return {
        kind,
        provider: 'ProviderName',
        invoice: true,
        notes: [`could not read the columns of Athena table ${database}.${table} (GetTableMetadata: ${firstLine(e instanceof Error ? e.message : String(e))}): `
          + `read as ${kind === 'focus' ? 'FOCUS' : 'CUR 2.0'} from its name; grant athena:GetTableMetadata to have it detected`],
      };
    }
    if (!columns || columns.length === 0) {
      return { kind: 'cur', provider: 'ProviderName', invoice: true, notes: [] };
    }
    const has = (c: string) => columns!.includes(c.toLowerCase());
    if (has('line_item_unblended_cost')) {
      return { kind: 'cur', provider: 'ProviderName', invoice: true, columns, notes: [] };
    }
    if (has('BilledCost') && has('ChargePeriodStart')) {
      return {
        kind: 'focus',
        provider: has('ServiceProviderName') ? (has('ProviderName') ? "COALESCE(NULLIF(ServiceProviderName, ''), ProviderName)" : 'ServiceProviderName') : 'ProviderName',
        invoice: has('InvoiceId'),
        commitmentStatus: has('CommitmentDiscountStatus') && has('EffectiveCost'),
        columns,
        notes: [],
      };
    }
    throw new CostDataError(`Athena table ${database}.${table} is neither CUR 2.0 (no line_item_unblended_cost) nor FOCUS (no BilledCost and `
      + 'ChargePeriodStart): pass --athena-table with the table over a CUR 2.0 or FOCUS export (the CostAndUsageExport construct creates '
      + `${ATHENA_DEFAULTS.table} and ${ATHENA_FOCUS_TABLE})`);
  }

  /** The FOCUS table: the same `FocusQueries` SQL as the FOCUS file source, in Athena's dialect. */
  private async fetchFocus(client: AthenaClient, query: CostQuery, table: string, name: string, partition: string | undefined, kind: TableKind,
    progress: (message: string) => void): Promise<CostResult> {
    const { metric, note } = focusMetric(query.metric);
    const sql = FocusQueries.costBy({
      table,
      dialect: SqlDialect.ATHENA,
      groupBy: query.groupBy,
      dimension: query.dimension,
      metric,
      tagKeys: query.tagKeys,
      from: query.from,
      to: query.to,
      daily: true,
      estimatedFlag: kind.invoice,
      keyVariants: true,
      billingPeriodColumn: partition,
      providerExpression: kind.provider,
      unusedCommitment: kind.commitmentStatus,
      emptyCostRows: true,
    });
    const cost = await this.run(client, sql, name, progress, FOCUS_RESULT_COLUMNS);
    if (cost.rows.length === 0) {
      throw new CostDataError(`no FOCUS charges between ${query.from} and ${query.to} (exclusive) in Athena table ${name} (query ${cost.id}): `
        + 'check the period, and that the export has delivered data for it');
    }
    const costs = focusCostTable(cost.rows, query, `Athena table ${name} (query ${cost.id})`);
    const absent = absentFocusKeys(query, costs.rows);
    const keysHint = `run the focus-tag-keys-present named query (query ${cost.id} read no tag keys) to see the keys the export writes`;
    if (absent.group) {
      throw new CostDataError(groupAbsentMessage(query, `Athena table ${name}`, undefined, ` (${keysHint})`));
    }
    const notes = [`FOCUS table: ${FocusQueries.metricColumn(metric)} (--metric ${metric}), by ChargePeriodStart`, ...(note ? [note] : []),
      ...(absent.service ? [serviceAbsentNote(query, undefined, keysHint)] : []),
      ...[emptyCostNote(FocusQueries.metricColumn(metric), [...costs.emptyCost].map(([provider, e]) => ({ provider, ...e })), costs.currency)]
        .filter((n): n is string => n !== undefined),
      `Athena: 1 query in workgroup ${this.options.workgroup ?? ATHENA_DEFAULTS.workgroup}, ${formatBytes(cost.bytesScanned)} scanned `
        + '(Athena bills per byte scanned)', ...kind.notes, ...costs.notes];
    if (costs.rows.some((r) => r.estimated)) {
      notes.push('part of the period is not invoiced yet (no InvoiceId): those amounts are estimates and can still change');
    }
    // the attribution rules: one more query over the untagged charges (the FOCUS cost table is by day, so are its matches)
    const attributed = await this.ruleMatches(client, query, kind, {
      view: table,
      schema: FOCUS_1_2_SCHEMA,
      cost: FocusQueries.metricColumn(metric),
      provider: kind.provider,
    }, partition, name, progress);
    if (attributed) {
      notes.push(`Athena: 1 more query for the attribution rules, ${formatBytes(attributed.bytesScanned)} scanned`);
    }
    return {
      rows: costs.rows,
      ...(attributed ? { attributionMatches: attributed.matches, attributionWarnings: attributed.warnings } : {}),
      source: `Athena (${name}, FOCUS)`,
      requests: attributed ? 2 : 1,
      bytesScanned: cost.bytesScanned + (attributed?.bytesScanned ?? 0),
      notes,
      ...(query.dimension !== undefined ? { groupedBy: `FOCUS ${FocusQueries.dimensionColumn(query.dimension)}` } : {}),
    };
  }

  /**
   * What each attribution rule of the query matched (undefined without rules): the rules' `CASE` over the untagged
   * line items of the period, in Athena's dialect (`sourceMatchSql`, the SQL the file sources run in DuckDB's),
   * reading the billing-period partitions of the period only. A table without a column the rules read is refused
   * naming the columns, before the query runs.
   */
  private async ruleMatches(client: AthenaClient, query: CostQuery, kind: TableKind, target: MatchTarget, partition: string | undefined,
    name: string, progress: (message: string) => void): Promise<{ matches: RuleMatch[]; warnings: string[]; bytesScanned: number } | undefined> {
    const plan = query.attribution;
    if (!plan || plan.rules.length === 0) {
      return undefined;
    }
    const needed = kind.kind === 'cur' ? CUR_RULE_SOURCE_COLUMNS : FOCUS_RULE_SOURCE_COLUMNS;
    const missing = kind.columns ? needed.filter((c) => !kind.columns!.includes(c.toLowerCase())) : [];
    if (missing.length > 0) {
      throw new CostDataError(`Athena table ${name} cannot be matched against the attribution rules: missing column${missing.length === 1 ? '' : 's'} `
        + `${missing.join(', ')} (${kind.kind === 'cur' ? 'CUR 2.0' : 'FOCUS'} names; the CostAndUsageExport construct selects them all)`);
    }
    const where = partition ? [`${partition} >= '${query.from.slice(0, 7)}'`, `${partition} <= '${lastMonthBefore(query.to)}'`] : [];
    const { sql, warnings } = sourceMatchSql(plan, query, target, SqlDialect.ATHENA, where);
    progress(`Athena: matching the untagged spend against ${plan.rules.length} attribution rule${plan.rules.length === 1 ? '' : 's'}`);
    const out = await this.run(client, sql, name, progress, MATCH_RESULT_COLUMNS);
    return { matches: matchesOfRows(out.rows, plan.rules.length, target.provider !== undefined), warnings, bytesScanned: out.bytesScanned };
  }

  /**
   * Starts a query, waits for it, reads every page of its results; refuses results without the `expected` columns
   * (they would be read as empty values: amounts "without a currency" on no day).
   */
  private async run(client: AthenaClient, sql: string, tableName: string, progress: (message: string) => void,
    expected: readonly string[]): Promise<QueryOutcome> {
    const o = this.options;
    const workgroup = o.workgroup ?? ATHENA_DEFAULTS.workgroup;
    let id: string;
    try {
      const started = await this.limits.send(client, new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: workgroup,
        QueryExecutionContext: { Database: o.database ?? ATHENA_DEFAULTS.database },
        ...(o.outputLocation ? { ResultConfiguration: { OutputLocation: o.outputLocation } } : {}),
      }), { what: 'Athena StartQueryExecution', progress, maxAttempts: this.maxAttempts });
      id = started.QueryExecutionId ?? '';
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/output location/i.test(message)) {
        throw new CostDataError(`Athena workgroup ${workgroup} has no query result location: pass --athena-output s3://bucket/prefix/ `
          + 'or use a workgroup that sets one (the CostAndUsageExport workgroup does)');
      }
      if ((e as { name?: string }).name === 'InvalidRequestException' && /workgroup/i.test(message)) {
        throw new CostDataError(`Athena workgroup ${workgroup}: ${firstLine(message)} (pass --athena-workgroup)`);
      }
      throw this.limits.stoppedError('Athena StartQueryExecution') ?? this.awsError(e, 'Athena StartQueryExecution');
    }
    if (!id) {
      throw new CostDataError('Athena StartQueryExecution returned no query id');
    }
    progress(`Athena: query ${id} started in workgroup ${workgroup}`);

    // From here on the query runs (and bills) in Athena: whatever ends this command early stops it.
    let finished = false;
    try {
      const execution = await this.wait(client, id, tableName, progress);
      finished = true;
      const { rows, columns } = await this.results(client, id, progress);
      const missing = expected.filter((c) => !columns.includes(c));
      if (missing.length > 0) {
        throw new QueryEnded(`Athena query ${id} over ${tableName} returned ${columns.length > 0 ? `the columns ${columns.join(', ')}` : 'no columns'}, `
          + `without ${missing.join(', ')}: not the result of the cost query (a workgroup or proxy that answers with another query's results?); `
          + 'rerun it, and check --athena-workgroup');
      }
      return { rows, bytesScanned: execution?.Statistics?.DataScannedInBytes ?? 0, id };
    } catch (e) {
      if (finished || (e instanceof QueryEnded)) {
        throw e;
      }
      const stopped = await this.stopQuery(client, id);
      const what = e instanceof CostDataError ? e.message : this.awsError(e, 'Athena').message;
      throw e instanceof StoppedError
        ? new StoppedError(`${what}; ${stopped}`, e.exitCode)
        : new CostDataError(`${what}; ${stopped}`);
    }
  }

  /** Polls the query until it ends; returns its execution when it succeeded. */
  private async wait(client: AthenaClient, id: string, tableName: string, progress: (message: string) => void): Promise<QueryExecution | undefined> {
    const o = this.options;
    const limits = this.limits;
    const timeoutMs = o.timeoutMs ?? 1_800_000;
    const deadline = Date.now() + timeoutMs;
    let wait = o.pollIntervalMs ?? 500;
    for (;;) {
      let execution: QueryExecution | undefined;
      try {
        execution = (await limits.send(client, new GetQueryExecutionCommand({ QueryExecutionId: id }),
          { what: `Athena GetQueryExecution (query ${id})`, progress, maxAttempts: this.maxAttempts })).QueryExecution;
      } catch (e) {
        throw limits.stoppedError(`waiting for Athena query ${id}`) ?? this.awsError(e, `Athena GetQueryExecution (waiting for query ${id})`);
      }
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') {
        return execution;
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? 'no reason given';
        const hint = /TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist/i.test(reason)
          ? ` (check --athena-database/--athena-table; the CostAndUsageExport construct creates ${ATHENA_DEFAULTS.database}.${ATHENA_DEFAULTS.table})`
          : /COLUMN_NOT_FOUND|cannot be resolved/i.test(reason)
            ? ` (the table ${tableName} lacks CUR 2.0 columns the query needs: ${CurQueries.requiredColumns().join(', ')}, ...)`
            : /scanned|limit/i.test(reason) && state === 'CANCELLED'
              ? ' (the workgroup\'s bytes-scanned limit stopped it: shorten the period)'
              : '';
        throw new QueryEnded(`Athena query ${id} ${state === 'FAILED' ? 'failed' : 'was cancelled'}: ${firstLine(reason)}${hint}`);
      }
      const scanned = execution?.Statistics?.DataScannedInBytes;
      progress(`Athena: query ${state ?? 'pending'}${scanned ? `, ${formatBytes(scanned)} scanned so far` : ''}`);
      if (Date.now() + wait > deadline) {
        await this.stopQuery(client, id);
        throw new QueryEnded(`Athena query ${id} did not finish within ${Math.round(timeoutMs / 60_000)} minutes and was stopped`);
      }
      await sleep(wait, limits.signal);
      const stopped = limits.stoppedError(`waiting for Athena query ${id}`);
      if (stopped) {
        throw stopped;
      }
      wait = Math.min(Math.ceil(wait * 1.5), o.maxPollIntervalMs ?? 5000);
    }
  }

  /** Reads every page of a query's results (the first row of the first page repeats the column names). */
  private async results(client: AthenaClient, id: string, progress: (message: string) => void): Promise<QueryResult> {
    const limits = this.limits;
    const what = `Athena GetQueryResults (query ${id})`;
    const pages = new PageTokens(what, limits);
    const rows: Array<Record<string, string>> = [];
    let columns: string[] | undefined;
    let token: string | undefined;
    do {
      pages.beforeRequest();
      let out: GetQueryResultsCommandOutput;
      try {
        out = await limits.send(client, new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }),
          { what: `${what} page ${pages.pages}`, progress, maxAttempts: this.maxAttempts });
      } catch (e) {
        throw limits.stoppedError(what) ?? this.awsError(e, what);
      }
      columns = columns ?? (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const data = out.ResultSet?.Rows ?? [];
      for (const [i, row] of data.entries()) {
        const values = (row.Data ?? []).map((d) => d.VarCharValue ?? '');
        if (pages.pages === 1 && i === 0 && values.join('\u0000') === columns.join('\u0000')) {
          continue;
        }
        rows.push(Object.fromEntries(columns.map((c, j) => [c, values[j] ?? ''])));
      }
      token = pages.next(out.NextToken || undefined);
      if (token) {
        progress(`Athena: reading results, ${rows.length} rows so far (page ${pages.pages})`);
      }
    } while (token);
    return { rows, columns: columns ?? [] };
  }

  /**
   * Stops a running query (StopQueryExecution), with its own short timeout: the command's signal may be aborted
   * already. Returns what to say about it.
   */
  private async stopQuery(client: AthenaClient, id: string): Promise<string> {
    try {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: AbortSignal.timeout(STOP_TIMEOUT_MS) });
      return `query ${id} was stopped (StopQueryExecution)`;
    } catch (e) {
      return `stopping Athena query ${id} failed (${firstLine(e instanceof Error ? `${e.name}: ${e.message}` : String(e))}): `
        + `stop it in the Athena console or with "aws athena stop-query-execution --query-execution-id ${id}"`;
    }
  }

  private awsError(e: unknown, what: string): Error {
    const message = e instanceof Error ? e.message : String(e);
    if (/region is missing/i.test(message)) {
      return new CostDataError(`${what}: no AWS region: pass --region (the region of the Athena workgroup and the Glue table)`);
    }
    const mapped = awsError(e, what, { profile: this.options.profile, permission: PERMISSIONS });
    return mapped instanceof CostDataError ? mapped : new CostDataError(`${what} failed: ${firstLine(message)}`);
  }
}

/** What the table is over, and what it has. */
interface TableKind {
  readonly kind: 'cur' | 'focus';
  /** SQL expression of the provider (FOCUS). */
  readonly provider: string;
  /** Whether it has InvoiceId (FOCUS). */
  readonly invoice: boolean;
  /** Whether it has CommitmentDiscountStatus and EffectiveCost (FOCUS: unused commitment can be named). */
  readonly commitmentStatus?: boolean;
  /** Its column names, lower case, when GetTableMetadata returned them. */
  readonly columns?: readonly string[];
  readonly notes: string[];
}

/** The rows of a query's results, by column name, and its columns. */
interface QueryResult {
  readonly rows: Array<Record<string, string>>;
  readonly columns: string[];
}

/** A query that ended in Athena (failed, cancelled, or stopped for taking too long): nothing left to stop. */
class QueryEnded extends CostDataError {}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
