/** Who opened a Realtime socket: the token it connected with, its claims and the upgrade's headers. */
import type { Claims } from '../keys.js';

export interface ConnectionIdentity {
  token: string;
  claims: Claims;
  headers: Record<string, string>;
}
