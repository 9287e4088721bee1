import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditChain } from './audit-chain.service';
import { ChainVerifier, type VerifyOptions, type VerifyReport } from './chain-verifier';

/** The chain walk for `GET /api/audit/verify`, on one connection and one snapshot. */
@Injectable()
export class AuditVerifyService {
  constructor(private readonly db: DataSource, private readonly chain: AuditChain) {}

  async verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A long walk is expected; each batch is still bounded by the pool's statement timeout.
      const report = await new ChainVerifier((sql, params) => qr.query(sql, params), this.chain.keys).verify(opts);
      await qr.query('COMMIT');
      return report;
    } catch (err) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }
}
