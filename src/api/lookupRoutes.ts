import { DirectoryError } from '../domain/directory/errors';
import { isLookupName, type Lookups } from '../domain/directory/Lookups';
import { dispositionsBody, noQuery } from '../protocol/rest';
import type { Authenticator } from './auth';
import { HttpError, parseWith, readJson } from './http';
import type { Router } from './router';

export interface LookupRouteDeps {
  lookups: Lookups;
  auth: Authenticator;
}


/**
 * The master lookups for the UI's drop-downs (the seed's `dropdown:` entries), cached for 1 to 24
 * hours: `GET /api/lookups/agents|helplines|dispositions` (any token, its own account) answers
 * `{name, items: [{value, label}]}`; `PUT /api/dispositions {items: [{code, label}]}` (admin)
 * replaces the account's disposition list.
 */
export function addLookupRoutes(router: Router, deps: LookupRouteDeps): void {
  const { lookups, auth } = deps;

  router.on('GET', '/api/lookups/:name', async ({ req, params, query }) => {
    const { account } = await auth.require(req, 'any');
    parseWith(noQuery, Object.fromEntries(query.entries()));
    const name = params.name!;
    if (!isLookupName(name)) throw new HttpError(404, `no lookup ${name}; there are agents, helplines and dispositions`);
    return { name, items: await lookups.dropdown(account, name) };
  });

  router.on('PUT', '/api/dispositions', async ({ req }) => {
    const { account } = await auth.require(req, 'admin');
    const body = await readJson(req, dispositionsBody);
    try {
      return { items: await lookups.setDispositions(account, body.items) };
    } catch (error) {
      if (error instanceof DirectoryError) throw new HttpError(error.code === 'unavailable' ? 503 : 400, error.message);
      throw error;
    }
  });
}
