import { BadGatewayException, BadRequestException, Injectable } from '@nestjs/common';
import { FleetService } from '../fleet/fleet.service';
import { grainTargetMatches, KEY_TARGET_TYPES, resolveAgainstKeys, type TargetType } from './target';

/**
 * Resolves a target to the minions it reaches before anything is published (salt-api has no
 * dry run). glob, list and pcre are matched against the accepted keys exactly as the master's
 * `CkMinions` does. grain, nodegroup and compound are resolved by the master itself through the
 * `cache.grains` runner, which runs `check_minions` on the target without publishing anything;
 * where that runner is missing, a grain target is matched against the grains Sylvite holds, and
 * the other two are refused (502).
 */
@Injectable()
export class TargetResolver {
  constructor(private readonly fleet: FleetService) {}

  async resolve(target: string | readonly string[], type: TargetType): Promise<string[]> {
    if (KEY_TARGET_TYPES.includes(type)) {
      const keys = await this.fleet.keys();
      const r = resolveAgainstKeys(target, type, keys.minions);
      if (!r) throw new BadRequestException(`target: not a valid ${type} expression`);
      return r.minions;
    }
    const viaMaster = await this.fleet.cachedTargetMinions(target, type);
    if (viaMaster) return viaMaster;
    if (type === 'grain' && typeof target === 'string') {
      const [keys, grains] = await Promise.all([this.fleet.keys(), this.fleet.allGrains()]);
      return keys.minions.filter((id) => {
        const g = grains.get(id);
        return g !== undefined && grainTargetMatches(g.grains, target);
      }).sort();
    }
    throw new BadGatewayException(`cannot resolve a ${type} target: the salt master has no cache.grains runner to ask`);
  }
}
