import { Injectable, Logger } from '@nestjs/common';

export type ProjectResolver = (minions: readonly string[]) => Promise<string[]>;

/**
 * Which project an audit row belongs to, from the minions the action touched (`ctx.minions`).
 * The projects module installs the resolver; an action that touched no minion, or any row
 * before a resolver exists, is fleet-wide (`[]`).
 */
@Injectable()
export class AuditProjects {
  private readonly logger = new Logger(AuditProjects.name);
  private resolver: ProjectResolver | null = null;

  use(resolver: ProjectResolver): void {
    this.resolver = resolver;
  }

  async for(minions: readonly string[] | undefined): Promise<string[]> {
    if (!minions?.length || !this.resolver) return [];
    try {
      return await this.resolver(minions);
    } catch (err) {
      // The row itself matters more than its project: keep it, fleet-wide (admins still see it).
      this.logger.error({ err }, 'audit row project assignment failed; row kept fleet-wide');
      return [];
    }
  }
}
