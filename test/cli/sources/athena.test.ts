import {
  AthenaClient, GetQueryExecutionCommand, GetQueryExecutionCommandOutput, GetQueryResultsCommand, GetTableMetadataCommand, QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { CostDataError } from '../../../src/cost-data/errors';
import { CostQuery } from '../../../src/cost-data/query';
import { FocusMetric, CostDimension, CostGrouping, CostMetric, SqlDialect } from '../../../src/cost-data/query-terms';
import { CurQueries } from '../../../src/cost-data/schemas/cur-sql';
import { FocusQueries } from '../../../src/cost-data/schemas/focus-sql';
import { ATHENA_DEFAULTS, AthenaSource, AthenaSourceOptions } from '../../../src/cost-data/sources/athena';
import { CallLimits, StoppedError } from '../../../src/cost-data/sources/limits';
import { TagKeys } from '../../../src/tag-keys';

/*
 * The Athena source through aws-sdk-client-mock: StartQueryExecution, GetQueryExecution polling, GetQueryResults
 * pages. Athena facts (../shared/reference/aws-cost-facts.md §8): the CUR 2.0 table is read with element_at on
 * resource_tags, partitioned by billing_period; the first result row of a SELECT repeats the column names.
 */

const athena = mockClient(AthenaClient);

const COLUMNS = ['service', 'group_value', 'usage_date', 'currency', 'amount', 'tax_amount', 'credit_amount', 'line_items', 'estimated'];

function resultPage(rows: string[][], options: { header?: boolean; next?: string } = {}) {
  const data = [...(options.header ? [COLUMNS] : []), ...rows].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) }));
  return {
    ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS.map((c) => ({ Name: c, Type: 'varchar' })) }, Rows: data },
    NextToken: options.next,
  };
}

function query(overrides: Partial<CostQuery> = {}): CostQuery {
  return { from: '2026-10-01', to: '2026-12-01', groupBy: CostGrouping.TEAM, metric: CostMetric.AMORTIZED, tagKeys: TagKeys.DEFAULT, ...overrides };
}

function source(options: AthenaSourceOptions = {}): AthenaSource {
  return new AthenaSource({ region: 'eu-west-1', pollIntervalMs: 1, maxPollIntervalMs: 2, ...options });
}

