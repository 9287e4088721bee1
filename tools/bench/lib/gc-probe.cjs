// Preloaded (`node --require`) into both servers of B7, the api and the bare broadcaster, so their
// memory per connection is read the same way: on SIGUSR2 a full garbage collection (twice, so what
// the first one finalized is gone too), a second's pause for V8 to hand the freed pages back to the
// system, one more collection, then process.memoryUsage() into $BENCH_GC_DIR/gc-<pid>.json. Without it an RSS step includes whatever garbage the requests left
// that V8 has not collected yet (for the api: the sign-in checks, queries and logging of each
// request), which depends on when V8 last ran a collection rather than on what a connection holds.
'use strict';
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const { getHeapSpaceStatistics, setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const dir = process.env.BENCH_GC_DIR;
if (dir) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
    setTimeout(() => {
      gc();
      const file = join(dir, `gc-${process.pid}.json`);
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
      writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), spaces }));
      renameSync(`${file}.tmp`, file);
    }, 1000);
  });
}
