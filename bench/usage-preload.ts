/**
 * Preloaded into the report benchmark's child processes (`node --require bench/out/js/usage-preload.js ...`):
 * on exit, writes the process's resource usage (peak RSS, user and system CPU time) to `$BENCH_USAGE_FILE`.
 * Same figures as `/usr/bin/time -v` ("Maximum resident set size", "User time", "System time"), without needing
 * GNU time on the machine.
 */
import * as fs from 'fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: u.maxRSS, userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000 }));
  });
}