function succeeded(bytes: number): Omit<GetQueryExecutionCommandOutput, '$metadata'> {
  return { QueryExecution: { QueryExecutionId: 'q-1', Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: bytes } } };
}

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('AthenaSource', () => {
  test('runs the CurQueries SQL, polls until done, reads every result page and reports bytes scanned', async () => {
    // GIVEN a query that is queued, runs, then succeeds, with results on three pages
    athena.on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: QueryExecutionState.QUEUED } } })
      .resolvesOnce({ QueryExecution: { Status: { State: QueryExecutionState.RUNNING }, Statistics: { DataScannedInBytes: 1048576 } } })
      .resolves(succeeded(52428800));
    athena.on(GetQueryResultsCommand)
      .resolvesOnce(resultPage([
        ['checkout', 'payments', '2026-10-01', 'USD', '12.5', '0', '0', '10', '0'],
        ['wishlist', 'discovery', '2026-10-01', 'USD', '3.25', '0', '0', '4', '0'],
      ], { header: true, next: 'page-2' }))
      .resolvesOnce(resultPage([
        ['', '', '2026-10-01', 'USD', '1.5', '1.5', '0', '1', '0'],
        ['', 'data', '2026-11-02', 'USD', '2', '0', '0', '3', '1'],
      ], { next: 'page-3' }))
      .resolvesOnce(resultPage([['checkout', 'payments', '2026-11-03', 'USD', '-1', '0', '-1', '1', '1']]));
    const messages: string[] = [];

    // WHEN
    const result = await source().fetch(query(), (m) => messages.push(m));

    // THEN the SQL is CurQueries' Athena SQL over the construct's default table, with partition pruning
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(start.QueryString).toBe(CurQueries.costBy({
      table: '"customer_value"."cur2"',
      dialect: SqlDialect.ATHENA,
      groupBy: CostGrouping.TEAM,
      metric: CostMetric.AMORTIZED,
      tagKeys: TagKeys.DEFAULT,
      from: '2026-10-01',
      to: '2026-12-01',
      daily: true,
      estimatedFlag: true,
      billingPeriodColumn: 'billing_period',
    }));
    expect(start.QueryString).toContain("billing_period >= '2026-10'");
    expect(start.QueryString).toContain("billing_period <= '2026-11'");
    expect(start.WorkGroup).toBe('customer-value');
    expect(start.QueryExecutionContext).toEqual({ Database: 'customer_value' });
    expect(start.ResultConfiguration).toBeUndefined();
    // every page was read, following NextToken; the header row was dropped
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(result.rows).toEqual([
      { service: 'checkout', group: 'payments', day: '2026-10-01', amount: 12.5, exactAmount: '12.5', nonResourceAmount: 0, exactNonResourceAmount: '0', currency: 'USD', estimated: false },
      { service: 'wishlist', group: 'discovery', day: '2026-10-01', amount: 3.25, exactAmount: '3.25', nonResourceAmount: 0, exactNonResourceAmount: '0', currency: 'USD', estimated: false },
      { service: '', group: '', day: '2026-10-01', amount: 1.5, exactAmount: '1.5', nonResourceAmount: 1.5, exactNonResourceAmount: '1.5', currency: 'USD', estimated: false },
      { service: '', group: 'data', day: '2026-11-02', amount: 2, exactAmount: '2', nonResourceAmount: 0, exactNonResourceAmount: '0', currency: 'USD', estimated: true },
      { service: 'checkout', group: 'payments', day: '2026-11-03', amount: -1, exactAmount: '-1', nonResourceAmount: -1, exactNonResourceAmount: '-1', currency: 'USD', estimated: true },
    ]);
    expect(result.bytesScanned).toBe(52428800);
    expect(result.requests).toBe(1);
    expect(result.source).toBe('Athena (customer_value.cur2)');
    expect(result.notes).toContain('Athena: 1 query in workgroup customer-value, 50.0 MB scanned (Athena bills per byte scanned)');
    expect(result.notes.join('\n')).toMatch(/not invoiced yet/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(messages).toEqual(expect.arrayContaining([
      'Athena: query q-1 started in workgroup customer-value',
      'Athena: query QUEUED',
      'Athena: query RUNNING, 1.0 MB scanned so far',
    ]));
  });

  test('custom database, table, workgroup and output location', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(resultPage([['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0']], { header: true }));
    await source({ database: 'billing', table: 'cur_v2', workgroup: 'finops', outputLocation: 's3://results/cv/', billingPeriodColumn: '' })
      .fetch(query(), () => undefined);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(start.QueryString).toContain('FROM "billing"."cur_v2"');
    expect(start.QueryString).not.toMatch(/\bbilling_period [<>]=/);
    expect(start.WorkGroup).toBe('finops');
    expect(start.ResultConfiguration).toEqual({ OutputLocation: 's3://results/cv/' });
  });

  test('a FAILED query: one line with Athena\'s reason and a hint', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: QueryExecutionState.FAILED, AthenaError: { ErrorMessage: "TABLE_NOT_FOUND: line 12:8: Table 'awsdatacatalog.customer_value.cur2' does not exist" } } },
    });
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(new CostDataError(
      "Athena query q-1 failed: TABLE_NOT_FOUND: line 12:8: Table 'awsdatacatalog.customer_value.cur2' does not exist "
      + `(check --athena-database/--athena-table; the CostAndUsageExport construct creates ${ATHENA_DEFAULTS.database}.${ATHENA_DEFAULTS.table})`,
    ));
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  test('a CANCELLED query (bytes-scanned limit of the workgroup)', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: QueryExecutionState.CANCELLED, StateChangeReason: 'Query cancelled: bytes scanned limit was exceeded' } },
    });
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(
      /^Athena query q-1 was cancelled: Query cancelled: bytes scanned limit was exceeded \(the workgroup's bytes-scanned limit stopped it: shorten the period\)$/,
    );
  });

  test('throttling after the SDK retries: one line', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 5 } }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(
      new CostDataError('Athena StartQueryExecution was throttled (ThrottlingException) after 5 attempts: wait a minute and retry, or shorten the period'),
    );
  });

  test('no credentials: one line', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    await expect(source({ profile: 'billing' }).fetch(query(), () => undefined)).rejects.toThrow(
      /^Athena StartQueryExecution: no AWS credentials found \(profile "billing"\): .*athena:StartQueryExecution/,
    );
  });

  test('no region: one line', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new Error('Region is missing'));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(/^Athena StartQueryExecution: no AWS region: pass --region/);
  });

  test('a workgroup without a result location', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(
      new Error('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.'),
      { name: 'InvalidRequestException', $metadata: {} },
    ));
    await expect(source({ workgroup: 'primary' }).fetch(query(), () => undefined)).rejects.toThrow(
      /^Athena workgroup primary has no query result location: pass --athena-output s3:\/\/bucket\/prefix\//,
    );
  });

  test('an empty period', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(0));
    athena.on(GetQueryResultsCommand).resolves(resultPage([], { header: true }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(
      /^no CUR line items between 2026-10-01 and 2026-12-01 \(exclusive\) in Athena table customer_value\.cur2 \(query q-1\)/,
    );
  });

  test('mixed currencies are refused', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(resultPage([
      ['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0'],
      ['checkout', 'payments', '2026-10-01', 'EUR', '1', '0', '0', '1', '0'],
    ], { header: true }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(/^the CUR data mixes currencies \(EUR, USD\)/);
  });

  test('no tagged line item: a second query over the same partitions finds the key was never activated', async () => {
    // GIVEN only untagged spend, and resource_tags holding another key only
    athena.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'q-1' }).resolvesOnce({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1000));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1' }).resolves(resultPage([['', '', '2026-10-01', 'USD', '5', '0', '0', '9', '0']], { header: true }));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-2' }).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'tag_key', Type: 'varchar' }, { Name: 'line_items', Type: 'bigint' }] },
        Rows: [{ Data: [{ VarCharValue: 'tag_key' }, { VarCharValue: 'line_items' }] }, { Data: [{ VarCharValue: 'user_environment' }, { VarCharValue: '9' }] }],
      },
    });
    // WHEN / THEN
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(
      /^no line item of Athena table customer_value\.cur2 carries user_team \(tag "team"\) in resource_tags between 2026-10-01 and 2026-12-01 \(found: user_environment\): the key was probably never activated/,
    );
    const second = athena.commandCalls(StartQueryExecutionCommand)[1].args[0].input.QueryString!;
    expect(second).toContain('CROSS JOIN UNNEST(map_keys(resource_tags)) AS t (tag_key)');
    expect(second).toContain("FROM (SELECT resource_tags FROM \"customer_value\".\"cur2\" WHERE billing_period >= '2026-10' AND billing_period <= '2026-11') AS cur");
  });

  test('a grouped key present in other line items: untagged group kept, note on the missing service key', async () => {
    athena.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'q-1' }).resolvesOnce({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1000));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1' }).resolves(resultPage([['', 'payments', '2026-10-01', 'USD', '5', '0', '0', '9', '0']], { header: true }));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-2' }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tag_key', Type: 'varchar' }, { Name: 'line_items', Type: 'bigint' }] }, Rows: [{ Data: [{ VarCharValue: 'user_team' }, { VarCharValue: '9' }] }] },
    });
    const result = await source().fetch(query(), () => undefined);
    expect(result.requests).toBe(2);
    expect(result.bytesScanned).toBe(2000);
    expect(result.notes).toContain(
      'no line item between 2026-10-01 and 2026-12-01 carries the "customer-service" tag (user_customer_service): it was probably never activated as a cost allocation tag',
    );
  });

  test('a query that does not finish in time is stopped', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: QueryExecutionState.RUNNING } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(source({ timeoutMs: 20, pollIntervalMs: 5 }).fetch(query(), () => undefined)).rejects.toThrow(/^Athena query q-1 did not finish within 0 minutes and was stopped$/);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0].args[0].input).toEqual({ QueryExecutionId: 'q-1' });
  });

  test('invalid database or table names are refused before any call', async () => {
    await expect(source({ database: 'bad-name' }).fetch(query(), () => undefined)).rejects.toThrow(
      /^--athena-database\/--athena-table: database is "bad-name": a Glue name is 1-255 letters, digits and _$/,
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  test('item 1: GetQueryResults repeating its NextToken is stopped after 2 pages, naming the query', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(resultPage([['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0']],
      { header: true, next: 'same' }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(new CostDataError('Athena GetQueryResults (query q-1) returned the same '
      + 'page token again after 2 requests: stopped, as following it would repeat requests for ever (an API or proxy fault; retry later)'));
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });

  test('item 1: GetQueryResults pages are capped (--max-pages)', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    let n = 0;
    athena.on(GetQueryResultsCommand).callsFake(() => resultPage([['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0']],
      { header: n === 0, next: `t-${++n}` }));
    const limits = new CallLimits({ maxPages: 3, timeoutSeconds: 0 });
    await expect(source({ limits }).fetch(query(), () => undefined)).rejects.toThrow(/^Athena GetQueryResults \(query q-1\): stopped after 3 pages, the limit set by --max-pages/);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
  });

  test('item 3: throttled while polling, after the SDK retries: the query is stopped and named', async () => {
    athena.on(GetQueryExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 5 } }));
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(new CostDataError('Athena GetQueryExecution (waiting for query q-1) was '
      + 'throttled (ThrottlingException) after 5 attempts: wait a minute and retry, or shorten the period; query q-1 was stopped (StopQueryExecution)'));
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-1' }]);
  });

  test('item 3: stopped (deadline or signal) while the query runs: StopQueryExecution, and the line says so', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: QueryExecutionState.RUNNING } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const interrupt = new AbortController();
    const limits = new CallLimits({ timeoutSeconds: 0, interrupt: interrupt.signal });
    setTimeout(() => interrupt.abort('SIGINT'), 30);
    const error = await source({ limits }).fetch(query(), () => undefined).catch((e) => e);
    expect(error).toBeInstanceOf(StoppedError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toBe('waiting for Athena query q-1: interrupted (SIGINT); query q-1 was stopped (StopQueryExecution)');
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  test('item 3: a failing StopQueryExecution says how to stop the query by hand', async () => {
    athena.on(GetQueryExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 5 } }));
    athena.on(StopQueryExecutionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(
      /; stopping Athena query q-1 failed \(AccessDeniedException: denied\): stop it in the Athena console or with "aws athena stop-query-execution --query-execution-id q-1"$/,
    );
  });

  test('item 4: a NaN amount is refused, naming the table, the query, the day and the group', async () => {
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves(resultPage([
      ['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0'],
      ['wishlist', 'discovery', '2026-10-02', 'USD', 'NaN', '0', '0', '1', '0'],
    ], { header: true }));
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(new CostDataError('Athena table customer_value.cur2 (query q-1) holds a '
      + 'cost that is not a number (NaN) on 2026-10-02 for customer-service "wishlist", team "discovery": refusing to add it up; fix or remove '
      + 'those line items'));
  });
});

