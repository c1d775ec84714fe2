// A real OpenID Connect provider (panva's oidc-provider) on loopback, for the portal's single sign-on
// tests (tests/trust/test_single_sign_on.py, tests/browser/test_single_sign_on_journey.py).
//
// Started by a pytest fixture: `node provider.mjs` with OIDC_CLIENTS and OIDC_ACCOUNTS (JSON) in the
// environment. It listens on a free loopback port and prints "listening <issuer>" once ready.
// The sign-in page's user name picks one of OIDC_ACCOUNTS, whose claims (email, email_verified, tid, hd)
// and amr the test chose; there is no password check (the provider's side is not under test).
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, error) {
  return page('Loopback identity provider: sign in', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="login">User name</label>
  <input id="login" name="login" autocomplete="username" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>`);
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) throw new Error('body too large');
  }
  return new URLSearchParams(body);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'loopback', use: 'sig', alg: 'RS256' };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    claims: {
      openid: ['sub', 'tid', 'hd', 'amr', 'acr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // The claims the portal checks (email, tid/hd) come in the ID token, as Entra ID and Google send them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['loopback-test-provider-cookie-key'] },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { const { amr, ...rest } = claims; return { sub: id, ...rest }; } };
    },
  });
  // The tests' Django servers listen on ports chosen at run time: any loopback redirect is allowed.
  provider.Client.prototype.redirectUriAllowed = (uri) => /^http:\/\/(127\.0\.0\.1|localhost|testserver)(:\d+)?\//.test(uri);

  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return oidc(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        // The trust's administrator consented for everyone (as in Entra ID and Google Workspace).
        const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
        if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
        const grantId = await grant.save();
        return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (req.method === 'POST' && match[2]) {
        const form = await readBody(req);
        const login = form.get('login') || '';
        if (!Object.hasOwn(accounts, login)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(loginForm(match[1], 'No such account.'));
        }
        const amr = accounts[login].amr;
        return await provider.interactionFinished(
          req, res, { login: { accountId: login, ...(amr ? { amr } : {}) } }, { mergeWithLastSubmission: false },
        );
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(loginForm(match[1]));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end(`interaction failed: ${error.message}`);
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
