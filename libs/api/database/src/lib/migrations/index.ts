import { Foundation1763780000000 } from './1763780000000-Foundation';
import { ActivityEvents1763790000000 } from './1763790000000-ActivityEvents';
import { Projects1763810000000 } from './1763810000000-Projects';
import { AuditChain1763850000000 } from './1763850000000-AuditChain';
import { SaltJobs1763900000000 } from './1763900000000-SaltJobs';
import { ActivityDispatchTargets1763960000000 } from './1763960000000-ActivityDispatchTargets';
import { AuditCompletedRows1763970000000 } from './1763970000000-AuditCompletedRows';

/** Every migration, in order. The schema comes from these alone (never `synchronize`). */
export const MIGRATIONS = [
  Foundation1763780000000, ActivityEvents1763790000000, Projects1763810000000, AuditChain1763850000000, SaltJobs1763900000000,
  ActivityDispatchTargets1763960000000, AuditCompletedRows1763970000000,
];
