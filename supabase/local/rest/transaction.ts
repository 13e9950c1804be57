/** The transaction every REST request runs in, with PostgREST's transaction-scoped settings. */
import type pg from 'pg';
import { headerValue } from '../http.js';
import type { RequestContext } from './context.js';
import { isPgError, RestError } from './errors.js';
import { ident, Params } from './sql.js';

/** One transaction per request with PostgREST's transaction-scoped settings. */
export async function inRequestTransaction<T>(
  rc: RequestContext,
  readOnly: boolean,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const roleSettings = await rc.settingsOf(rc.role);
  const client = await rc.stack.restPool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`begin isolation level read committed${readOnly ? ' read only' : ''}`);
    const headers = Object.fromEntries(
      Object.entries(rc.req.headers).map(([key, value]) => [
        key.toLowerCase(),
        Array.isArray(value) ? value.join(', ') : value,
      ]),
    );
    const cookies = Object.fromEntries(
      (headerValue(rc.req, 'cookie') ?? '')
        .split(';')
        .map((part) => part.trim().split('='))
        .filter(([key]) => key)
        .map(([key, ...value]) => [key, value.join('=')]),
    );
    const claims = { ...rc.claims, role: rc.role };
    const settings: [string, string][] = [
      ['search_path', `${ident(rc.schema)}, extensions`],
      ...roleSettings,
      ['role', rc.role],
      ['request.jwt.claims', JSON.stringify(claims)],
      ['request.method', rc.method],
      ['request.path', rc.path],
      ['request.headers', JSON.stringify(headers)],
      ['request.cookies', JSON.stringify(cookies)],
    ];
    const params = new Params();
    const calls = settings.map(([name, value]) => `set_config(${params.add(name)}, ${params.add(value)}, true)`);
    await client.query(`select ${calls.join(', ')}`, params.values);
    const result = await work(client);
    await client.query(rc.prefs.tx === 'rollback' ? 'rollback' : 'commit');
    return result;
  } catch (error) {
    if (!isPgError(error) && !(error instanceof RestError)) broken = error as Error;
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
