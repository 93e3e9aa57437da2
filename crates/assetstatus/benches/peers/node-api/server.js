// Peer for scripts/bench-peers: what a team would write instead of our API for the same reads.
// Fastify 5 + jose. Bearer access tokens (ES256 JWTs) are verified against a remote JWKS
// (fetched once, then cached by jose, refetched on an unknown `kid`): signature, algorithm,
// `typ` at+jwt, issuer, audience, expiry and not-before, then the required scope.
// No per-request logging.
//
//   PORT=18290 JWKS_URL=http://127.0.0.1:PORT/oauth2/jwks ISSUER=http://127.0.0.1:PORT \
//   AUDIENCE=assetstatus-api REQUIRED_SCOPE=assets:read node server.js

import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
};

const port = Number(process.env.PORT ?? 18290);
const jwks = createRemoteJWKSet(new URL(need('JWKS_URL')));
const issuer = need('ISSUER');
const audience = need('AUDIENCE');
const requiredScope = need('REQUIRED_SCOPE');

// A small fixed list, shaped like ours.
const ASSETS = [
  ['deposits', '普通預金', 'さくら銀行', 3_100_000],
  ['deposits', '定期預金', 'さくら銀行', 1_000_000],
  ['stocks', '国内株式', 'みらい証券', 1_500_000],
  ['investment_funds', '全世界株式インデックス', 'みらい証券', 1_224_000],
  ['insurance', '終身保険（解約返戻金）', 'あおば生命', 860_000],
  ['pension', 'iDeCo', 'みらい証券', 1_176_000],
  ['real_estate', '自宅マンション', '', 31_400_000],
  ['liabilities', '住宅ローン残高', 'さくら銀行', 17_340_000],
].map(([category, name, institution, amount], i) => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  category,
  name,
  institution,
  amount,
  currency: 'JPY',
  valuation_date: '2026-12-01',
}));

const problem = (reply, status, title, challenge) => {
  if (challenge) reply.header('www-authenticate', challenge);
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status });
};

// Verifies the bearer token and the scope; on success the claims go on the request.
async function authenticate(request, reply) {
  const header = request.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) {
    return problem(reply, 401, 'Unauthenticated', 'Bearer');
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(header.slice(7), jwks, {
      issuer,
      audience,
      algorithms: ['ES256'],
      typ: 'at+jwt',
    }));
  } catch {
    return problem(reply, 401, 'Invalid token', 'Bearer error="invalid_token"');
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scopes.includes(requiredScope)) {
    return problem(
      reply,
      403,
      'Insufficient scope',
      `Bearer error="insufficient_scope", scope="${requiredScope}"`,
    );
  }
  request.claims = payload;
}

const app = Fastify({ logger: false });
app.decorateRequest('claims', null);

app.get('/bare', async () => ({ status: 'ok' }));

app.get('/api/v1/me', { onRequest: authenticate }, async (request) => ({
  id: request.claims.sub,
  locale: 'ja',
}));

app.get('/api/v1/assets', { onRequest: authenticate }, async () => ({ assets: ASSETS }));

app.listen({ host: '127.0.0.1', port }).catch((err) => {
  console.error(err);
  process.exit(1);
});
