import { OptionsError, parseArgs, USAGE } from './lib/options';
import { startSaltSim } from './lib/sim';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof OptionsError) {
      process.stderr.write(`salt-sim: ${e.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sim = await startSaltSim(opts);
  // The first stdout line is the contract for scripts that spawn the simulator.
  process.stdout.write(`salt-sim listening on ${sim.url}\n`);
  if (!opts.quiet) {
    process.stderr.write(
      `salt-sim: ${opts.minions} minions, seed "${opts.seed}", user "${opts.user}" (eauth pam/auto)` +
        `${opts.life ? '' : ', no life'}${opts.rate ? `, load ${opts.rate} events/s` : ''}; control API at ${sim.url}/_sim\n`,
    );
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  process.stderr.write(`salt-sim: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