describe('AthenaSource over a FOCUS table', () => {
  const FOCUS_COLUMNS = ['service', 'group_value', 'usage_date', 'provider', 'currency', 'amount', 'tax_amount', 'credit_amount', 'adjustment_amount',
    'purchase_amount', 'correction_amount', 'line_items', 'estimated', 'service_variant'];
  const focusPage = (rows: string[][]) => ({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: FOCUS_COLUMNS.map((c) => ({ Name: c, Type: 'varchar' })) },
      Rows: [FOCUS_COLUMNS, ...rows].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
    },
  });

  test('detects the table from its columns (GetTableMetadata, no query) and runs the FocusQueries SQL in Athena\'s dialect', async () => {
    // GIVEN the construct's FOCUS table (Athena lower-cases column names)
    athena.on(GetTableMetadataCommand).resolves({
      TableMetadata: {
        Name: 'focus',
        Columns: ['billedcost', 'chargeperiodstart', 'chargecategory', 'tags',
          'providername', 'invoiceid', 'billingcurrency'].map((Name) => ({ Name })),
      },
    });
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1024 * 1024));
    athena.on(GetQueryResultsCommand).resolves(focusPage([
      ['checkout', 'checkout', '2026-10-01', 'AWS', 'USD', '12.5', '0', '0', '0', '0', '0', '10', '0', ''],
      ['', '', '2026-10-01', 'AWS', 'USD', '3', '1', '-1', '0', '3', '0', '4', '0', ''],
      ['', '', '2026-10-02', 'Microsoft', 'USD', '2', '0', '0', '0', '0', '-0.5', '2', '1', 'Customer-Service'],
    ]));

    // WHEN
    const result = await source({ table: 'focus' }).fetch(query({ groupBy: CostGrouping.SERVICE, metric: CostMetric.UNBLENDED }), () => undefined);

    // THEN
    expect(athena.commandCalls(GetTableMetadataCommand)[0].args[0].input).toEqual({ CatalogName: 'AwsDataCatalog', DatabaseName: 'customer_value', TableName: 'focus' });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.QueryString).toBe(FocusQueries.costBy({
      table: '"customer_value"."focus"',
      dialect: SqlDialect.ATHENA,
      groupBy: CostGrouping.SERVICE,
      metric: FocusMetric.BILLED,
      tagKeys: TagKeys.DEFAULT,
      from: '2026-10-01',
      to: '2026-12-01',
      daily: true,
      estimatedFlag: true,
      keyVariants: true,
      billingPeriodColumn: 'billing_period',
      providerExpression: 'ProviderName',
      emptyCostRows: true,
    }));
    expect(result.rows).toEqual([
      { service: 'checkout', group: 'checkout', day: '2026-10-01', amount: 12.5, exactAmount: '12.5', nonResourceAmount: 0, currency: 'USD', estimated: false, provider: 'AWS' },
      { service: '', group: '', day: '2026-10-01', amount: 3, exactAmount: '3', nonResourceAmount: 3, currency: 'USD', estimated: false, provider: 'AWS' },
      { service: '', group: '', day: '2026-10-02', amount: 2, exactAmount: '2', nonResourceAmount: 0, currency: 'USD', estimated: true, provider: 'Microsoft' },
    ]);
    expect(result.source).toBe('Athena (customer_value.focus, FOCUS)');
    expect(result.requests).toBe(1);
    expect(result.notes).toContain('--metric unblended is read as FOCUS BilledCost (--metric billed), its FOCUS equivalent');
    expect(result.notes).toContainEqual(expect.stringMatching(/^near-duplicate tag key \(data quality\): 2\.00 USD on 2 rows carries "Customer-Service"/));
  });

  test('grouped by provider or a column, a table whose rows carry no service tag is reported, with a note on the keys', async () => {
    // GIVEN another cloud's FOCUS data: no row carries customer-service
    athena.on(GetTableMetadataCommand).resolves({
      TableMetadata: {
        Name: 'focus',
        Columns: ['billedcost', 'chargeperiodstart', 'chargecategory', 'tags', 'providername', 'billingcurrency',
          'regionid', 'effectivecost', 'commitmentdiscountstatus'].map((Name) => ({ Name })),
      },
    });
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1024));
    athena.on(GetQueryResultsCommand).resolves(focusPage([
      ['', '', '2026-10-01', 'Microsoft', 'USD', '7.25', '0', '0', '0', '0', '0', '3', '0', ''],
      ['', '', '2026-10-02', 'Google Cloud', 'USD', '1.5', '0', '0', '0', '0', '0', '1', '0', ''],
    ]));

    // WHEN grouped by provider
    const result = await source({ table: 'focus' }).fetch(query({ groupBy: CostGrouping.SERVICE, byProvider: true, metric: FocusMetric.EFFECTIVE }),
      () => undefined);

    // THEN the report, not a refusal
    expect(result.rows.map((r) => [r.provider, r.amount])).toEqual([['Microsoft', 7.25], ['Google Cloud', 1.5]]);
    expect(result.notes).toContainEqual(expect.stringMatching(/^no charge between 2026-10-01 and 2026-12-01 carries the "customer-service" tag in Tags .*every row is reported without a service.*run the focus-tag-keys-present named query/));
    // the same scan sums unused commitment and counts empty cost cells, as over files
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.QueryString).toMatch(/AS unused_commitment_amount[\s\S]*AS empty_cost_rows/);

    // and grouped by a column, the FOCUS column is grouped in the same SQL
    await source({ table: 'focus' }).fetch(query({ groupBy: CostGrouping.SERVICE, dimension: CostDimension.REGION }), () => undefined);
    expect(athena.commandCalls(StartQueryExecutionCommand)[1].args[0].input.QueryString).toContain("COALESCE(CAST(RegionId AS VARCHAR), '') AS group_value");
  });

  test('a table that is neither CUR 2.0 nor FOCUS is refused before any query; unreadable columns fall back to the name, with a note', async () => {
    athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: 'x', Columns: [{ Name: 'a' }] } });
    await expect(source({ table: 'x' }).fetch(query(), () => undefined)).rejects.toThrow(/Athena table customer_value\.x is neither CUR 2\.0 .* nor FOCUS/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);

    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetTableMetadataCommand).rejects(Object.assign(new Error('User is not authorized to perform athena:GetTableMetadata'), { name: 'AccessDeniedException' }));
    athena.on(GetQueryExecutionCommand).resolves(succeeded(1));
    athena.on(GetQueryResultsCommand).resolves(resultPage([['checkout', 'payments', '2026-10-01', 'USD', '1', '0', '0', '1', '0']], { header: true }));
    const result = await source().fetch(query(), () => undefined);
    expect(result.notes).toContainEqual(expect.stringMatching(/^could not read the columns of Athena table customer_value\.cur2 \(GetTableMetadata: User is not authorized.*\): read as CUR 2\.0 from its name/));
  });
});

describe('issue 21: a result without the columns of the cost query', () => {
  test('is refused naming the columns it has and those it lacks, not read as amounts "without a currency on " no day', async () => {
    athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: 'cur2', Columns: [{ Name: 'line_item_unblended_cost' }] } });
    athena.on(GetQueryExecutionCommand).resolves(succeeded(10));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'a', Type: 'varchar' }, { Name: 'b', Type: 'varchar' }] },
        Rows: [{ Data: [{ VarCharValue: 'a' }, { VarCharValue: 'b' }] }, { Data: [{ VarCharValue: '1' }, { VarCharValue: '2' }] }],
      },
    });
    await expect(source().fetch(query(), () => undefined)).rejects.toThrow(new CostDataError('Athena query q-1 over customer_value.cur2 returned '
      + 'the columns a, b, without service, group_value, usage_date, currency, amount: not the result of the cost query (a workgroup or proxy '
      + "that answers with another query's results?); rerun it, and check --athena-workgroup"));
  });
});
