import * as fs from 'fs';
import { summarise } from './profile';
const [a, c] = process.argv.slice(2).map((f) => summarise(JSON.parse(fs.readFileSync(f, 'utf8'))));
const scale = 1; // raw sampled ms
const fa = new Map(a.files.map((f) => [f.where, f.ms])); const fc = new Map(c.files.map((f) => [f.where, f.ms]));
const keys = new Set([...fa.keys(), ...fc.keys()]);
const rows = [...keys].map((k) => [k, fa.get(k) ?? 0, fc.get(k) ?? 0] as const).sort((x, y) => (y[2] - y[1]) - (x[2] - x[1]));
console.log('total a', a.totalMs.toFixed(0), 'c', c.totalMs.toFixed(0));
for (const [k, x, y] of rows.slice(0, 40)) console.log(String((y - x).toFixed(0)).padStart(7), String(x.toFixed(0)).padStart(7), String(y.toFixed(0)).padStart(7), k);
