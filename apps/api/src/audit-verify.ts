import { runAuditVerify } from './app/audit-verify-cli';

// `npm run audit:verify`: exit 0 intact, 1 broken, 2 could not run.
runAuditVerify(process.argv.slice(2), process.env, {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
}).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`audit:verify could not run: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
