/** Minion keys on the wire (issue 5): GET /api/keys and the accept / reject / delete actions. */

export type KeyState = 'accepted' | 'pending' | 'rejected' | 'denied';

export interface KeysDto {
  accepted: string[];
  pending: string[];
  rejected: string[];
  denied: string[];
}

export interface KeyActionDto {
  id: string;
  /** The states the id had keys in before the action (two when a denied key sits beside another). */
  previous_states: KeyState[];
  state: KeyState | 'deleted';
}
