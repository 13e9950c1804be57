/**
 * One's own connection quality, measured in this browser: realtime-js times every Realtime
 * heartbeat's round trip (sent every `heartbeatIntervalMs`, 25 s by default) and reports heartbeats
 * that time out or fail; the meeting channel rejoining after a drop counts as a reconnect. Only the
 * participant can measure this, so what others see is their self-report (`report_connection_quality`).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ConnectionQuality } from './participant-schema.js';

/** A heartbeat round trip at or above this many milliseconds makes the connection "poor". */
export const POOR_ROUND_TRIP_MS = 1000;
/** After a reconnect or a failed heartbeat, the connection stays "poor" this long. */
export const POOR_AFTER_TROUBLE_MS = 60_000;

export type HeartbeatOutcome = { status: 'ok'; latency: number } | { status: 'timeout' | 'error' };
type Listener = (outcome: HeartbeatOutcome) => void;

type RealtimeHeartbeats = Pick<SupabaseClient['realtime'], 'onHeartbeat' | 'heartbeatCallback'>;

// One hook per realtime client, shared by every element on it: realtime-js keeps a single
// heartbeat callback, so ours chains to the one the app (or realtime-js itself) had installed.
const listeners = new WeakMap<RealtimeHeartbeats, Set<Listener>>();

/** Calls `listener` after each heartbeat of `client`'s socket; returns the function that stops it. */
export function watchHeartbeats(client: SupabaseClient, listener: Listener): () => void {
  const realtime = client.realtime as RealtimeHeartbeats;
  let set = listeners.get(realtime);
  if (!set) {
    const own = new Set<Listener>();
    set = own;
    listeners.set(realtime, own);
    const previous = realtime.heartbeatCallback;
    realtime.onHeartbeat((status, latency) => {
      // The previous callback is realtime-js's own wrapper (it refreshes the token on "sent").
      previous?.(status, latency);
      const outcome: HeartbeatOutcome | undefined =
        status === 'ok' && typeof latency === 'number'
          ? { status: 'ok', latency }
          : status === 'timeout' || status === 'error'
            ? { status }
            : undefined;
      if (!outcome) return;
      for (const each of [...own]) {
        try {
          each(outcome);
        } catch (error) {
          console.error(error);
        }
      }
    });
  }
  set.add(listener);
  const watching = set;
  return () => {
    watching.delete(listener);
  };
}

/**
 * The quality after a heartbeat: "poor" when the round trip reached `poorRoundTripMs`, the
 * heartbeat failed, or a reconnect or failure happened less than `POOR_AFTER_TROUBLE_MS` ago.
 */
export function classifyQuality(
  outcome: HeartbeatOutcome,
  now: number,
  lastTroubleAt: number | undefined,
  poorRoundTripMs = POOR_ROUND_TRIP_MS,
): ConnectionQuality {
  if (outcome.status !== 'ok') return 'poor';
  if (outcome.latency >= poorRoundTripMs) return 'poor';
  if (lastTroubleAt !== undefined && now - lastTroubleAt < POOR_AFTER_TROUBLE_MS) return 'poor';
  return 'good';
}
