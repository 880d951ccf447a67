import { performance } from 'perf_hooks';
import { exampleAppProps, synthFindings } from './test/util';
const which = process.argv[2];
// eslint-disable-next-line
const { createApp } = require(`./examples/${which}`);
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const app = createApp(exampleAppProps());
  const c = performance.now() - t; t = performance.now();
  const r = synthFindings(app);
  console.log(which, i, 'create', c.toFixed(0), 'synth', (performance.now() - t).toFixed(0), r.error ? 'ERR' : '', r.findings.length);
}
