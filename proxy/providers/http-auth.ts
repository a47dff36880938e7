/**
 * A configured, pluggable way to authenticate requests to a backend whose document does not say
 * (seed 000's kiosk API; seed 003's session). The secret lives in the proxy's config only and is
 * redacted from call records by `redactAuth`.
 */
export type HttpAuth =
  | { type: 'none' }
  /** `Authorization: Bearer <token>` */
  | { type: 'bearer'; token: string }
  /** Any header, e.g. `X-Api-Key: <value>` or `Cookie: session=<value>` */
  | { type: 'header'; name: string; value: string }
  /** A query/body parameter added to every request, e.g. `token=<value>` */
  | { type: 'param'; name: string; value: string };

export interface AuthedRequest {
  headers: Record<string, string>;
  /** Extra parameters to add to the query string (or the form/JSON body, as the adapter sends). */
  params: Record<string, string>;
}

export function applyAuth(auth: HttpAuth | undefined): AuthedRequest {
  switch (auth?.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, params: {} };
    case 'header':
      return { headers: { [auth.name.toLowerCase()]: auth.value }, params: {} };
    case 'param':
      return { headers: {}, params: { [auth.name]: auth.value } };
    default:
      return { headers: {}, params: {} };
  }
}

/** The secret of an auth scheme, for scrubbing records and messages. */
export function authSecret(auth: HttpAuth | undefined): string | undefined {
  switch (auth?.type) {
    case 'bearer':
      return auth.token;
    case 'header':
    case 'param':
      return auth.value;
    default:
      return undefined;
  }
}

/** Replaces the auth secret (if any) in a text with ***. */
export function redactAuth(text: string, auth: HttpAuth | undefined): string {
  const secret = authSecret(auth);
  return secret && secret.length >= 4 ? text.split(secret).join('***') : text;
}
