import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import samlify from 'samlify';
import validator from '@authenio/samlify-node-xmllint';

// A SAML identity provider in the test process: samlify with its own RSA key pair made by
// openssl for this run, its metadata served on loopback. Responses are rendered from a template
// whose every value a test may change (audience, recipient, times, InResponseTo…) and signed by
// samlify as a real IdP signs them — or left unsigned, or tampered with after signing.

samlify.setSchemaValidator(validator);

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

const TEMPLATE = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}"><saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}"><saml:Issuer>{Issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{NameID}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Recipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{AssertionID}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{Attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>`;

interface ResponseValues {
  nameId: string;
  attributes?: Record<string, string>;
  audience: string;
  recipient: string;
  inResponseTo: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  assertionId?: string;
}

export interface TestIdp {
  entityId: string;
  metadataUrl: string;
  /** How many times the metadata was read. */
  metadataRequests(): number;
  /** A new signing key pair, published in the metadata from now on (a certificate rollover). */
  rotateKey(): void;
  /** A base64 SAMLResponse signed as configured: 'assertion' (default), or 'none'. */
  response(values: ResponseValues, signed?: 'assertion' | 'none'): Promise<string>;
  close(): Promise<void>;
}

const xmlEscape = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const newId = () => `_${randomBytes(16).toString('hex')}`;

function render(values: ResponseValues, issuer: string): string {
  const now = new Date();
  const attributes = Object.entries(values.attributes ?? {})
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${xmlEscape(value)}</saml:AttributeValue></saml:Attribute>`,
    )
    .join('');
  const tags: Record<string, string> = {
    ID: newId(),
    AssertionID: values.assertionId ?? newId(),
    IssueInstant: now.toISOString(),
    Destination: values.recipient,
    Issuer: issuer,
    NameID: xmlEscape(values.nameId),
    Recipient: values.recipient,
    InResponseTo: values.inResponseTo,
    Audience: xmlEscape(values.audience),
    NotBefore: (values.notBefore ?? new Date(now.getTime() - 60_000)).toISOString(),
    NotOnOrAfter: (values.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString(),
    Attributes: attributes,
  };
  return TEMPLATE.replace(/\{(\w+)\}/g, (_m, key: string) => tags[key] ?? '');
}

/** A fresh RSA key pair and self-signed certificate, made by openssl. */
function newKeyPair(dir: string, name: string): { key: Buffer; cert: Buffer } {
  const keyFile = path.join(dir, `${name}-key.pem`);
  const certFile = path.join(dir, `${name}-cert.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=provisiond test IdP',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

export async function startSamlIdp(dir: string): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const entityId = `${base}/metadata`;
  const identityProvider = (pair: { key: Buffer; cert: Buffer }) =>
    samlify.IdentityProvider({
      entityID: entityId,
      privateKey: pair.key,
      signingCert: pair.cert,
      singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }],
      loginResponseTemplate: { context: TEMPLATE, attributes: [] },
    });
  let keys = 0;
  let idp = identityProvider(newKeyPair(dir, `idp-${keys}`));
  let metadataRequests = 0;
  server.on('request', (req, res) => {
    if (req.url === '/metadata') {
      metadataRequests += 1;
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.getMetadata());
    } else res.writeHead(404).end();
  });
  return {
    entityId,
    metadataUrl: `${base}/metadata`,
    metadataRequests: () => metadataRequests,
    rotateKey() {
      keys += 1;
      idp = identityProvider(newKeyPair(dir, `idp-${keys}`));
    },
    async response(values, signed = 'assertion') {
      const xml = render(values, entityId);
      if (signed === 'none') return Buffer.from(xml).toString('base64');
      // The SP as this IdP knows it: it wants signed assertions, so samlify signs the assertion.
      const sp = samlify.ServiceProvider({
        entityID: values.audience,
        wantAssertionsSigned: true,
        assertionConsumerService: [{ Binding: POST, Location: values.recipient }],
      });
      const created = await idp.createLoginResponse(
        sp,
        { extract: { request: { id: values.inResponseTo } } },
        'post',
        {},
        () => ({ id: '', context: xml }),
      );
      return (created as { context: string }).context;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The ID of the AuthnRequest a redirect-binding URL carries, and its RelayState. */
export function readAuthnRequest(url: string): {
  id: string;
  relayState: string;
  destination: string;
} {
  const parsed = new URL(url);
  const xml = inflateRawSync(
    Buffer.from(parsed.searchParams.get('SAMLRequest')!, 'base64'),
  ).toString('utf8');
  return {
    id: /\sID="([^"]+)"/.exec(xml)![1]!,
    relayState: parsed.searchParams.get('RelayState')!,
    destination: `${parsed.origin}${parsed.pathname}`,
  };
}

/** The signed response with one value changed after signing. */
export function tamper(base64: string, from: string, to: string): string {
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  if (!xml.includes(from)) throw new Error(`cannot tamper: ${from} is not in the response`);
  return Buffer.from(xml.replace(from, to)).toString('base64');
}
