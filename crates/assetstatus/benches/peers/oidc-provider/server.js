// Peer for scripts/bench-peers: the client-credentials grant of the node `oidc-provider`
// (OpenID Certified), configured as a team would for a service-to-service API:
// one confidential client (client_secret_basic), the client_credentials grant, access tokens
// as ES256-signed JWTs (RFC 9068) for one resource server, in-memory storage (the library's
// default adapter: nothing durable), token endpoint POST /token. No per-request logging.
//
//   PORT=18291 node server.js
//   curl -u bench-cc:SECRET -d 'grant_type=client_credentials&scope=assets:read' \
//        http://127.0.0.1:18291/token
//
// Env: PORT, CLIENT_ID, CLIENT_SECRET (the default is a throwaway for trying it by hand; the
// script passes a fresh random one), SCOPE (the scopes the resource server offers),
// RESOURCE (its resource indicator, an absolute URI, used when a request names none),
// AUDIENCE (the `aud` of its tokens).

import { randomBytes } from 'node:crypto';

import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 18291);
const clientId = process.env.CLIENT_ID ?? 'bench-cc';
const clientSecret = process.env.CLIENT_SECRET ?? 'bench-only-secret-not-for-use-0123456789';
const scope = process.env.SCOPE ?? 'assets:read';
const resource = process.env.RESOURCE ?? 'urn:assetstatus:api';
const audience = process.env.AUDIENCE ?? 'assetstatus-api';
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${port}`;

// A fresh signing key per start, like a throwaway deployment.
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signing = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const resourceServer = {
  scope,
  audience,
  accessTokenTTL: 600,
  accessTokenFormat: 'jwt',
  jwt: { sign: { alg: 'ES256' } },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope,
      id_token_signed_response_alg: 'ES256',
    },
  ],
  scopes: ['openid', ...scope.split(' ')],
  jwks: { keys: [signing] },
  enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
  ttl: { ClientCredentials: 600 },
  // The grant sets no cookie; the library wants keys anyway.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  routes: { token: '/token' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) {
          throw new Provider.errors.InvalidTarget();
        }
        return resourceServer;
      },
    },
  },
});

// The library's own events (server_error and the like) only; nothing per request.
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1');
console.error(`oidc-provider peer listening on ${issuer}, token endpoint ${issuer}/token`);
