import { Foundation1763780000000 } from './1763780000000-Foundation';

/** Every migration, in order. The schema comes from these alone (never `synchronize`). */
export const MIGRATIONS = [Foundation1763780000000];
