import * as YAML from 'yaml';
import { csvField, renderCsv } from '../../src/cost-data/format/csv';
import { esc, niceScale, renderHtml } from '../../src/cost-data/format/html';
import { markdownCell, renderMarkdown } from '../../src/cost-data/format/markdown';
import { clean, renderText } from '../../src/cost-data/format/text';
import { Report } from '../../src/cost-data/report/model';

function report(values: string[]): Report {
  return {
    title: 'T',
    summary: [],
    notes: [],
    data: {},
    sections: [{
      table: {
        columns: [{ key: 'v', header: 'Value' }, { key: 'n', header: 'Cost', type: 'money' }],
        rows: values.map((v, i) => ({ v, n: i - 1.5 })),
      },
    }],
  };
}

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF), to read back what the CSV formatter wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') { quoted = false; } else { field += c; }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field); field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else {
      field += c;
    }
  }
  return rows;
}

describe('CSV (RFC 4180, formula injection neutralised)', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+1', '\'+1'],
    ['-2+3', '\'-2+3'],
    ['@SUM(A1)', '\'@SUM(A1)'],
    ['\tcmd', '\'\tcmd'],
    ['\rcmd', '"\'\rcmd"'],
    ['a=b', 'a=b'],
  ])('%j -> %j', (value, field) => {
    expect(csvField(value, false)).toBe(field);
  });

  test('numbers the CLI formats itself are not neutralised (a credit stays a negative number)', () => {
    expect(csvField('-12.50', true)).toBe('-12.50');
  });

  test('every row ends with CRLF and parses back to the neutralised values', () => {
    const values = ['=1+1', 'quote " and, comma', 'line\nbreak', '-credit', 'ok'];
    const csv = renderCsv(report(values));
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['Value', 'Cost']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["'=1+1", 'quote " and, comma', 'line\nbreak', "'-credit", 'ok']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['-1.50', '-0.50', '0.50', '1.50', '2.50']);
  });
});

describe('markdown', () => {
  test.each([
    ['a | b', 'a \\| b'],
    ['line\nbreak', 'line<br>break'],
    ['crlf\r\nbreak', 'crlf<br>break'],
    ['<script>', '&lt;script&gt;'],
    ['back\\slash', 'back\\\\slash'],
  ])('cell %j -> %j', (value, cell) => {
    expect(markdownCell(value)).toBe(cell);
  });

  test('a table with pipes and newlines keeps its column count on every row', () => {
    const md = renderMarkdown(report(['a | b', 'c\nd', 'plain']));
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    expect(tableLines).toHaveLength(5);
    for (const l of tableLines) {
      expect(l.replace(/\\\|/g, '').split('|').length).toBe(4);
    }
  });
});

describe('terminal table', () => {
  test('control characters (newlines, ANSI escapes) cannot break the layout or recolour the terminal', () => {
    expect(clean('a\nb\u001b[31mred')).toBe('a b [31mred');
    const text = renderText(report(['x\ny', '\u001b[2J']));
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((l) => l.startsWith('x'))).toEqual([expect.stringMatching(/^x y\s+-1\.50$/)]);
  });
});

describe('HTML', () => {
  test('escapes every inserted value (element content and attributes)', () => {
    expect(esc('<img src=x onerror="alert(1)">\'&')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;');
    const html = renderHtml({
      ...report(['<script>alert(1)</script>']),
      title: '<b>title</b>',
      chart: { title: 'c"hart', unit: 'USD', buckets: ['<d>'], series: [{ label: '"><svg onload=alert(1)>', values: [1] }] },
    });
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-series="&quot;&gt;&lt;svg onload=alert(1)&gt;"');
  });

  test('is self-contained: no script, no external resource, a CSP that forbids loading any', () => {
    const html = renderHtml({ ...report(['a']), chart: { title: 'c', unit: 'USD', buckets: ['d1', 'd2'], series: [{ label: 's', values: [1, -2] }] } });
    expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'');
  });

  test('niceScale covers the range with round steps', () => {
    expect(niceScale(0, 28.2)).toEqual([0, 30, 5]);
    expect(niceScale(-3, 9)).toEqual([-4, 10, 2]);
    expect(niceScale(0, 0)).toEqual([0, 1, 0.25]);
  });
});

describe('YAML output stays parseable whatever the text', () => {
  test('needs with colons, quotes, hashes and newlines round-trip', () => {
    const need = 'Ops: "page" me # when\nthe queue: grows | fast';
    const text = YAML.stringify({ metadata: { description: need } }, { lineWidth: 0 });
    expect(YAML.parse(text).metadata.description).toBe(need);
  });
});
