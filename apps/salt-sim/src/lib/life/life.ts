import { Minion } from '../fleet/fleet';
import { StateMode } from '../exec/states';
import { Master } from '../master/master';
import { PublishRequest } from '../master/local';
import { Rng } from '../util/rng';

const MIN = 60_000;

type JobRecipe = (r: Rng, m: Master) => Omit<PublishRequest, 'user'> & { user?: string };

/** What people on the master's CLI (and the odd console user) run, with how often. */
const RECIPES: ReadonlyArray<readonly [JobRecipe, number]> = [
  [() => ({ tgt: '*', fun: 'test.ping' }), 10],
  [(r) => ({ tgt: 'web*', fun: 'state.apply', stateMode: r.weighted<StateMode>([['ok', 70], ['changes', 22], ['fail', 8]]) }), 8],
  [() => ({ tgt: '*', fun: 'state.apply', kwarg: { test: true } }), 4],
  [() => ({ tgt: 'roles:app', tgtType: 'grain', fun: 'cmd.run', arg: ['uptime'] }), 6],
  [() => ({ tgt: 'web*', fun: 'cmd.run', arg: ['systemctl is-active nginx'] }), 5],
  [() => ({ tgt: 'app*', fun: 'cmd.run', arg: ['grep -c ERROR /var/log/app/app.log'] }), 4],
  [(_r, m) => ({ tgt: [...m.fleet.acceptedIds().filter((id) => id.startsWith('web')).slice(0, 2), 'ghost01'], tgtType: 'list', fun: 'state.sls', arg: ['nginx'] }), 3],
  [() => ({ tgt: 'G@os_family:Debian and not db*', tgtType: 'compound', fun: 'grains.item', arg: ['osrelease', 'saltversion'] }), 4],
  [() => ({ tgt: '*', fun: 'pkg.list_upgrades' }), 2],
  [() => ({ tgt: 'frontend', tgtType: 'nodegroup', fun: 'test.ping' }), 3],
  [() => ({ tgt: 'lb*', fun: ['test.ping', 'cmd.run'], arg: [[], ['uptime']] }), 2],
  [() => ({ tgt: 'web*', fun: 'nginx.reload' }), 1],
  [() => ({ tgt: 'app*', fun: 'cmd.run', arg: ['fooctl status'] }), 1],
  [() => ({ tgt: 'db*', fun: 'state.sls', arg: ['postgres'], stateMode: 'fail' as StateMode }), 1],
  [() => ({ tgt: 'cache*', fun: 'cmd.run', arg: ['journalctl -u redis --no-pager'] }), 0.5],
];

const USERS: ReadonlyArray<readonly [string, number]> = [
  ['sudo_alice', 5],
  ['sudo_bob', 3],
  ['root', 2],
];

/**
 * The fleet's own life, on a seeded schedule: operators running jobs, minions' scheduled
 * highstates, a new machine asking for its key (accepted from the CLI after a while unless
 * someone does it first), restarts, a minion that goes silent for a while and comes back, a
 * rejected laptop trying its luck, a key mismatch.
 */
export class FleetLife {
  private readonly rng: Rng;

  constructor(private readonly master: Master) {
    this.rng = master.ctx.rng.fork('life');
  }

  start(): void {
    const { fleet } = this.master;
    const laptop = fleet.createMinion('rogue-laptop');
    laptop.up = false;
    fleet.setKey(laptop.id, 'rejected');

    this.repeat(20_000, 60_000, () => this.operatorJob(), this.rng.range(2_000, 6_000));
    for (const minion of fleet.upMinions()) this.scheduleHighstate(minion, this.rng.range(30_000, 15 * MIN));
    this.once(this.rng.range(15_000, 30_000), () => this.newMachine());
    this.repeat(10 * MIN, 20 * MIN, () => this.newMachine());
    this.repeat(3 * MIN, 6 * MIN, () => this.restartOne());
    this.once(this.rng.range(60_000, 120_000), () => this.silentOne());
    this.once(this.rng.range(2 * MIN, 4 * MIN), () => this.rejectedAttempt());
    this.once(this.rng.range(6 * MIN, 9 * MIN), () => this.keyMismatch());
  }

  private once(ms: number, fn: () => void): void {
    this.master.ctx.clock.after(ms, fn);
  }

  private repeat(minMs: number, maxMs: number, fn: () => void, first?: number): void {
    const loop = (): void => {
      fn();
      this.once(this.rng.range(minMs, maxMs), loop);
    };
    this.once(first ?? this.rng.range(minMs, maxMs), loop);
  }

  private operatorJob(): void {
    const recipe = this.rng.weighted(RECIPES);
    const req = recipe(this.rng, this.master);
    const user = req.user ?? this.rng.weighted(USERS);
    // The `salt` CLI is a synchronous LocalClient: stragglers get find_job polls.
    this.master.local.runSync({ ...req, user }).catch((e: Error) => this.master.ctx.logger.warn(`life job failed: ${e.message}`));
  }

  private scheduleHighstate(minion: Minion, firstMs: number): void {
    const loop = (): void => {
      if (minion.up && this.master.fleet.accepted.has(minion.id)) {
        const mode = this.rng.weighted<StateMode>([['ok', 82], ['changes', 14], ['fail', 4]]);
        this.master.local.runScheduled(minion, 'state.highstate', 'highstate-hourly', mode);
      }
      this.once(this.rng.range(12 * MIN, 18 * MIN), loop);
    };
    this.once(firstMs, loop);
  }

  private newMachine(): void {
    const { fleet } = this.master;
    const role = this.rng.pick(['web', 'app', 'cache']);
    const id = fleet.nextId(role);
    const minion = fleet.createMinion(undefined, role);
    this.master.keys.newPendingMinion(minion.id);
    this.master.ctx.logger.info(`life: ${id} asks for its key`);
    // Somebody runs `salt-key -a` on the master eventually (no wheel events for CLI accepts).
    this.once(this.rng.range(3 * MIN, 5 * MIN), () => {
      if (fleet.pending.has(minion.id)) {
        this.master.keys.accept([minion.id], false, false);
        this.scheduleHighstate(minion, this.rng.range(MIN, 5 * MIN));
      }
    });
  }

  private pickUp(): Minion | null {
    const up = this.master.fleet.upMinions();
    return up.length ? this.rng.pick(up) : null;
  }

  private restartOne(): void {
    const m = this.pickUp();
    if (m) this.master.keys.restart(m);
  }

  private silentOne(): void {
    const m = this.pickUp();
    if (!m) return;
    this.master.ctx.logger.info(`life: ${m.id} goes silent`);
    this.master.keys.down(m);
    this.once(this.rng.range(5 * MIN, 10 * MIN), () => this.master.keys.up(m));
  }

  private rejectedAttempt(): void {
    const laptop = this.master.fleet.minions.get('rogue-laptop');
    if (laptop && this.master.fleet.rejected.has(laptop.id)) this.master.keys.attemptAuth(laptop);
  }

  private keyMismatch(): void {
    const ids = this.master.fleet.acceptedIds();
    if (ids.length) this.master.keys.deny(this.rng.pick(ids));
  }
}
